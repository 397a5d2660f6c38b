/*
 * reg_lookup.c - lookup(), registered() and unregister(): reading and
 * removing the bindings of the AOR of a request's URI.
 *
 * Tandem has no branches yet, so lookup() uses the best binding only
 * (highest q, then the most recently refreshed) among those that accept
 * the request's method (method_filtering).  A binding saved with a Path
 * (RFC 3327 §5.4) sends the request to the first Path URI ($du) with the
 * whole path as Route header lines, as a proxy does with a pre-loaded
 * route set (RFC 3261 §16.6 step 6/7).
 */
#include "config.h"

#include "core/abuf.h"
#include "core/module_api.h"
#include "core/msg_edit.h"
#include "modules/sl/sl_msg.h"
#include "reg_hdr.h"
#include "reg_mod.h"
#include "reg_parse.h"

/* The mark of the Route lines lookup() inserts, so that another
 * lookup() (failure_route) replaces them. */
#define REG_EDIT_ROUTE 0x52656750       /* "RegP" */

/* 1 when method_filtering applies to m: an initial request (no To tag),
 * as in Kamailio; *bit is its method's. */
static int
filter_method(struct msg *m, unsigned *bit)
{
	str_t meth, tag;

	if (!reg_cfg()->method_filtering || sip_method(m, &meth) != 0 ||
	    sip_to_tag(m, &tag) == 0)
		return 0;
	*bit = reg_method_bit(&meth);
	return 1;
}

/*
 * Where the path's Route line goes: before the first Route header (a
 * route set the script left, RFC 3327 §5.4), else after the last Via,
 * as Kamailio's documentation says.  0, or -1 when the header block
 * cannot be read.
 */
static int
route_offset(const struct msg *m, size_t *off)
{
	struct sl_hdr_iter it;
	struct sl_hdr h;
	size_t after_via = 0;
	int rc;

	if (sl_hdr_first(&it, &m->buf) != 0)
		return -1;
	while ((rc = sl_hdr_next(&it, &h)) == 1) {
		if (str_caseeq_cstr(&h.name, "Route")) {
			*off = (size_t)(h.name.s - m->buf.s);
			return 0;
		}
		if (h.kind == SL_H_VIA)
			after_via = (size_t)(it.p - m->buf.s);
	}
	if (rc < 0 || after_via == 0 || after_via > m->buf.len)
		return -1;
	*off = after_via;
	return 0;
}

/*
 * The binding's path: $du to its first URI (instead of received: NAT is
 * the edge proxy's business) and "Route: <path>" into the forwarded
 * request.  0, or -1 (logged).
 */
static int
use_path(struct msg *m, const str_t *path)
{
	char err[REG_ERR_LEN];
	struct abuf b = { .a = &m->arena };
	str_t first, line;
	size_t off;
	int n;

	if (reg_path_parse(path, &n, &first, err, sizeof(err)) != 0) {
		log_errx("registrar: lookup(): the binding's path '%.*s' is "
		    "unusable: %s", STR_FMT(path), err);
		return -1;
	}
	abuf_putcs(&b, "Route: ");
	abuf_puts(&b, path);
	abuf_putcs(&b, "\r\n");
	if (b.failed || route_offset(m, &off) != 0) {
		log_errx("registrar: lookup(): cannot add the Route header "
		    "of the path %.*s", STR_FMT(path));
		return -1;
	}
	line = str_make(b.p, b.len);
	if (msg_edit_insert(m, off, &line, REG_EDIT_ROUTE) == NULL ||
	    msg_set_duri(m, &first) != 0) {
		log_errx("registrar: lookup(): out of memory for the path");
		return -1;
	}
	return 0;
}

/* The best binding that accepts the method, or NULL. */
static const struct ul_contact_info *
pick(struct msg *m, const struct ul_contacts *cs)
{
	unsigned bit;

	if (!filter_method(m, &bit))
		return &cs->v[0];
	for (int i = 0; i < cs->n; i++)
		if (cs->v[i].methods & bit)
			return &cs->v[i];
	return NULL;
}

int
reg_lookup(struct msg *m, struct ul_domain *d, const str_t *uri)
{
	const struct reg_cfg *cf = reg_cfg();
	const struct ul_contact_info *best;
	struct ul_contacts cs;
	str_t aor;
	int rc, had_path;

	if (m->kind != MSG_SIP_REQUEST) {
		log_errx("registrar: lookup() works on SIP requests only");
		return -3;
	}
	if (reg_aor_of(m, uri, &aor) != 0)
		return -1;
	rc = cf->ul->lookup(d, &aor, &m->arena, &cs);
	if (rc < 0)
		return -3;
	if (rc == 0) {
		log_dbg("registrar: lookup(): no contact for %.*s",
		    STR_FMT(&aor));
		return -1;
	}
	if ((best = pick(m, &cs)) == NULL) {
		log_dbg("registrar: lookup(): no contact of %.*s accepts the "
		    "method", STR_FMT(&aor));
		return -2;
	}
	if (msg_set_ruri(m, &best->c) != 0) {
		log_errx("registrar: lookup(): cannot set the R-URI to %.*s",
		    STR_FMT(&best->c));
		return -3;
	}
	if (cs.n > 1)
		log_dbg("registrar: lookup(): %.*s has %d contacts; using the "
		    "best one (no branches)", STR_FMT(&aor), cs.n);
	/* a previous lookup()'s path belonged to its binding */
	had_path = msg_edit_drop_tag(m, REG_EDIT_ROUTE) > 0;
	if (best->path.len > 0)
		return use_path(m, &best->path) == 0 ? 1 : -3;
	/* behind a NAT or over a connection: go where it came from */
	if (best->received.len > 0 || had_path) {
		if (msg_set_duri(m, &best->received) != 0) {
			log_errx("registrar: lookup(): cannot set the "
			    "destination URI to %.*s", STR_FMT(&best->received));
			return -3;
		}
	}
	return 1;
}

int
reg_registered(struct msg *m, struct ul_domain *d, const str_t *uri)
{
	struct ul_contacts cs;
	str_t aor;

	if (uri == NULL && m->kind != MSG_SIP_REQUEST) {
		log_errx("registrar: registered() without a URI needs a "
		    "request");
		return -1;
	}
	if (reg_aor_of(m, uri, &aor) != 0)
		return -1;
	return reg_cfg()->ul->lookup(d, &aor, &m->arena, &cs) == 1 ? 1 : -1;
}

int
reg_unregister(struct msg *m, struct ul_domain *d, const str_t *uri)
{
	str_t aor;

	if (reg_aor_of(m, uri, &aor) != 0)
		return -1;
	return reg_cfg()->ul->delete_aor(d, &aor) > 0 ? 1 : -1;
}
