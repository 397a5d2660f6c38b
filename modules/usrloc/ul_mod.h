/*
 * ul_mod.h - the usrloc module's state shared by its glue files
 * (usrloc.c: parameters, api, init; ul_rpc.c: the ul.* RPC methods).
 */
#ifndef TD_UL_MOD_H
#define TD_UL_MOD_H

#include "core/str.h"
#include "ul_table.h"

#define UL_MAX_DOMAINS 16

/* A table name known at config time; t is made in init (shm). */
struct ul_domain {
	char             *name;
	struct ul_table  *t;
};

/* The registered domains (tables), for the RPC methods. */
int               ul_domain_count(void);
struct ul_domain *ul_domain_at(int i);
struct ul_domain *ul_domain_find(const str_t *name);
int               ul_mod_use_domain(void);
unsigned          ul_mod_hash_size(void);
/* Brings the usrloc:* statistics up to date with the tables. */
void              ul_stats_sync(void);

extern const struct rpc_export ul_rpc_exports[];

#endif
