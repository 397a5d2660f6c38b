/*
 * corex_file.c - whole-file reads and writes for file_read() and
 * file_write() (corex_file.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "corex_file.h"

int
corex_file_read(const char *path, struct arena *a, str_t *out, char *err,
    size_t errlen)
{
	struct stat st;
	size_t got = 0;
	ssize_t n;
	char *buf;
	int fd, rc = -1;

	/* O_NONBLOCK: a FIFO without a writer must not stop the worker;
	 * it is refused below as not a regular file anyway */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		snprintf(err, errlen, "cannot open it: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot stat it: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		goto out;
	}
	if (st.st_size > COREX_FILE_MAX) {
		snprintf(err, errlen, "%lld bytes, more than the %d allowed",
		    (long long)st.st_size, COREX_FILE_MAX);
		goto out;
	}
	if ((buf = arena_alloc(a, (size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* the size may change under us: read what fits, stop at the end */
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read it: %s",
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*out = str_make(buf, got);
	rc = 0;
out:
	close(fd);
	return rc;
}

int
corex_file_write(const char *path, const str_t *data, char *err,
    size_t errlen)
{
	size_t done = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NONBLOCK,
	    0666);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open it: %s", strerror(errno));
		return -1;
	}
	while (done < data->len) {
		n = write(fd, data->s + done, data->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot write it: %s",
			    strerror(errno));
			close(fd);
			return -1;
		}
		done += (size_t)n;
	}
	if (close(fd) < 0) {
		snprintf(err, errlen, "cannot write it: %s", strerror(errno));
		return -1;
	}
	return 0;
}
