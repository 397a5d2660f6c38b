/*
 * cnt_decl.h - the counters a config declares with
 * modparam("counters", "script_counter", "[group.]name[( |:)description]")
 * and the "[group.]name" references of cnt_inc() and friends.
 *
 * Declarations are kept in pkg memory while the config is read; the
 * module registers them as statistics (core/stats.h) in its init, before
 * fork, so every process shares the values.
 */
#ifndef TD_CNT_DECL_H
#define TD_CNT_DECL_H

#include <stddef.h>

#include "core/str.h"

/* core/stats.c keeps group[32] and name[64] and would cut longer ones
 * silently: a name that does not fit is refused instead. */
#define CNT_GROUP_MAX   31
#define CNT_NAME_MAX    63

#define CNT_DEFAULT_GROUP  "script"
#define CNT_DEFAULT_DESC   "custom script counter."

struct cnt_decl {
	char  group[CNT_GROUP_MAX + 1];
	char  name[CNT_NAME_MAX + 1];
	char *desc;                     /* never NULL once declared */
};

/*
 * Splits "[group.]name" (the group ends at the first '.'; without one
 * the group is def_group).  0, or -1 with the reason in err.
 */
int cnt_ref_split(const str_t *ref, const char *def_group,
                  char group[CNT_GROUP_MAX + 1], char name[CNT_NAME_MAX + 1],
                  char *err, size_t errlen);

/*
 * Parses and records one script_counter declaration; def_group is the
 * script_cnt_grp_name in force where the declaration is written.  0, or
 * -1 with the reason in err (bad name, declared twice, out of memory).
 */
int cnt_decl_add(const str_t *text, const char *def_group, char *err,
                 size_t errlen);

int                    cnt_decl_count(void);
const struct cnt_decl *cnt_decl_at(int i);
const struct cnt_decl *cnt_decl_find(const char *group, const char *name);
/* Forgets every declaration (module unload, tests). */
void                   cnt_decl_free_all(void);

#endif
