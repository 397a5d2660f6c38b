/*
 * tandemctl.c - Tandem's RPC client, a kamcmd work-alike: one method
 * from the command line, or an interactive session reading
 * "method args..." lines.  It speaks BINRPC to the ctl module (or to
 * Kamailio's), and prints replies as kamcmd does or as JSON.
 *
 * Exit status: 0 success, 1 the server answered with a fault, 2 usage,
 * connection or protocol error.  Interactive mode exits with the status
 * of the last command.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl_client.h"
#include "tandemctl.h"

#define EXIT_FAULT   1
#define EXIT_TROUBLE 2
#define LINE_MAX_LEN 8192
#define ARGS_MAX     128
#define HIST_MAX     1000
#define QUIT         (-1)

struct ctl {
	const char       *socket;
	struct ctl_addr   addr;
	int               json;
	int               timeout_ms;
	struct binrpc_enc enc;
	/* interactive mode */
	char            **hist;
	int               nhist;
	int               hist_base;    /* number of hist[0], from 1      */
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: tandemctl [-s SOCKET] [-t SECONDS] [-j|--json] "
	    "[METHOD [ARG...]]\n"
	    "       tandemctl -h | -V\n"
	    "\n"
	    "Calls an RPC method of a running tandem (or kamailio) through "
	    "its ctl\nmodule; without METHOD, reads \"method arg...\" "
	    "lines from stdin.\n"
	    "\n"
	    "  -s SOCKET    unix:/path, /path, unixd:/path, "
	    "tcp:host[:port], udp:host[:port]\n"
	    "               (default %s, port 2049)\n"
	    "  -t SECONDS   give up on a reply after this long "
	    "(default 30)\n"
	    "  -j, --json   print the reply as JSON\n"
	    "\n"
	    "An argument that is a decimal integer is sent as an integer, "
	    "any other as a\nstring; \"s:\" forces a string (s:42), \"i:\" "
	    "an integer.\n"
	    "Exit status: 0 ok, 1 the method failed, 2 usage or "
	    "connection error.\n", CTL_DEFAULT_SOCKET);
}

/* --- one call ---------------------------------------------------------------- */

static int
print_reply(struct ctl *c, const struct ctl_reply *r)
{
	char err[256], *text = NULL;
	size_t tlen = 0;
	FILE *mem = open_memstream(&text, &tlen);
	int status = EXIT_SUCCESS, code;
	const char *msg;
	size_t mlen;

	if (mem == NULL) {
		fprintf(stderr, "tandemctl: out of memory\n");
		return EXIT_TROUBLE;
	}
	if (r->type == BINRPC_FAULT) {
		int rc = binrpc_parse_fault(r->body, r->body_len, &code, &msg,
		    &mlen);

		if (rc != BINRPC_OK) {
			snprintf(err, sizeof(err), "bad fault reply: %s",
			    binrpc_strerror(rc));
			status = EXIT_TROUBLE;
		} else {
			(c->json ? out_json_fault : out_text_fault)(mem, code,
			    msg, mlen);
			status = EXIT_FAULT;
		}
	} else if ((c->json ? out_json_reply : out_text_reply)(mem, r->body,
	    r->body_len, err, sizeof(err)) == -1)
		status = EXIT_TROUBLE;
	if (fclose(mem) != 0) {
		snprintf(err, sizeof(err), "out of memory");
		status = EXIT_TROUBLE;
	}
	/* nothing of a reply that does not decode is printed */
	if (status == EXIT_TROUBLE)
		fprintf(stderr, "tandemctl: %s\n", err);
	else
		fwrite(text, 1, tlen, stdout);
	fflush(stdout);
	free(text);
	return status;
}

