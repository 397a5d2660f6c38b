/*
 * The core's own pseudo-variables: the received message (addresses,
 * first line, common headers, body) and process facts ($pp, $rc).
 * Message-dependent classes give null, not an error, when there is no
 * SIP message to look at (startup event routes, MSRP without sipmsg).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fmt.h"
#include "log.h"
#include "msg.h"
#include "pv.h"
#include "sip.h"
#include "xalloc.h"

/* 1 when m has a SIP view to read (parsing it now if needed). */
static int
pvc_sip(struct msg *m)
{
	return m != NULL && m->kind != MSG_NONE && sip_parse(m) == 0;
}

static int
pvc_is_request(struct msg *m)
{
	return pvc_sip(m) && m->kind == MSG_SIP_REQUEST;
}

/* Sets *out to s when rc is 0, else null; a get never fails on absence. */
static int
pvc_str(int rc, str_t s, struct val *out)
{
	if (rc == 0)
		val_set_str(out, s);
	else
		val_set_null(out);
	return 0;
}

/* A number taken from message text keeps both its text and its value. */
static int
pvc_numstr(int rc, str_t s, struct val *out)
{
	long long n;

	pvc_str(rc, s, out);
	if (rc == 0 && str_to_ll(&s, &n) == 0) {
		out->flags |= VAL_INT;
		out->n = n;
	}
	return 0;
}

/* --- process and script state ------------------------------------------ */

static int
pvc_null(struct msg *m, void *c, struct val *out)
{
	val_set_null(out);
	return 0;
}

static int
pvc_pp(struct msg *m, void *c, struct val *out)
{
	val_set_int(out, (long long)getpid());
	return 0;
}

static int
pvc_random(struct msg *m, void *c, struct val *out)
{
	val_set_int(out, (long long)random());
	return 0;
}

static int
pvc_rc(struct msg *m, void *c, struct val *out)
{
	if (m == NULL)
		val_set_null(out);
	else
		val_set_int(out, m->last_rc);
	return 0;
}

/* --- where the message came from ---------------------------------------- */

