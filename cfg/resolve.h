/*
 * resolve.h - the second pass over the AST: applies the globals, loads
 * the modules and sets their parameters (in file order), then links
 * every name in the routes to what it means (functions, pseudo-
 * variables, routes), fixes up function arguments once, and checks that
 * each function is used only in the routes it allows.
 */
#ifndef TD_CFG_RESOLVE_H
#define TD_CFG_RESOLVE_H

#include "ast.h"
#include "core/globals.h"
#include "diag.h"

/*
 * cfg_dir: directory of the main config (relative module paths).
 * Every problem goes to d.  When a module failed to load, names it would
 * have provided cannot be checked: they are reported as notes, so the
 * errors list only what is really wrong.  0 when no error, else -1.
 */
int cfg_resolve(struct cfg_tree *t, struct core_cfg *c, const char *cfg_dir,
                struct cfg_diag *d);

/* A route of the resolved tree, or NULL (name NULL for unnamed kinds). */
struct route_def *cfg_route_find(struct cfg_tree *t, enum route_kind k,
                                 const char *name);

/*
 * For a function's fixup: 1 when the config being resolved defines the
 * route (kind, name), 0 when it does not, -1 outside resolution.  Lets
 * t_on_failure("1") name a missing failure_route at its line, in
 * `tandem -c` too.
 */
int cfg_route_defined(enum route_kind k, const char *name);

#endif
