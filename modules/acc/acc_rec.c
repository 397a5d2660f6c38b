/*
 * acc_rec.c - accounting records (see acc_rec.h): the extra fields'
 * syntax, the comment's code and reason, the record of a request and
 * which records a transaction's end makes.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "core/fmt.h"
#include "core/pv.h"
#include "core/sip.h"
#include "core/val.h"
#include "acc_rec.h"

/* --- extras: "name=$pv;name2=$pv2" --------------------------------------- */

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
skip_blanks(const char **p, const char *end)
{
	while (*p < end && is_blank(**p))
		(*p)++;
}

int
acc_sql_name_ok(const char *name, size_t len)
{
	if (name == NULL || len == 0 || len >= ACC_NAME_MAX ||
	    !(isalpha((unsigned char)name[0]) || name[0] == '_'))
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		/* bytes >= 0x80 are refused whatever the locale says */
		if (c >= 0x80 || !(isalnum(c) || c == '_'))
			return 0;
	}
	return 1;
}

void
acc_extras_free(struct acc_extras *x)
{
	for (int i = 0; i < x->n; i++) {
		fmt_free(x->x[i].fmt);
		x->x[i].fmt = NULL;
	}
	x->n = 0;
}

/* Checks and stores the name [s, s + len) of entry i.  0 or -1. */
static int
extra_name(const char *what, const char *s, size_t len, int sql_names,
    struct acc_extras *out, struct cfg_diag *d, struct cfg_pos pos)
{
	struct acc_extra *e = &out->x[out->n];

	if (len == 0) {
		diag_error_at(d, pos, "acc: %s: an entry has no name (write "
		    "name=$pv)", what);
		return -1;
	}
	if (len >= ACC_NAME_MAX) {
		diag_error_at(d, pos, "acc: %s: the name '%.*s' is longer than "
		    "%d bytes", what, (int)len, s, ACC_NAME_MAX - 1);
		return -1;
	}
	if (sql_names && !acc_sql_name_ok(s, len)) {
		diag_error_at(d, pos, "acc: %s: '%.*s' is not a column name "
		    "(letters, digits and '_', not starting with a digit)",
		    what, (int)len, s);
		return -1;
	}
	if (sql_names)
		for (int i = 0; i < out->n; i++)
			if (strlen(out->x[i].name) == len &&
			    memcmp(out->x[i].name, s, len) == 0) {
				diag_error_at(d, pos, "acc: %s: the column '%.*s' "
				    "is named twice", what, (int)len, s);
				return -1;
			}
	memcpy(e->name, s, len);
	e->name[len] = '\0';
	return 0;
}

int
acc_extras_parse(const char *what, const str_t *spec, int sql_names,
    struct acc_extras *out, struct cfg_diag *d, struct cfg_pos pos)
{
	const char *p = spec->s, *end = spec->s + spec->len;

	out->n = 0;
	skip_blanks(&p, end);
	if (p == end)
		return 0;               /* an empty spec: no extras */
	for (;;) {
		const char *name = p, *name_end, *val;
		size_t span;

		if (out->n == ACC_EXTRA_MAX) {
			diag_error_at(d, pos, "acc: %s: more than %d entries",
			    what, ACC_EXTRA_MAX);
			goto fail;
		}
		if (*p == ';') {
			diag_error_at(d, pos, "acc: %s has an empty entry "
			    "(';;')", what);
			goto fail;
		}
		while (p < end && *p != '=' && *p != ';')
			p++;
		if (p == end || *p != '=') {
			diag_error_at(d, pos, "acc: %s: '%.*s' has no '=' (write "
			    "name=$pv)", what, (int)(p - name), name);
			goto fail;
		}
		name_end = p;
		while (name_end > name && is_blank(name_end[-1]))
			name_end--;
		if (extra_name(what, name, (size_t)(name_end - name), sql_names,
		    out, d, pos) != 0)
			goto fail;
		p++;                    /* '=' */
		skip_blanks(&p, end);
		val = p;
		span = p < end && *p == '$' ?
		    pv_ref_span(p, (size_t)(end - p)) : 0;
		if (span == 0) {
			const char *ve = p;

			while (ve < end && *ve != ';')
				ve++;
			diag_error_at(d, pos, "acc: %s: the value of '%s' must be "
			    "one pseudo-variable such as $hdr(User-Agent), not "
			    "'%.*s'", what, out->x[out->n].name, (int)(ve - val),
			    val);
			goto fail;
		}
		if (fmt_compile(val, span, &out->x[out->n].fmt, d, pos) != 0) {
			diag_note_at(d, pos, "acc: in the value of '%s' of %s",
			    out->x[out->n].name, what);
			goto fail;
		}
		if (fmt_single_pv(out->x[out->n].fmt) == NULL) {
			/* "$$": literal text after all */
			fmt_free(out->x[out->n].fmt);
			out->x[out->n].fmt = NULL;
			diag_error_at(d, pos, "acc: %s: the value of '%s' must be "
			    "one pseudo-variable, not '%.*s'", what,
			    out->x[out->n].name, (int)span, val);
			goto fail;
		}
		out->n++;
		p += span;
		skip_blanks(&p, end);
		if (p == end)
			return 0;
		if (*p != ';') {
			const char *te = p;

			while (te < end && *te != ';')
				te++;
			diag_error_at(d, pos, "acc: %s: '%.*s' after the value of "
			    "'%s': one pseudo-variable per entry, entries "
			    "separated by ';'", what, (int)(te - p), p,
			    out->x[out->n - 1].name);
			goto fail;
		}
		p++;
		skip_blanks(&p, end);
		if (p == end) {
			/* Kamailio 5.6 refuses it too */
			diag_error_at(d, pos, "acc: %s ends with ';'", what);
			goto fail;
		}
	}

fail:
	acc_extras_free(out);
	return -1;
}