static int
call(struct ctl *c, const char *method, int argc, char *const *argv)
{
	struct ctl_reply r;
	const uint8_t *pkt;
	char err[512];
	size_t len;
	uint32_t cookie = ctl_cookie();
	int rc, status;

	if (*method == '\0') {
		fprintf(stderr, "tandemctl: empty method name\n");
		return EXIT_TROUBLE;
	}
	rc = ctl_build_request(&c->enc, cookie, method, argc, argv, &pkt,
	    &len, err, sizeof(err));
	if (rc == -1) {
		fprintf(stderr, "tandemctl: %s\n", err);
		return EXIT_TROUBLE;
	}
	if (rc != BINRPC_OK) {
		fprintf(stderr, "tandemctl: cannot encode the request: %s\n",
		    binrpc_strerror(rc));
		return EXIT_TROUBLE;
	}
	if (ctl_call(&c->addr, c->timeout_ms, pkt, len, cookie, &r, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "tandemctl: %s\n", err);
		return EXIT_TROUBLE;
	}
	status = print_reply(c, &r);
	ctl_reply_free(&r);
	return status;
}

/* --- interactive mode -------------------------------------------------------------- */

/*
 * Splits a line into words: blanks separate them, "..." groups (with \"
 * and \\ inside), '...' groups literally.  Words are written into the
 * line itself.  The count, or -1 with a message printed.
 */
static int
split_words(char *line, char **argv, int max)
{
	char *r = line, *w = line;
	int n = 0;

	for (;;) {
		while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
			r++;
		if (*r == '\0')
			return n;
		if (n == max) {
			fprintf(stderr, "tandemctl: more than %d words\n", max);
			return -1;
		}
		argv[n++] = w;
		while (*r != '\0' && *r != ' ' && *r != '\t' && *r != '\n' &&
		    *r != '\r') {
			char q = *r;

			if (q != '"' && q != '\'') {
				*w++ = *r++;
				continue;
			}
			for (r++; *r != q; r++) {
				if (*r == '\0') {
					fprintf(stderr, "tandemctl: missing "
					    "closing %c\n", q);
					return -1;
				}
				if (q == '"' && *r == '\\' &&
				    (r[1] == '"' || r[1] == '\\'))
					r++;
				*w++ = *r;
			}
			r++;
		}
		/* the word ends here; r may sit on the blank w overwrites */
		if (*r != '\0')
			r++;
		*w++ = '\0';
	}
}

static void
hist_add(struct ctl *c, const char *line)
{
	char *copy;

	if (c->nhist > 0 && strcmp(c->hist[c->nhist - 1], line) == 0)
		return;
	if ((copy = strdup(line)) == NULL)
		return;
	if (c->nhist == HIST_MAX) {
		free(c->hist[0]);
		memmove(c->hist, c->hist + 1, (HIST_MAX - 1) * sizeof(char *));
		c->nhist--;
		c->hist_base++;
	}
	c->hist[c->nhist++] = copy;
}

/* "!!" or "!N" → the line it names (static copy), or NULL. */
static const char *
hist_expand(const struct ctl *c, const char *line)
{
	char *end;
	long n;

	if (strcmp(line, "!!") == 0)
		n = c->hist_base + c->nhist - 1;
	else {
		n = strtol(line + 1, &end, 10);
		if (end == line + 1 || *end != '\0')
			n = -1;
	}
	if (n < c->hist_base || n >= c->hist_base + c->nhist) {
		fprintf(stderr, "tandemctl: %s: no such history line\n", line);
		return NULL;
	}
	return c->hist[n - c->hist_base];
}

static void
interactive_help(void)
{
	printf("  METHOD [ARG...]   call a method (s:TEXT sends a string, "
	    "i:N an integer)\n"
	    "  ls                list the methods (system.listMethods)\n"
	    "  help METHOD       the method's help (system.methodHelp)\n"
	    "  history           the lines typed so far\n"
	    "  !N, !!            run line N, or the last line, again\n"
	    "  help              this text\n"
	    "  quit, exit        leave (so does the end of the input)\n"
	    "Words are split at blanks; quote them (\"a b\" or 'a b') "
	    "to keep blanks.\n");
	fflush(stdout);
}

