/*
 * pv.h - pseudo-variables: the registry of classes ($name, $name(inner))
 * and compiled references to them.
 *
 * Syntax of a reference (what pv_parse_ref() accepts at a '$'):
 *   $name                 name = [A-Za-z_][A-Za-z0-9_]*
 *   $name(inner)          inner up to the matching ')' (nested parens and
 *                         PVs inside are allowed: $sht(t=>$var(k)::a))
 *   $(name)  $(name(inner))  $(name(inner)[idx])  $(name(inner){tr}...)
 *                         idx is an integer (negative counts from the
 *                         end) or '*' (all); {tr} is a transformation
 *                         chain (tr.h).
 * The class's parse() compiles `inner` once at load time.
 */
#ifndef TD_PV_H
#define TD_PV_H

#include <stddef.h>

#include "cfg/diag.h"
#include "str.h"
#include "val.h"

struct msg;
struct tr_chain;

enum {
	PV_READ  = 1u << 0,
	PV_WRITE = 1u << 1,
	PV_INNER = 1u << 2,     /* requires $name(inner)                   */
	PV_NOINNER_OK = 1u << 3,/* with PV_INNER: $name alone also allowed */
};

#define PV_IDX_ALL  (-0x7fffffff)   /* [*] */

struct pv_export {
	const char  *name;                      /* "sht", "var", "si"     */
	unsigned     flags;
	/* compile inner (NULL when absent); 0 or -1 (error in d) */
	int        (*parse)(const str_t *inner, void **compiled,
	                    struct cfg_diag *d);
	/* 0 with *out set (VAL_NULL when there is no value), or -1 on a
	 * runtime error (logged by the class). */
	int        (*get)(struct msg *m, void *compiled, struct val *out);
	/* in == VAL_NULL deletes/resets.  0 or -1. */
	int        (*set)(struct msg *m, void *compiled, const struct val *in);
	/* optional: occurrence idx (0.., negative from the end) */
	int        (*get_idx)(struct msg *m, void *compiled, int idx,
	                      struct val *out);
	void       (*free)(void *compiled);
};

struct pv_ref {
	const struct pv_export *cls;
	void                   *compiled;
	int                     has_idx;
	int                     idx;
	struct tr_chain        *tr;         /* NULL: none                 */
	char                   *text;       /* "$var(x)" as written       */
};

/*
 * Registers a class.  A name registered twice is an error naming both
 * owners.  module is the owner's name ("core" for the core).  0 or -1.
 */
int pv_register(const struct pv_export *e, const char *module,
                struct cfg_diag *d, struct cfg_pos pos);
/* The class named name, or NULL; *module (if not NULL) gets its owner. */
const struct pv_export *pv_lookup(const str_t *name, const char **module);
/* Forgets every class (tests, and the supervisor at exit). */
void pv_registry_reset(void);
/* Registers the core classes (pv_core.c).  0 or -1. */
int  pv_core_register(struct cfg_diag *d);

/*
 * Parses one reference starting at s[0] == '$'.  On success returns 0,
 * sets *used to the bytes consumed and *out to a new pv_ref.  On error
 * returns -1 with a message in d at pos (the position of s[0]).
 */
int pv_parse_ref(const char *s, size_t len, size_t *used,
                 struct pv_ref **out, struct cfg_diag *d,
                 struct cfg_pos pos);

/* Evaluates r (index and transformations applied).  0 or -1. */
int pv_get(struct msg *m, const struct pv_ref *r, struct val *out);
/* Assigns; -1 when the class is read-only or the set fails. */
int pv_set(struct msg *m, const struct pv_ref *r, const struct val *in);
int pv_is_writable(const struct pv_ref *r);

void pv_ref_free(struct pv_ref *r);

/*
 * The length of the reference starting at s[0] == '$' by syntax alone
 * (name, balanced inner and $(...) parens; classes are not looked up),
 * or 0 when s does not start one or it is unterminated.  Lets other
 * parsers (transformation args) skip over nested references.
 */
size_t pv_ref_span(const char *s, size_t len);

#endif
