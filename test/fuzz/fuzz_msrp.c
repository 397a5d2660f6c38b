/*
 * fuzz_msrp.c - libFuzzer target for the MSRP frame and URI parser
 * (modules/msrp/msrp_parse.c).
 *
 * The input is parsed as one frame, as the framer would hand it over,
 * and its first line (up to the first LF, without a CR before it) as an
 * MSRP URI.  Both work on an exactly sized heap copy, so a read past
 * the end is caught under replay.c too, whose buffers are larger.
 * Besides what the sanitizers catch, the target aborts when a result
 * breaks the contract of msrp_parse.h:
 *  - an error without a reason, or a string outside the input;
 *  - an OK frame without its paths, with a header value holding NUL or
 *    CR, a body not ending at the CRLF before the end-line, an end-line
 *    that is not the last line or does not carry the tid;
 *  - a path URI that does not parse again on its own to the same parts;
 *  - a second parse of the same bytes that disagrees with the first.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/msrp/msrp_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_msrp: %s\n", what);
	abort();
}

/* s lies within [b, b + n] (an empty string may sit at the end). */
static void
inside(const str_t *s, const char *b, size_t n, const char *what)
{
	if (s->len == 0)
		return;
	if (s->s == NULL || s->s < b || s->len > n ||
	    (size_t)(s->s - b) > n - s->len)
		fail(what);
}

static void
check_uri(const struct msrp_uri *u, const char *b, size_t n)
{
	const str_t *parts[] = { &u->buf, &u->scheme, &u->userinfo, &u->user,
	    &u->host, &u->port, &u->session, &u->transport, &u->params };

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		inside(parts[i], b, n, "URI part outside the input");
	if (u->scheme.len != 4 + (size_t)u->secure || u->host.len == 0 ||
	    u->transport.len == 0 || u->user.len > u->userinfo.len)
		fail("URI without its parts");
	if ((u->port.len == 0) != (u->port_no == 0) || u->port_no < 0 ||
	    u->port_no > 65535)
		fail("bad URI port");
}

static int
same(const str_t *a, const str_t *b)
{
	return a->len == b->len && (a->len == 0 || a->s == b->s);
}

/* A path URI parses again on its own, to the same parts (compared by
 * field: the structs' padding is not theirs to agree on). */
static void
reparse_uri(const struct msrp_uri *u, const char *b, size_t n)
{
	struct msrp_uri v;
	const char *err = NULL;

	check_uri(u, b, n);
	if (msrp_uri_parse(&u->buf, &v, &err) != 0)
		fail("a path URI does not parse alone");
	if (!same(&u->buf, &v.buf) || !same(&u->scheme, &v.scheme) ||
	    !same(&u->userinfo, &v.userinfo) || !same(&u->user, &v.user) ||
	    !same(&u->host, &v.host) || !same(&u->port, &v.port) ||
	    !same(&u->session, &v.session) ||
	    !same(&u->transport, &v.transport) ||
	    !same(&u->params, &v.params) || u->port_no != v.port_no ||
	    u->secure != v.secure)
		fail("a path URI parses alone to other parts");
}

static void
check_ok(const struct msrp_frame *f, const char *b, size_t n)
{
	const char *el = f->end_line.s;

	if (f->nto < 1 || f->nfrom < 1 || f->h_to_path < 0 ||
	    f->h_from_path < 0 || f->nto > MSRP_MAX_PATH ||
	    f->nfrom > MSRP_MAX_PATH || f->nhdrs > MSRP_MAX_HDRS)
		fail("OK frame without its paths");
	if (el + f->end_line.len + 2 != b + n || el[-1] != '\n' ||
	    f->end_line.len != f->tid.len + 8 ||
	    memcmp(el + 7, f->tid.s, f->tid.len) != 0 ||
	    el[f->end_line.len - 1] != f->flag)
		fail("end-line is not the last line");
	if (f->has_body && f->body.s + f->body.len + 2 != el &&
	    !(f->body.len == 0 && f->body.s == el))
		fail("body does not end before the end-line");
	for (int i = 0; i < f->nhdrs; i++) {
		const struct msrp_hdr *h = &f->hdrs[i];

		if (h->name.len == 0 ||
		    memchr(h->value.s, '\0', h->value.len) != NULL ||
		    memchr(h->value.s, '\r', h->value.len) != NULL)
			fail("bad header in an OK frame");
	}
	for (int i = 0; i < f->nto; i++)
		reparse_uri(&f->to[i], b, n);
	for (int i = 0; i < f->nfrom; i++)
		reparse_uri(&f->from[i], b, n);
}

static void
check_frame(const struct msrp_frame *f, enum msrp_parse_rc rc,
    const char *err, const char *b, size_t n)
{
	const str_t *parts[] = { &f->buf, &f->first_line, &f->tid, &f->method,
	    &f->reason, &f->hdr_block, &f->body, &f->end_line };

	if (rc != MSRP_PARSE_OK && (err == NULL || *err == '\0'))
		fail("error without a reason");
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		inside(parts[i], b, n, "frame part outside the input");
	for (int i = 0; i < f->nhdrs && i < MSRP_MAX_HDRS; i++) {
		inside(&f->hdrs[i].name, b, n, "header outside the input");
		inside(&f->hdrs[i].value, b, n, "header outside the input");
		inside(&f->hdrs[i].line, b, n, "header outside the input");
	}
	if (rc == MSRP_PARSE_FATAL)
		return;
	if (f->tid.len < 4 || f->tid.len > 32 ||
	    (f->is_reply ? f->code < 100 || f->code > 999 : f->method.len == 0))
		fail("BAD or OK frame without tid and method or status");
	for (int i = 0; i < f->nto && i < MSRP_MAX_PATH; i++)
		check_uri(&f->to[i], b, n);
	for (int i = 0; i < f->nfrom && i < MSRP_MAX_PATH; i++)
		check_uri(&f->from[i], b, n);
	if (rc == MSRP_PARSE_OK)
		check_ok(f, b, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct msrp_frame f, g;
	const char *err = NULL, *err2 = NULL, *nl;
	enum msrp_parse_rc rc;
	struct msrp_uri u;
	char *b = malloc(size ? size : 1), *nb;
	str_t line;

	if (b == NULL)
		return 0;
	memcpy(b, data, size);
	rc = msrp_frame_parse(b, size, &f, &err);
	check_frame(&f, rc, err, b, size);
	if (msrp_frame_parse(b, size, &g, &err2) != rc || err != err2 ||
	    f.nhdrs != g.nhdrs || f.nto != g.nto || f.nfrom != g.nfrom)
		fail("two parses disagree");

	/* the first line as a URI, in a buffer of its own size */
	nl = memchr(b, '\n', size);
	line = str_make(b, nl ? (size_t)(nl - b) : size);
	if (line.len > 0 && line.s[line.len - 1] == '\r')
		line.len--;
	memmove(b, line.s, line.len);
	if ((nb = realloc(b, line.len ? line.len : 1)) == NULL) {
		free(b);
		return 0;
	}
	line.s = b = nb;
	err = NULL;
	if (msrp_uri_parse(&line, &u, &err) == 0)
		check_uri(&u, b, line.len);
	else if (err == NULL || *err == '\0')
		fail("URI error without a reason");
	free(b);
	return 0;
}
