/*
 * cfg.h - the config compiler's entry point: pp -> lex -> parse ->
 * resolve.  `tandem -c` runs exactly this.
 */
#ifndef TD_CFG_CFG_H
#define TD_CFG_CFG_H

#include "ast.h"
#include "core/globals.h"
#include "diag.h"
#include "pp.h"
#include "src.h"

struct cfg {
	struct cfg_src   src;
	struct cfg_diag  diag;
	struct pp_out    pp;
	struct cfg_tree  tree;
	char            *dir;       /* directory of the main file */
};

/*
 * Compiles path into out, applying the globals to c, loading the modules
 * and resolving the routes.  defines: NULL-terminated "NAME[=VALUE]"
 * list (tandem -A), may be NULL.  Returns 0, or -1 with every problem in
 * out->diag.  out is always to be released with cfg_free().
 */
int  cfg_load(const char *path, struct core_cfg *c,
              const char *const *defines, struct cfg *out);
/* Same from a buffer (tests); name is used in positions. */
int  cfg_load_buffer(const char *name, const char *text,
                     struct core_cfg *c, struct cfg *out);
void cfg_free(struct cfg *cfg);

#endif
