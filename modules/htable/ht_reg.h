/*
 * ht_reg.h - the module's tables: their definitions, collected from
 * modparam in private memory, and the shared-memory tables built from
 * them by the module's init (before fork, so every process inherits the
 * pointers).  Indexes are stable: a pseudo-variable compiled against
 * table i finds its shm table at index i after init.
 */
#ifndef TD_HT_REG_H
#define TD_HT_REG_H

#include <stddef.h>

#include "core/str.h"
#include "ht_param.h"
#include "ht_table.h"

/*
 * Adds a definition ("name=>size=8;...").  0, or -1 with the reason in
 * err; *warn (0/1) says err holds a warning about an accepted value.
 */
int  ht_reg_define(const char *text, size_t len, int *warn, char *err,
                   size_t errlen);
/* Index of the table named name, or -1. */
int  ht_reg_find(const str_t *name);
unsigned ht_reg_count(void);
const struct ht_spec *ht_reg_spec(unsigned i);

/* Builds every table in shm.  0, or -1 (logged; nothing left behind). */
int  ht_reg_create_all(void);
/* The shm table at index i; NULL before ht_reg_create_all or for -1. */
struct ht_table *ht_reg_table(int i);
/* The shm table named name, or NULL. */
struct ht_table *ht_reg_lookup(const str_t *name);

/* Frees the shm tables (supervisor at exit). */
void ht_reg_destroy_tables(void);
/* Forgets every definition and table pointer without touching shm
 * (module unload, tests; ht_reg_destroy_tables first to free them). */
void ht_reg_reset(void);

#endif