/* Address text of ss in m's arena (IPv6 without brackets, as Kamailio). */
static int
pvc_addr(struct msg *m, const struct sockaddr_storage *ss, struct val *out)
{
	char buf[INET6_ADDRSTRLEN];
	const void *a;
	str_t s;

	val_set_null(out);
	if (m == NULL)
		return 0;
	if (ss->ss_family == AF_INET)
		a = &((const struct sockaddr_in *)ss)->sin_addr;
	else if (ss->ss_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	else
		return 0;
	if (inet_ntop(ss->ss_family, a, buf, sizeof(buf)) == NULL)
		return 0;
	s = str_cstr(buf);
	if (arena_str_dup(&m->arena, &s, &s) != 0)
		return -1;
	val_set_str(out, s);
	return 0;
}

static int
pvc_port(const struct msg *m, const struct sockaddr_storage *ss,
    struct val *out)
{
	val_set_null(out);
	if (m == NULL)
		return 0;
	if (ss->ss_family == AF_INET)
		val_set_int(out,
		    ntohs(((const struct sockaddr_in *)ss)->sin_port));
	else if (ss->ss_family == AF_INET6)
		val_set_int(out,
		    ntohs(((const struct sockaddr_in6 *)ss)->sin6_port));
	return 0;
}

static int
pvc_si(struct msg *m, void *c, struct val *out)
{
	return pvc_addr(m, m ? &m->rcv.src : NULL, out);
}

static int
pvc_sp(struct msg *m, void *c, struct val *out)
{
	return pvc_port(m, m ? &m->rcv.src : NULL, out);
}

static int
pvc_ri(struct msg *m, void *c, struct val *out)
{
	return pvc_addr(m, m ? &m->rcv.dst : NULL, out);
}

static int
pvc_rp_local(struct msg *m, void *c, struct val *out)
{
	return pvc_port(m, m ? &m->rcv.dst : NULL, out);
}

static int
pvc_proto(struct msg *m, void *c, struct val *out)
{
	if (m == NULL || m->rcv.proto == PROTO_NONE)
		val_set_null(out);
	else
		val_set_str(out, str_cstr(proto_name(m->rcv.proto)));
	return 0;
}

static int
pvc_af(struct msg *m, void *c, struct val *out)
{
	val_set_null(out);
	if (m != NULL && m->rcv.src.ss_family == AF_INET)
		val_set_str(out, STR_LIT("INET"));
	else if (m != NULL && m->rcv.src.ss_family == AF_INET6)
		val_set_str(out, STR_LIT("INET6"));
	return 0;
}

static int
pvc_conid(struct msg *m, void *c, struct val *out)
{
	if (m == NULL || m->rcv.proto == PROTO_UDP || m->rcv.conn_id == 0)
		val_set_null(out);
	else
		val_set_int(out, (long long)m->rcv.conn_id);
	return 0;
}

/* --- first line and common headers -------------------------------------- */

static int
pvc_ci(struct msg *m, void *c, struct val *out)
{
	str_t s = STR_NULL;

	return pvc_str(pvc_sip(m) ? sip_call_id(m, &s) : -1, s, out);
}

static int
pvc_cs(struct msg *m, void *c, struct val *out)
{
	str_t n = STR_NULL;

	return pvc_numstr(pvc_sip(m) ? sip_cseq(m, &n, NULL) : -1, n, out);
}

static int
pvc_rm(struct msg *m, void *c, struct val *out)
{
	str_t s = STR_NULL;
	int rc = -1;

	/* a reply has no method of its own: Kamailio gives the CSeq's */
	if (pvc_sip(m))
		rc = m->kind == MSG_SIP_REQUEST ? sip_method(m, &s)
		    : sip_cseq(m, NULL, &s);
	return pvc_str(rc, s, out);
}

static int
pvc_ru(struct msg *m, void *c, struct val *out)
{
	str_t s = STR_NULL;

	return pvc_str(pvc_is_request(m) ? msg_get_ruri(m, &s) : -1, s, out);
}

/* $ru = "..." sets the new Request-URI; $ru = $null reverts to the
 * received one (Kamailio's revert_uri()). */
static int
pvc_ru_set(struct msg *m, void *c, const struct val *in)
{
	str_t s = STR_NULL;

	(void)c;
	if (!pvc_is_request(m)) {
		log_errx("$ru can only be set on a request");
		return -1;
	}
	if (!val_is_null(in) && val_to_str(&m->arena, in, &s) < 0)
		return -1;
	if (s.len && sip_uri_host(m, &s, &(str_t){ 0 }) != 0) {
		log_errx("$ru: '%.*s' is not a SIP URI", STR_FMT(&s));
		return -1;
	}
	return msg_set_ruri(m, &s);
}

static int
pvc_du(struct msg *m, void *c, struct val *out)
{
	str_t s = STR_NULL;

	(void)c;
	return pvc_str(msg_get_duri(m, &s) == 1 ? 0 : -1, s, out);
}

static int
pvc_du_set(struct msg *m, void *c, const struct val *in)
{
	str_t s = STR_NULL;

	(void)c;
	if (!pvc_is_request(m)) {
		log_errx("$du can only be set on a request");
		return -1;
	}
	if (!val_is_null(in) && val_to_str(&m->arena, in, &s) < 0)
		return -1;
	if (s.len && sip_uri_host(m, &s, &(str_t){ 0 }) != 0) {
		log_errx("$du: '%.*s' is not a SIP URI", STR_FMT(&s));
		return -1;
	}
	return msg_set_duri(m, &s);
}

static int
pvc_ruri_part_set(struct msg *m, void *c, int which, const struct val *in)
{
	str_t v = STR_NULL;

	(void)c;
	if (!val_is_null(in) && val_to_str(&m->arena, in, &v) < 0)
		return -1;
	return msg_set_ruri_part(m, which, &v);
}

static int
pvc_rU_set(struct msg *m, void *c, const struct val *in)
{
	return pvc_ruri_part_set(m, c, 'U', in);
}

static int
pvc_rd_set(struct msg *m, void *c, const struct val *in)
{
	return pvc_ruri_part_set(m, c, 'd', in);
}

static int
pvc_rp_set(struct msg *m, void *c, const struct val *in)
{
	return pvc_ruri_part_set(m, c, 'p', in);
}

static int
pvc_ruri_part(struct msg *m, int which, struct val *out)
{
	str_t u, s = STR_NULL;
	int rc = -1;

	if (!pvc_is_request(m) || msg_get_ruri(m, &u) != 0)
		return pvc_str(-1, s, out);
	if (which == 'U') {
		rc = sip_uri_user(m, &u, &s);
	} else if (which == 'd') {
		rc = sip_uri_host(m, &u, &s);
	} else {
		rc = sip_uri_port(m, &u, &s);
		/* like Kamailio, a URI without a port is on the default one */
		if (rc != 0 && sip_uri_host(m, &u, &s) == 0) {
			s = (u.len >= 5 && strncasecmp(u.s, "sips:", 5) == 0)
			    ? STR_LIT("5061") : STR_LIT("5060");
			rc = 0;
		}
		return pvc_numstr(rc, s, out);
	}
	return pvc_str(rc, s, out);
}

static int
pvc_rU(struct msg *m, void *c, struct val *out)
{
	return pvc_ruri_part(m, 'U', out);
}

static int
pvc_rd(struct msg *m, void *c, struct val *out)
{
	return pvc_ruri_part(m, 'd', out);
}

static int
pvc_rp(struct msg *m, void *c, struct val *out)
{
	return pvc_ruri_part(m, 'p', out);
}

/* From (to == 0) or To (to == 1): which is 'u' uri, 'U' user, 'd' host,
 * 't' tag. */
static int
pvc_addr_hdr(struct msg *m, int to, int which, struct val *out)
{
	str_t u, s = STR_NULL;
	int rc;

	if (!pvc_sip(m))
		return pvc_str(-1, s, out);
	if (which == 't') {
		rc = to ? sip_to_tag(m, &s) : sip_from_tag(m, &s);
		return pvc_str(rc, s, out);
	}
	rc = to ? sip_to_uri(m, &u) : sip_from_uri(m, &u);
	if (rc == 0 && which == 'u')
		s = u;
	else if (rc == 0 && which == 'U')
		rc = sip_uri_user(m, &u, &s);
	else if (rc == 0)
		rc = sip_uri_host(m, &u, &s);
	return pvc_str(rc, s, out);
}

#define PVC_ADDR(fn, to, which)                                         \
	static int                                                      \
	fn(struct msg *m, void *c, struct val *out)                     \
	{                                                               \
		return pvc_addr_hdr(m, to, which, out);                 \
	}
PVC_ADDR(pvc_fu, 0, 'u')
PVC_ADDR(pvc_fU, 0, 'U')
PVC_ADDR(pvc_fd, 0, 'd')
PVC_ADDR(pvc_ft, 0, 't')
PVC_ADDR(pvc_tu, 1, 'u')
PVC_ADDR(pvc_tU, 1, 'U')
PVC_ADDR(pvc_td, 1, 'd')
PVC_ADDR(pvc_tt, 1, 't')

static int
pvc_rs(struct msg *m, void *c, struct val *out)
{
	char buf[8];
	str_t s;
	int code;

	val_set_null(out);
	if (!pvc_sip(m) || m->kind != MSG_SIP_REPLY || sip_status(m, &code))
		return 0;
	snprintf(buf, sizeof(buf), "%d", code);
	s = str_cstr(buf);
	if (arena_str_dup(&m->arena, &s, &s) != 0)
		return -1;
	return pvc_numstr(0, s, out);
}

static int
pvc_rr(struct msg *m, void *c, struct val *out)
{
	str_t s = STR_NULL;
	int rc = -1;

	if (pvc_sip(m) && m->kind == MSG_SIP_REPLY)
		rc = sip_reason(m, &s);
	return pvc_str(rc, s, out);
}

static int
pvc_ua(struct msg *m, void *c, struct val *out)
{
	str_t s = STR_NULL;

	return pvc_str(pvc_sip(m) ? sip_user_agent(m, &s) : -1, s, out);
}

static int
pvc_rb(struct msg *m, void *c, struct val *out)
{
	str_t s = STR_NULL;

	return pvc_str(pvc_sip(m) ? sip_body(m, &s) : -1, s, out);
}

static int
pvc_mb(struct msg *m, void *c, struct val *out)
{
	if (m == NULL || m->kind == MSG_NONE)
		val_set_null(out);
	else
		val_set_str(out, m->buf);
	return 0;
}

static int
pvc_ml(struct msg *m, void *c, struct val *out)
{
	if (m == NULL || m->kind == MSG_NONE)
		val_set_null(out);
	else
		val_set_int(out, (long long)m->buf.len);
	return 0;
}

/* --- $hdr(name), $hdrc(name) -------------------------------------------- */

/* The header name: fixed, or a format when it holds a PV ($hdr($var(h))). */
struct pvc_hdr {
	char       *name;
	size_t      len;
	struct fmt *fmt;
};

static void
pvc_hdr_free(void *c)
{
	struct pvc_hdr *h = c;

	if (h == NULL)
		return;
	fmt_free(h->fmt);
	free(h->name);
	free(h);
}

static int
pvc_hdr_parse(const str_t *inner, void **compiled, struct cfg_diag *d)
{
	struct pvc_hdr *h = NULL;
	str_t name = *inner;

	str_trim(&name);
	if (name.len == 0) {
		diag_error(d, "$hdr() needs a header name");
		return -1;
	}
	h = xcalloc(1, sizeof(*h));
	if (h == NULL)
		goto nomem;
	if (str_chr(&name, '$') != NULL) {
		if (fmt_compile(name.s, name.len, &h->fmt, d, d->cur) != 0)
			goto fail;
	} else {
		h->name = xstrndup(name.s, name.len);
		if (h->name == NULL)
			goto nomem;
		h->len = name.len;
	}
	*compiled = h;
	return 0;
nomem:
	diag_error(d, "out of memory compiling $hdr()");
fail:
	pvc_hdr_free(h);
	return -1;
}

static int
pvc_hdr_name(struct msg *m, const struct pvc_hdr *h, str_t *name)
{
	if (h->fmt == NULL) {
		*name = str_make(h->name, h->len);
		return 0;
	}
	if (fmt_render(m, h->fmt, name) != 0)
		return -1;
	str_trim(name);
	return 0;
}

/* Every occurrence joined by ',' ($(hdr(Via)[*])). */
static int
pvc_hdr_all(struct msg *m, const str_t *name, struct val *out)
{
	int n = sip_header_count(m, name);
	size_t total = 0, off = 0;
	str_t v;
	char *buf;

	if (n <= 0)
		return 0;
	for (int i = 0; i < n; i++)
		if (sip_header(m, name, i, &v) == 1)
			total += v.len + 1;
	buf = arena_alloc(&m->arena, total);
	if (buf == NULL)
		return -1;
	for (int i = 0; i < n; i++) {
		if (sip_header(m, name, i, &v) != 1)
			continue;
		if (off)
			buf[off++] = ',';
		memcpy(buf + off, v.s, v.len);
		off += v.len;
	}
	buf[off] = '\0';
	val_set_str(out, str_make(buf, off));
	return 0;
}

static int
pvc_hdr_idx(struct msg *m, void *c, int idx, struct val *out)
{
	str_t name, v;

	val_set_null(out);
	if (!pvc_sip(m))
		return 0;
	if (pvc_hdr_name(m, c, &name) != 0)
		return -1;
	if (idx == PV_IDX_ALL)
		return pvc_hdr_all(m, &name, out);
	if (sip_header(m, &name, idx, &v) == 1)
		val_set_str(out, v);
	return 0;
}

static int
pvc_hdr(struct msg *m, void *c, struct val *out)
{
	return pvc_hdr_idx(m, c, 0, out);
}

static int
pvc_hdrc(struct msg *m, void *c, struct val *out)
{
	str_t name;
	int n;

	val_set_null(out);
	if (!pvc_sip(m))
		return 0;
	if (pvc_hdr_name(m, c, &name) != 0)
		return -1;
	n = sip_header_count(m, &name);
	if (n >= 0)
		val_set_int(out, n);
	return 0;
}

#define PVC_RO(n, fn) { .name = n, .flags = PV_READ, .get = fn }
#define PVC_RW(n, fn, setfn) \
	{ .name = n, .flags = PV_READ | PV_WRITE, .get = fn, .set = setfn }

static const struct pv_export core_pvs[] = {
	PVC_RO("null", pvc_null),
	PVC_RO("pp", pvc_pp),
	PVC_RO("RANDOM", pvc_random),
	PVC_RO("rc", pvc_rc),
	PVC_RO("retcode", pvc_rc),
	PVC_RO("?", pvc_rc),
	PVC_RO("si", pvc_si),
	PVC_RO("sp", pvc_sp),
	PVC_RO("Ri", pvc_ri),
	PVC_RO("Rp", pvc_rp_local),
	PVC_RO("pr", pvc_proto),
	PVC_RO("proto", pvc_proto),
	PVC_RO("af", pvc_af),
	PVC_RO("conid", pvc_conid),
	PVC_RO("ci", pvc_ci),
	PVC_RO("cs", pvc_cs),
	PVC_RO("rm", pvc_rm),
	PVC_RW("ru", pvc_ru, pvc_ru_set),
	PVC_RW("rU", pvc_rU, pvc_rU_set),
	PVC_RW("rd", pvc_rd, pvc_rd_set),
	PVC_RW("rp", pvc_rp, pvc_rp_set),
	PVC_RW("du", pvc_du, pvc_du_set),
	PVC_RO("fu", pvc_fu),
	PVC_RO("fU", pvc_fU),
	PVC_RO("fd", pvc_fd),
	PVC_RO("ft", pvc_ft),
	PVC_RO("tu", pvc_tu),
	PVC_RO("tU", pvc_tU),
	PVC_RO("td", pvc_td),
	PVC_RO("tt", pvc_tt),
	PVC_RO("rs", pvc_rs),
	PVC_RO("rr", pvc_rr),
	PVC_RO("ua", pvc_ua),
	PVC_RO("mb", pvc_mb),
	PVC_RO("ml", pvc_ml),
	PVC_RO("rb", pvc_rb),
	{ .name = "hdr", .flags = PV_READ | PV_INNER, .parse = pvc_hdr_parse,
	  .get = pvc_hdr, .get_idx = pvc_hdr_idx, .free = pvc_hdr_free },
	{ .name = "hdrc", .flags = PV_READ | PV_INNER,
	  .parse = pvc_hdr_parse, .get = pvc_hdrc, .free = pvc_hdr_free },
};

int
pv_core_register(struct cfg_diag *d)
{
	struct cfg_pos none = { 0, 0, 0 };

	for (size_t i = 0; i < sizeof(core_pvs) / sizeof(core_pvs[0]); i++)
		if (pv_register(&core_pvs[i], "core", d, none) != 0)
			return -1;
	return 0;
}
