/*
 * tm_info.c - what a script asks about its transaction: t_check_status(),
 * t_is_canceled(), and the tm_api info()/precheck() that tmx builds its
 * functions and pseudo-variables on.
 */
#include "config.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arg.h"
#include "core/log.h"
#include "tm_cell.h"

/* The cell of reply m, by the branch of its top Via (a reference
 * taken), or NULL. */
static struct tm_cell *
tm_cell_of_reply(struct msg *m)
{
	struct tm_cell *c;
	struct tm_rpl r;
	const char *err;
	uint32_t slot;
	uint64_t bid;

	if (tm_rpl_scan(&m->buf, &r, &err) < 0 ||
	    tm_branch_parse(&r.branch, &slot, &bid) < 0 ||
	    slot >= tm_tab->size)
		return NULL;
	tm_lock(slot);
	if ((c = tm_find_id(slot, bid >> 4)) != NULL)
		c->refcnt++;
	tm_unlock(slot);
	return c;
}

int
tm_api_info(struct msg *m, struct tm_info *out)
{
	struct tm_mstate *st;
	struct tm_cell *c;
	int ref = 0, code;

	memset(out, 0, sizeof(*out));
	if (m->kind == MSG_SIP_REPLY) {
		if ((c = tm_cell_of_reply(m)) == NULL)
			return -1;
		ref = 1;
	} else if ((st = tm_mstate(m, 0)) == NULL || (c = st->cell) == NULL) {
		return -1;
	}
	tm_lock(c->slot);
	out->branch_idx = c->bno;
	if (m->route_type == RT_BRANCH && (c->flags & TM_F_BRANCH))
		out->branch_idx = (c->bno + 1) & 15;
	out->status = c->status >= 200 ? c->status : 0;
	out->reply_code = c->uac_code;
	out->canceled = (c->flags & TM_F_CANCELED) != 0;
	if (ref)
		c->refcnt--;
	tm_unlock(c->slot);
	/* in onreply_route: the reply being routed, not yet recorded */
	if (m->kind == MSG_SIP_REPLY && sip_status(m, &code) == 0)
		out->reply_code = code;
	return 1;
}

int
tm_api_precheck(struct msg *m)
{
	struct tm_mstate *st = tm_mstate(m, 1);

	return st == NULL ? -1 : tm_precheck(m, st);
}

/* t_check_status()'s pattern, compiled at load: a bad one is a config
 * error at its line. */
int
tm_fix_status_re(void **arg, struct cfg_diag *d)
{
	const struct arg *a = *arg;
	regex_t *re;
	char msg[160];
	int err;

	if ((re = malloc(sizeof(*re))) == NULL) {
		diag_error(d, "t_check_status(): out of memory");
		return -1;
	}
	if ((err = regcomp(re, a->text.s, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(err, re, msg, sizeof(msg));
		diag_error(d, "t_check_status(): bad regular expression "
		    "\"%s\": %s", a->text.s, msg);
		free(re);
		return -1;
	}
	*arg = re;
	return 0;
}

void
tm_free_status_re(void *p)
{
	if (p != NULL) {
		regfree(p);
		free(p);
	}
}

/*
 * t_check_status(re): in onreply_route the reply's status, elsewhere the
 * transaction's (the final status sent, else the branch's last reply:
 * what failure_route is about).
 */
int
tm_w_check_status(struct msg *m, void *const *args)
{
	const regex_t *re = args[0];
	struct tm_info in;
	char code[8];
	int st = 0;

	if (m->kind == MSG_SIP_REPLY) {
		if (sip_status(m, &st) != 0)
			return -1;
	} else if (tm_api_info(m, &in) == 1) {
		st = in.status ? in.status : in.reply_code;
	}
	if (st == 0)
		return -1;
	snprintf(code, sizeof(code), "%d", st);
	return regexec(re, code, 0, NULL, 0) == 0 ? 1 : -1;
}

/* t_is_canceled(): a CANCEL came for the transaction. */
int
tm_w_is_canceled(struct msg *m, void *const *args)
{
	struct tm_info in;

	(void)args;
	return tm_api_info(m, &in) == 1 && in.canceled ? 1 : -1;
}
