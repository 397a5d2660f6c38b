/*
 * replay.c - runs a libFuzzer target without libFuzzer: every file named
 * on the command line, and every file in the directories named there
 * (not recursively, in name order), is passed once to
 * LLVMFuzzerTestOneInput().  make check uses it to replay the seed
 * corpora with the ordinary compiler and sanitizers.
 *
 * Exit status: 0 when every input ran, 1 when one could not be read,
 * 2 on usage.  A target that finds a bug aborts, as under libFuzzer.
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads the whole file into a malloc'ed buffer (never NULL on success,
 * even for an empty file).  0, or -1 with a message printed. */
static int
slurp(const char *path, uint8_t **out, size_t *len)
{
	FILE *fp = NULL;
	uint8_t *buf = NULL, *nb;
	size_t cap = 4096, n = 0, r;

	if ((fp = fopen(path, "rb")) == NULL)
		goto fail;
	if ((buf = malloc(cap)) == NULL)
		goto fail;
	while ((r = fread(buf + n, 1, cap - n, fp)) > 0) {
		n += r;
		if (n == cap) {
			if ((nb = realloc(buf, cap *= 2)) == NULL)
				goto fail;
			buf = nb;
		}
	}
	if (ferror(fp))
		goto fail;
	fclose(fp);
	*out = buf;
	*len = n;
	return 0;

fail:
	perror(path);
	free(buf);
	if (fp != NULL)
		fclose(fp);
	return -1;
}

static int
replay_file(const char *path, size_t *count)
{
	uint8_t *data;
	size_t len;

	if (slurp(path, &data, &len) == -1)
		return -1;
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	++*count;
	return 0;
}

static int
skip_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int
replay_dir(const char *dir, size_t *count)
{
	struct dirent **names = NULL;
	struct stat st;
	char path[4096];
	int n, rc = 0;

	if ((n = scandir(dir, &names, skip_dots, alphasort)) == -1) {
		perror(dir);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    replay_file(path, count) == -1)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	struct stat st;
	size_t count = 0;
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s file|dir ...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			perror(argv[i]);
			rc = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &count) == -1)
				rc = 1;
		} else if (replay_file(argv[i], &count) == -1)
			rc = 1;
	}
	printf("%s: %zu inputs replayed\n", argv[0], count);
	return rc;
}
