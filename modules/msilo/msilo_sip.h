/*
 * msilo_sip.h - the pure SIP text work of msilo: the mailbox (user and
 * host) of a URI, which URI names the mailbox for m_store()'s modes, and
 * what a REGISTER says about its contacts (Contact, expires, Expires).
 * No module state, no message context: the unit tests link this file.
 */
#ifndef TD_MSILO_SIP_H
#define TD_MSILO_SIP_H

#include "core/str.h"

/* m_store() modes (the seed doc's "0", "1", "2"). */
enum msilo_mode {
	MSILO_MODE_NEW_URI = 0, /* new R-URI, then R-URI, then To      */
	MSILO_MODE_RURI    = 1, /* R-URI as received, then To          */
	MSILO_MODE_TO      = 2, /* To only                              */
};

/*
 * The URI inside a From/To/Contact value: `"Bob" <sip:b@h>;tag=1` gives
 * sip:b@h, a bare addr-spec stops at the first ';', ',' or blank (its
 * parameters are the header's, RFC 3261 20.10).  0 or -1 (empty, or an
 * unclosed '<' / quote).
 */
int msilo_uri_of(const str_t *value, str_t *uri);

/*
 * user and host of a sip:/sips: URI (a surrounding <> is accepted; a
 * password and the port are left out).  user is empty when the URI has
 * none.  0, or -1 when it is not a sip/sips URI or has no host.
 */
int msilo_uri_aor(const str_t *uri, str_t *user, str_t *host);

/* 1 when uri is an address of record: a sip URI with user@host. */
int msilo_is_aor(const str_t *uri);

/*
 * The URI whose user@host is the mailbox for mode: the first address of
 * record among new_uri (mode 0; empty when the script did not change
 * the R-URI), ruri (modes 0 and 1) and to (always).  NULL when none is
 * (To without a user).
 */
const str_t *msilo_pick_owner(enum msilo_mode mode, const str_t *new_uri,
                              const str_t *ruri, const str_t *to);

/* "0", "1", "2" -> the mode; -1 for anything else. */
int msilo_mode_parse(const str_t *s);

/* One contact of a Contact header value. */
struct msilo_contact {
	str_t      uri;
	long long  expires;     /* its expires parameter, -1 when absent */
	int        star;        /* "Contact: *"                           */
};

/*
 * The next contact of a Contact header value; *rest is advanced past
 * it.  1 with *c set, 0 when nothing is left, -1 when malformed.
 */
int msilo_contact_next(str_t *rest, struct msilo_contact *c);

/* An Expires header value (delta-seconds).  0, or -1 when malformed. */
int msilo_expires_parse(const str_t *v, long long *out);

/*
 * Where a REGISTER's stored messages go: the first contact that stays
 * registered, its expires parameter or else the Expires header (absent:
 * the registrar's default, which is positive) being > 0.  hdrs are the
 * n Contact header values, expires the Expires header value or NULL.
 * 1 with *uri set, 0 when no contact stays (none, "*", or all expire
 * now), -1 when a Contact or Expires value is malformed (*why says
 * what).
 */
int msilo_register_target(const str_t *hdrs, int n, const str_t *expires,
                          str_t *uri, const char **why);

#endif
