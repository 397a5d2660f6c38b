/*
 * pv_ctx.c - the module's per-message context (the message's AVPs and
 * the time taken once for it), and two helpers the classes share.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/xalloc.h"
#include "pv_mod.h"
#include "pv_trans.h"

/* The message slot; set in init before fork, read-only afterwards. */
static int pv_ctx_slot = -1;

static void
pv_ctx_release(void *data)
{
	struct pv_msgctx *c = data;

	pv_avp_release(c->avps);
	free(c);
}

int
pv_ctx_init(void)
{
	if (pv_ctx_slot >= 0)
		return 0;
	pv_ctx_slot = msg_ext_register(pv_ctx_release);
	if (pv_ctx_slot < 0) {
		log_errx("pv: no per-message slot left for the AVPs");
		return -1;
	}
	return 0;
}

struct pv_msgctx *
pv_ctx_peek(struct msg *m)
{
	if (m == NULL || pv_ctx_slot < 0)
		return NULL;
	return m->ext[pv_ctx_slot];
}

struct pv_msgctx *
pv_ctx(struct msg *m)
{
	struct pv_msgctx *c;

	if (m == NULL)
		return NULL;
	if (pv_ctx_slot < 0) {
		log_errx("pv: per-message data used before the module's init");
		return NULL;
	}
	c = m->ext[pv_ctx_slot];
	if (c == NULL) {
		c = xcalloc(1, sizeof(*c));
		m->ext[pv_ctx_slot] = c;
	}
	return c;
}

int
pv_val_dup(struct arena *a, const struct val *in, struct val *out)
{
	*out = *in;
	if (!(in->flags & VAL_STR))
		return 0;
	return arena_str_dup(a, &in->s, &out->s);
}

int
pv_nameval_parse(const str_t *in, str_t *name, struct val *v,
    struct cfg_diag *d, const char *param)
{
	char *eq = str_chr(in, '=');
	str_t rest;
	long long n;

	if (eq == NULL)
		goto bad;
	*name = str_make(in->s, (size_t)(eq - in->s));
	pvt_trim(name, 1, 1);
	rest = str_make(eq + 1, in->len - (size_t)(eq - in->s) - 1);
	pvt_trim(&rest, 1, 0);
	if (name->len == 0 || rest.len < 2 || rest.s[1] != ':')
		goto bad;
	if (rest.s[0] == 's' || rest.s[0] == 'S') {
		val_set_str(v, str_make(rest.s + 2, rest.len - 2));
		return 0;
	}
	if (rest.s[0] == 'i' || rest.s[0] == 'I') {
		rest = str_make(rest.s + 2, rest.len - 2);
		pvt_trim(&rest, 1, 1);
		if (pvt_int(rest, &n) != 0) {
			diag_error(d, "%s: '%.*s' is not an integer", param,
			    STR_FMT(&rest));
			return -1;
		}
		val_set_int(v, n);
		return 0;
	}
bad:
	diag_error(d, "%s: expected \"name=i:number\" or \"name=s:text\", "
	    "got \"%.*s\"", param, STR_FMT(in));
	return -1;
}
