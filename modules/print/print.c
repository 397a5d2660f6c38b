/*
 * print - SER's print(text): writes text (pseudo-variables rendered) to
 * the daemon's standard output.  A debugging aid from SER 0.8 that the
 * seed configs still load.
 *
 * Each call is one write(2) of the whole rendered text, so that lines
 * from several worker processes sharing one stdout do not interleave
 * (a pipe keeps writes up to PIPE_BUF bytes whole).  Nothing is kept in
 * a stdio buffer: a line is visible as soon as the call returns.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "core/module_api.h"

/* Set once this process failed to write: the error is logged once, not
 * once per message (a daemon whose stdout was closed would flood). */
static int print_write_failed;

/* 0, or -1 with errno set by write(2). */
static int
print_write_all(const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(STDOUT_FILENO, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* 1 when written, -1 when the text could not be rendered or written. */
static int
w_print(struct msg *m, void *const *args)
{
	str_t text;

	if (arg_str(m, args[0], &text) != 0) {
		log_errx("print(): the text could not be rendered");
		return -1;
	}
	/* whatever the process left in stdio's buffer goes first, in order */
	fflush(stdout);
	if (print_write_all(text.s, text.len) == -1) {
		if (!print_write_failed)
			log_err("print(): write() to standard output failed "
			    "(reported once per process)");
		print_write_failed = 1;
		return -1;
	}
	return 1;
}

static const struct cmd_export print_cmds[] = {
	{ .name = "print", .fn = w_print, .routes = RT_ANY,
	  .args = { { .flags = ARG_STR } } },
	{ .name = NULL },
};

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "print",
	.version = PACKAGE_VERSION,
	.cmds = print_cmds,
};
