/*
 * tm_final.c - the callbacks other modules register for a server
 * transaction's final reply (acc accounts transactions with them).
 */
#include "config.h"

#include <string.h>

#include "core/log.h"
#include "tm_cell.h"

#define TM_FINAL_MAX 8

/* written in init, before fork: read-only in the children */
static tm_final_cb final_cbs[TM_FINAL_MAX];
static int final_n;

int
tm_final_register(tm_final_cb cb)
{
	if (cb == NULL || final_n == TM_FINAL_MAX) {
		log_errx("tm: no room for another final-reply callback");
		return -1;
	}
	final_cbs[final_n++] = cb;
	return 0;
}

/* The reason phrase of the status line of buf. */
static str_t
status_reason(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *eol;

	eol = memchr(p, '\n', len);
	if (eol == NULL)
		eol = end;
	if (eol > p && eol[-1] == '\r')
		eol--;
	/* "SIP/2.0 404 Not Here" */
	for (int sp = 0; p < eol && sp < 2; p++)
		if (*p == ' ')
			sp++;
	return p < eol ? str_make(p, (size_t)(eol - p)) : STR_NULL;
}

void
tm_final_run(struct tm_cell *c, const char *buf, size_t len, int code)
{
	struct tm_rpl r;
	struct msg req;
	const char *err;
	str_t reason, to_tag = STR_NULL, text = str_make(buf, len);

	if (final_n == 0 || code < 200 || (c->flags & TM_F_FINAL_CB) ||
	    (c->flags & TM_F_LOCAL) || c->req == NULL)
		return;
	c->flags |= TM_F_FINAL_CB;
	reason = status_reason(buf, len);
	if (tm_rpl_scan(&text, &r, &err) == 0)
		to_tag = r.to_tag;
	msg_init(&req, c->req, c->req_len, &c->rcv);
	req.flags = c->msg_flags;
	for (int i = 0; i < final_n; i++)
		final_cbs[i](&req, code, &reason, &to_tag);
	msg_destroy(&req);
}
