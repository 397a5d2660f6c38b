/*
 * reg_parse.h - the pure parsing of a REGISTER's pieces (RFC 3261
 * §20.10 Contact, §20.19 Expires, q values) and of the address of
 * record from the To URI.  No module_api.h, no globals: the Check suite
 * links this file directly.
 */
#ifndef TD_REG_PARSE_H
#define TD_REG_PARSE_H

#include <stddef.h>

#include "core/str.h"

#define REG_ERR_LEN   128
#define REG_NO_Q      (-1)      /* no q parameter given                */
#define REG_NO_EXP    (-1)      /* no expires parameter given          */
#define REG_MAX_EXP   0xffffffffLL  /* RFC 3261: 2^32-1 at most       */

/* One contact of a Contact header (pointers into the header text). */
struct reg_contact {
	str_t      uri;             /* without the < >                       */
	long long  expires;         /* ;expires=, or REG_NO_EXP              */
	int        q;               /* ;q= as 0..1000, or REG_NO_Q           */
	str_t      instance;        /* ;+sip.instance= (quotes kept), or empty */
	int        reg_id;          /* ;reg-id=, 0 when absent              */
	int        has_methods;     /* ;methods= given (RFC 3840)            */
	str_t      methods;         /* its value, without the quotes        */
};

enum reg_perr {
	REG_PE_OK = 0,
	REG_PE_CONTACT,             /* "Contact parse error"                  */
	REG_PE_EXPIRES,             /* "Invalid expires param in contact"     */
	REG_PE_Q,                   /* "Invalid q param in contact"           */
	REG_PE_REGID,               /* "Invalid Reg-Id number"                */
	REG_PE_TOO_MANY,            /* more contacts than the array holds     */
};

/*
 * Parses one Contact header body, appending its contacts to v (which
 * holds *n of max).  A lone "*" sets *star (and appends nothing).
 * Returns REG_PE_OK, or an error with a message in err.
 */
enum reg_perr reg_parse_contacts(const str_t *body, struct reg_contact *v,
                                 int max, int *n, int *star, char *err,
                                 size_t errlen);

/* delta-seconds (RFC 3261 §20.19), blanks around allowed; values above
 * 2^32-1 are taken as 2^32-1.  0, or -1 when not a number. */
int reg_parse_expires(const str_t *s, long long *out);

/* qvalue "0", "0.5", "1.000" -> 0..1000.  0, or -1. */
int reg_parse_q(const str_t *s, int *out);
/* q as text ("1", "0.5", "0.125") into buf; returns the length. */
int reg_print_q(int q, char *buf, size_t len);

/* The pieces of a SIP URI (pointers into uri). */
struct reg_uri {
	str_t  scheme;
	str_t  user;
	str_t  host;                /* IPv6 references keep their brackets  */
	int    port;                /* 0 when absent                          */
	str_t  params;              /* after the first ';' up to '?' or end  */
};

/* 0, or -1 when uri is not scheme:[user[:pw]@]host[:port][;params][?hdrs]. */
int reg_parse_uri(const str_t *uri, struct reg_uri *out);

/* The value of URI parameter name (";transport=tcp"); 1 found, 0 not. */
int reg_uri_param(const str_t *params, const char *name, str_t *value);

/*
 * The address of record of a To URI into buf: "user@host" (use_domain)
 * or "user", the user %-unescaped, the host lowercased without
 * realm_prefix (NULL: none), everything lowercased unless
 * case_sensitive.  Returns the length, or -1 with err set ("Error while
 * parsing AOR", "Address Of Record too long").
 */
int reg_aor_build(const str_t *to_uri, int use_domain, int case_sensitive,
                  const char *realm_prefix, char *buf, size_t len,
                  const char **err);

#endif
