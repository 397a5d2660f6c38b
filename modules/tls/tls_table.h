/*
 * tls_table.h - a summary of every established TLS connection in shared
 * memory, so that processes owning no connection (the ctl process that
 * serves tls.list) can see them.  The owner worker puts an entry once
 * the handshake completed and removes it when the connection closes;
 * entries are indexed like the core's connection table (conn_slot_of).
 */
#ifndef TD_TLS_TABLE_H
#define TD_TLS_TABLE_H

#include <stdint.h>
#include <time.h>

struct tls_summary {
	uint64_t  id;                   /* 0: free slot                     */
	int       is_server;            /* accepted (1) or opened (0)       */
	int       verified;             /* peer certificate verified        */
	time_t    since;                /* handshake completed              */
	char      version[16];          /* "TLSv1.3"                        */
	char      cipher[64];           /* "TLS_AES_256_GCM_SHA384"         */
	char      peer_cn[128];         /* subject CN of the peer, or ""    */
	char      profile[96];          /* "[server:default]"               */
};

/* Allocates room for max connections in shm (init).  0 or -1 (logged). */
int  tls_table_init(unsigned max);
void tls_table_destroy(void);
/* Stores s at its id's slot (replacing a stale entry). */
void tls_table_put(const struct tls_summary *s);
/* Removes id's entry if it is still there. */
void tls_table_del(uint64_t id);
/* Copies id's entry.  0, or -1 when there is none. */
int  tls_table_get(uint64_t id, struct tls_summary *out);
/* Calls fn on a copy of each entry (no lock held during fn). */
void tls_table_foreach(void (*fn)(const struct tls_summary *s, void *arg),
                       void *arg);

#endif
