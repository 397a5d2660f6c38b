/*
 * tr.h - transformations: {class.key[,args]} applied to a value, chained
 * left to right: $(hdr(X){s.select,0,;}{s.len}).
 *
 * The class is the text before the first '.', the key the text up to the
 * first ',' or the closing '}', the args the raw text after that ','
 * (with nested braces and PVs balanced); the class's parse() compiles
 * key and args once at load time.
 */
#ifndef TD_TR_H
#define TD_TR_H

#include <stddef.h>

#include "cfg/diag.h"
#include "str.h"
#include "val.h"

struct msg;

struct tr_export {
	const char  *cls;                           /* "s", "uri", "param" */
	int        (*parse)(const str_t *key, const str_t *args,
	                    void **compiled, struct cfg_diag *d);
	/* transforms *v in place (results in m's arena).  0 or -1 */
	int        (*apply)(struct msg *m, void *compiled, struct val *v);
	void       (*free)(void *compiled);
};

struct tr_chain;

int  tr_register(const struct tr_export *e, const char *module,
                 struct cfg_diag *d, struct cfg_pos pos);
const struct tr_export *tr_lookup(const str_t *cls, const char **module);
void tr_registry_reset(void);

/*
 * Parses one or more {...} starting at s[0] == '{'.  Returns 0 with *used
 * bytes consumed and *out set, or -1 (error in d at pos).
 */
int  tr_parse_chain(const char *s, size_t len, size_t *used,
                    struct tr_chain **out, struct cfg_diag *d,
                    struct cfg_pos pos);
/* Applies every step to *v.  0 or -1 (a step failed: logged). */
int  tr_apply_chain(struct msg *m, const struct tr_chain *c, struct val *v);
void tr_chain_free(struct tr_chain *c);

#endif
