/*
 * reg_lookup.c - lookup(), registered() and unregister(): reading and
 * removing the bindings of the AOR of a request's URI.
 *
 * Tandem has no branches yet, so lookup() uses the best binding only
 * (highest q, then the most recently refreshed).
 */
#include "config.h"

#include "core/module_api.h"
#include "reg_mod.h"

int
reg_lookup(struct msg *m, struct ul_domain *d, const str_t *uri)
{
	const struct reg_cfg *cf = reg_cfg();
	const struct ul_contact_info *best;
	struct ul_contacts cs;
	str_t aor;
	int rc;

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
	best = &cs.v[0];
	if (msg_set_ruri(m, &best->c) != 0) {
		log_errx("registrar: lookup(): cannot set the R-URI to %.*s",
		    STR_FMT(&best->c));
		return -3;
	}
	/* behind a NAT or over a connection: go where it came from */
	if (best->received.len > 0 && msg_set_duri(m, &best->received) != 0) {
		log_errx("registrar: lookup(): cannot set the destination "
		    "URI to %.*s", STR_FMT(&best->received));
		return -3;
	}
	if (cs.n > 1)
		log_dbg("registrar: lookup(): %.*s has %d contacts; using the "
		    "best one (no branches)", STR_FMT(&aor), cs.n);
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