/* Runs one line.  The exit status of what it ran, or QUIT. */
static int
run_line(struct ctl *c, char *line, int tty, int last)
{
	char *argv[ARGS_MAX], buf[LINE_MAX_LEN];
	const char *src = line;
	int n;

	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '!') {
		if ((src = hist_expand(c, line)) == NULL)
			return EXIT_TROUBLE;
		if (tty)
			printf("%s\n", src);
	}
	snprintf(buf, sizeof(buf), "%s", src);
	if ((n = split_words(buf, argv, ARGS_MAX)) <= 0)
		return n == 0 ? last : EXIT_TROUBLE;
	hist_add(c, src);
	if (strcmp(argv[0], "quit") == 0 || strcmp(argv[0], "exit") == 0)
		return QUIT;
	if (strcmp(argv[0], "help") == 0 && n == 1) {
		interactive_help();
		return EXIT_SUCCESS;
	}
	if (strcmp(argv[0], "help") == 0)
		return call(c, "system.methodHelp", n - 1, argv + 1);
	if (strcmp(argv[0], "ls") == 0 && n == 1)
		return call(c, "system.listMethods", 0, NULL);
	if (strcmp(argv[0], "history") == 0 && n == 1) {
		for (int i = 0; i < c->nhist; i++)
			printf("%5d  %s\n", c->hist_base + i, c->hist[i]);
		fflush(stdout);
		return EXIT_SUCCESS;
	}
	return call(c, argv[0], n - 1, argv + 1);
}

static int
interactive(struct ctl *c)
{
	char line[LINE_MAX_LEN];
	int tty = isatty(STDIN_FILENO), status = EXIT_SUCCESS, rc;

	c->hist = calloc(HIST_MAX, sizeof(char *));
	if (c->hist == NULL) {
		fprintf(stderr, "tandemctl: out of memory\n");
		return EXIT_TROUBLE;
	}
	c->hist_base = 1;
	if (tty)
		printf("tandemctl %s on %s; \"help\" lists the commands\n",
		    PACKAGE_VERSION, c->socket);
	for (;;) {
		if (tty) {
			fputs("tandemctl> ", stdout);
			fflush(stdout);
		}
		if (fgets(line, sizeof(line), stdin) == NULL)
			break;
		if (strchr(line, '\n') == NULL && !feof(stdin)) {
			int ch;

			while ((ch = getchar()) != EOF && ch != '\n')
				;
			fprintf(stderr, "tandemctl: line longer than %d bytes "
			    "ignored\n", LINE_MAX_LEN - 2);
			status = EXIT_TROUBLE;
			continue;
		}
		if ((rc = run_line(c, line, tty, status)) == QUIT)
			break;
		status = rc;
	}
	if (tty && feof(stdin))
		putchar('\n');
	for (int i = 0; i < c->nhist; i++)
		free(c->hist[i]);
	free(c->hist);
	return status;
}

/* --- main ------------------------------------------------------------------------------ */

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl c = { .socket = CTL_DEFAULT_SOCKET, .timeout_ms = 30000 };
	char err[256], *end;
	long secs;
	int opt, status;

	/* '+': options end at METHOD, so that "-3" can be an argument */
	while ((opt = getopt_long(argc, argv, "+s:t:jhV", longopts, NULL)) !=
	    -1) {
		switch (opt) {
		case 's':
			c.socket = optarg;
			break;
		case 't':
			secs = strtol(optarg, &end, 10);
			if (end == optarg || *end != '\0' || secs < 1 ||
			    secs > 86400) {
				fprintf(stderr, "tandemctl: -t %s: give 1 to "
				    "86400 seconds\n", optarg);
				return EXIT_TROUBLE;
			}
			c.timeout_ms = (int)secs * 1000;
			break;
		case 'j':
			c.json = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("tandemctl %s\n", PACKAGE_VERSION);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_TROUBLE;
		}
	}
	if (ctl_addr_parse(c.socket, &c.addr, err, sizeof(err)) == -1) {
		fprintf(stderr, "tandemctl: -s %s: %s\n", c.socket, err);
		return EXIT_TROUBLE;
	}
	if (binrpc_enc_init(&c.enc, 0) != BINRPC_OK) {
		fprintf(stderr, "tandemctl: out of memory\n");
		return EXIT_TROUBLE;
	}
	if (optind < argc)
		status = call(&c, argv[optind], argc - optind - 1,
		    argv + optind + 1);
	else
		status = interactive(&c);
	binrpc_enc_free(&c.enc);
	return status;
}
