/*
 * tcheck.h - helpers shared by the Check suites.
 */
#ifndef TD_TCHECK_H
#define TD_TCHECK_H

#include <check.h>
#include <stddef.h>
#include <stdio.h>

/* Runs the suite (CK_NORMAL output) and returns the process exit code. */
int tcheck_run(Suite *s);

/* A fresh temporary directory (removed at exit); returns its path. */
const char *tcheck_tmpdir(void);

/* Writes text to tmpdir/name; returns the full path (static storage per
 * call slot, valid until the next 8 calls). */
const char *tcheck_write_file(const char *name, const char *text);

/*
 * Feeds `len` bytes to `feed` split at every possible boundary: for each
 * split point k, feed(buf, k) then feed(buf + k, len - k), after calling
 * reset().  Used by incremental parsers.
 */
void tcheck_split_each(const char *buf, size_t len, void *ctx,
                       void (*reset)(void *ctx),
                       void (*feed)(void *ctx, const char *p, size_t n),
                       void (*check)(void *ctx, size_t split));

/* Collects what the code under test logs to stderr between begin and end
 * (the text is cut at sizeof(text) - 1 bytes). */
struct tcheck_capture {
	FILE  *f;
	int    saved;
	char   text[8192];
};

void        tcheck_capture_begin(struct tcheck_capture *c);
const char *tcheck_capture_end(struct tcheck_capture *c);

#endif
