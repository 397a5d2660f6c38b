/*
 * usrloc_api.h - what the usrloc module offers other modules (registrar,
 * msilo), through mod_api_get("usrloc", USRLOC_API_VERSION).
 *
 * The location table lives in shared memory and is kept in memory only
 * (db_mode 0).  Every call takes the lock of the AOR's slot itself and
 * hands back copies made in the caller's arena: nothing returned points
 * into shared memory, which the expiry timer of another process may
 * free at any time.
 *
 * Times are absolute UNIX seconds.  A contact whose expiry has passed is
 * never returned, even before the timer removes it.
 */
#ifndef TD_USRLOC_API_H
#define TD_USRLOC_API_H

#include <stdint.h>

#include "core/arena.h"
#include "core/str.h"

#define USRLOC_API_VERSION 2

/*
 * The methods a binding accepts (its REGISTER's Allow header or the
 * contact's methods parameter) as a bit set with Kamailio's values, so
 * ul.dump shows the same numbers: INVITE 0x1, CANCEL 0x2, ACK 0x4, BYE
 * 0x8, INFO 0x10, REGISTER 0x20, SUBSCRIBE 0x40, NOTIFY 0x80, MESSAGE
 * 0x100, OPTIONS 0x200, PRACK 0x400, UPDATE 0x800, REFER 0x1000, PUBLISH
 * 0x2000, KDMQ 0x4000, GET 0x8000, POST 0x10000, PUT 0x20000, DELETE
 * 0x40000, any other method 0x80000.  UL_METHODS_ALL: no Allow given.
 */
#define UL_METHODS_ALL  0xffffffffu

#define UL_Q_UNSET  (-1)        /* no q given: sorts below q=0 (Kamailio) */

/* One binding: in (registrar builds it) or out (copies in an arena). */
struct ul_contact_info {
	str_t      aor;             /* out only                              */
	str_t      c;               /* contact URI                           */
	str_t      received;        /* "sip:ip:port[;transport=x]" or empty  */
	str_t      path;            /* the REGISTER's Path values, in order,
	                               comma-joined (use_path), or empty      */
	str_t      callid;
	str_t      user_agent;
	str_t      sock;            /* receiving socket "udp:ip:port" / empty */
	str_t      instance;        /* +sip.instance or empty                */
	long long  expires;         /* absolute; 0 = never (ul.add only)     */
	long long  last_modified;   /* out only                              */
	int        q;               /* 0..1000, or UL_Q_UNSET                 */
	int        cseq;
	int        reg_id;
	int        proto;           /* enum proto of the REGISTER             */
	uint64_t   conn_id;         /* TCP connection it came over, or 0      */
	unsigned   flags;
	unsigned   cflags;          /* branch flags (Kamailio's cflags)       */
	unsigned   methods;         /* accepted methods, UL_METHODS_ALL: any   */
};

/* One contact of a REGISTER: info.expires 0 with remove set deletes. */
struct ul_change {
	struct ul_contact_info  info;
	int                     remove;
};

struct ul_update_opts {
	int  max_contacts;          /* 0 = unlimited                          */
	int  replace_all;           /* drop bindings the request did not name */
	int  cseq_delay;            /* seconds a same-CSeq repeat counts as a
	                               retransmission; the api's update()
	                               sets it from usrloc's cseq_delay      */
};

enum ul_rc {
	UL_ERROR = -1,              /* out of shared or arena memory (logged) */
	UL_OK = 0,
	UL_BAD_CSEQ = 1,            /* same Call-ID, CSeq not newer: nothing done */
	UL_TOO_MANY = 2,            /* would exceed max_contacts: nothing done */
};

struct ul_domain;               /* a table ("location"), opaque           */

/* The current contacts of an AOR, best first (q, then most recent). */
struct ul_contacts {
	struct ul_contact_info  *v;     /* in the caller's arena          */
	int                      n;
};

struct usrloc_api {
	/*
	 * The table named name, created when first asked for.  Only while
	 * the configuration is compiled (fixups, init): the shared memory
	 * behind it is made in usrloc's init, before fork.  NULL on error
	 * (logged).
	 */
	struct ul_domain *(*register_domain)(const char *name);
	/* 1 when use_domain is on (AOR is user@domain). */
	int (*use_domain)(void);
	/*
	 * The live contacts of aor, best first, copied into a.  1 when
	 * there is at least one, 0 when none, -1 when a is full (logged).
	 */
	int (*lookup)(struct ul_domain *d, const str_t *aor, struct arena *a,
	              struct ul_contacts *out);
	/*
	 * Applies a REGISTER's contacts to aor atomically: every change is
	 * checked (Call-ID/CSeq, max_contacts) before any is made, so a
	 * refused request changes nothing.  now is the current time.  After
	 * UL_OK (and UL_TOO_MANY / UL_BAD_CSEQ) out holds the contacts now
	 * bound, best first, for the 200 OK.
	 */
	enum ul_rc (*update)(struct ul_domain *d, const str_t *aor,
	                     const struct ul_change *ch, int n,
	                     const struct ul_update_opts *o, struct arena *a,
	                     struct ul_contacts *out);
	/* Removes every binding of aor; returns how many were removed. */
	int (*delete_aor)(struct ul_domain *d, const str_t *aor);
	/* Removes one binding; 1 when removed, 0 when there was none. */
	int (*delete_contact)(struct ul_domain *d, const str_t *aor,
	                      const str_t *contact);
};

#endif