/* --- the comment ---------------------------------------------------------- */

void
acc_comment_split(const str_t *comment, str_t *code, str_t *reason)
{
	const char *s = comment->s;
	size_t n = comment->len, i = 3;

	if (n >= 3 && isdigit((unsigned char)s[0]) &&
	    isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2])) {
		*code = str_make(s, 3);
		while (i < n && is_blank(s[i]))
			i++;
		*reason = str_make(s + i, n - i);
		return;
	}
	*code = STR_LIT("");
	*reason = n ? *comment : STR_LIT("");
}

/* --- the record ------------------------------------------------------------- */

static str_t
or_empty(int rc, str_t s)
{
	return rc == 0 && s.s != NULL ? s : STR_LIT("");
}

int
acc_rec_build(struct msg *m, const str_t *code, const str_t *reason,
    const str_t *to_tag, time_t ts, struct acc_rec *r)
{
	str_t s;
	int rc;

	if ((m->kind != MSG_SIP_REQUEST && m->kind != MSG_MSRP) ||
	    sip_parse(m) != 0 || sip_method(m, &r->core[ACC_METHOD]) != 0)
		return -1;
	r->ts = ts;
	rc = sip_from_tag(m, &s);
	r->core[ACC_FROM_TAG] = or_empty(rc, s);
	if (to_tag != NULL) {
		r->core[ACC_TO_TAG] = or_empty(0, *to_tag);
	} else {
		rc = sip_to_tag(m, &s);
		r->core[ACC_TO_TAG] = or_empty(rc, s);
	}
	rc = sip_call_id(m, &s);
	r->core[ACC_CALLID] = or_empty(rc, s);
	r->core[ACC_CODE] = code ? or_empty(0, *code) : STR_LIT("");
	r->core[ACC_REASON] = reason ? or_empty(0, *reason) : STR_LIT("");
	r->nextra = 0;
	return 0;
}

void
acc_rec_extras(struct msg *m, const struct acc_extras *x, struct acc_rec *r)
{
	str_t s;

	r->nextra = x ? x->n : 0;
	for (int i = 0; i < r->nextra; i++) {
		struct val v;

		r->extra[i] = STR_LIT("");
		r->extra_null[i] = 1;
		/* an unset PV is an empty field (Kamailio), not "<null>" */
		if (pv_get(m, fmt_single_pv(x->x[i].fmt), &v) != 0 ||
		    val_is_null(&v) || val_to_str(&m->arena, &v, &s) != 0)
			continue;
		r->extra[i] = or_empty(0, s);
		r->extra_null[i] = 0;
	}
}

/* --- a transaction's end ---------------------------------------------------- */

static int
has_flag(int flag, unsigned msg_flags)
{
	return flag >= 0 && flag <= 31 && (msg_flags & (1u << flag)) != 0;
}

unsigned
acc_trans_what(const struct acc_flags *f, unsigned msg_flags, int is_invite,
    int code)
{
	unsigned what = 0;
	int answered;

	if (code < 200)
		return 0;
	/* a failure counts as answered only with failed_transaction_flag */
	answered = code < 300 || has_flag(f->failed, msg_flags);
	if (answered && has_flag(f->log, msg_flags))
		what |= ACC_T_LOG;
	if (answered && has_flag(f->db, msg_flags))
		what |= ACC_T_DB;
	if (code >= 300 && is_invite) {
		if (has_flag(f->log_missed, msg_flags))
			what |= ACC_T_LOG_MISSED;
		if (has_flag(f->db_missed, msg_flags))
			what |= ACC_T_DB_MISSED;
	}
	return what;
}
