#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcheck.h"

static char tmpdir[256];

static void
tcheck_cleanup(void)
{
	char cmd[300];

	if (tmpdir[0] && getenv("TANDEM_TEST_KEEP") == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
}

const char *
tcheck_tmpdir(void)
{
	if (tmpdir[0] == '\0') {
		const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

		snprintf(tmpdir, sizeof(tmpdir), "%s/tandem-check-XXXXXX", base);
		if (mkdtemp(tmpdir) == NULL) {
			perror("mkdtemp");
			exit(99);
		}
		atexit(tcheck_cleanup);
	}
	return tmpdir;
}

const char *
tcheck_write_file(const char *name, const char *text)
{
	static char paths[8][512];
	static int slot;
	char *p = paths[slot++ % 8];
	FILE *fp;

	snprintf(p, 512, "%s/%s", tcheck_tmpdir(), name);
	fp = fopen(p, "w");
	if (fp == NULL) {
		perror(p);
		exit(99);
	}
	fputs(text, fp);
	fclose(fp);
	return p;
}

void
tcheck_split_each(const char *buf, size_t len, void *ctx,
    void (*reset)(void *ctx), void (*feed)(void *ctx, const char *p, size_t n),
    void (*check)(void *ctx, size_t split))
{
	for (size_t k = 0; k <= len; k++) {
		reset(ctx);
		if (k)
			feed(ctx, buf, k);
		if (len - k)
			feed(ctx, buf + k, len - k);
		check(ctx, k);
	}
}

int
tcheck_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	/* forking keeps one crashing case from hiding the others, but
	 * CK_FORK=no is handy under gdb */
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

void
tcheck_capture_begin(struct tcheck_capture *c)
{
	fflush(stderr);
	c->f = tmpfile();
	ck_assert_ptr_nonnull(c->f);
	c->saved = dup(2);
	ck_assert_int_ne(c->saved, -1);
	ck_assert_int_ne(dup2(fileno(c->f), 2), -1);
}

const char *
tcheck_capture_end(struct tcheck_capture *c)
{
	size_t n;

	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	rewind(c->f);
	n = fread(c->text, 1, sizeof(c->text) - 1, c->f);
	c->text[n] = '\0';
	fclose(c->f);
	return c->text;
}
