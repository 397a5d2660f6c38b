/*
 * module.h - the module loader (loadmodule / modparam).
 *
 * Search order for `loadmodule "x.so"` or `loadmodule "dir/x.so"`:
 *   1. the path as written, when it contains a '/' and exists (a relative
 *      path is taken from the working directory, then from the config's
 *      directory);
 *   2. the basename in each directory of the search path, which is every
 *      -L directory (in order), then each mpath entry, then the compiled-
 *      in module directory; in each directory D: D/x.so, D/x/x.so and
 *      D/x/.libs/x.so (the last two serve in-tree runs).
 *   A name without ".so" gets it appended.  Finding the basename after a
 *   written path failed gives a warning (SER-era configs name paths such
 *   as ../sip_router/modules/tm/tm.so).
 */
#ifndef TD_MODULE_H
#define TD_MODULE_H

#include "cfg/diag.h"
#include "module_api.h"

struct loaded_module {
	const struct module *mod;
	void                *handle;
	char                *path;
	struct cfg_pos       pos;           /* the loadmodule line          */
	int                  initialized;
};

/* Search path: -L dirs are added first (in order), then mpath. */
void mod_path_add(const char *dir);
void mod_path_set_mpath(const char *mpath);    /* colon-separated */
void mod_path_reset(void);
/* The path searched, for error messages: "dir1:dir2:..." (static buf) */
const char *mod_path_describe(void);

/*
 * Loads a module: dlopen(RTLD_NOW|RTLD_LOCAL), dlsym("tandem_module"),
 * checks abi, name == basename, not loaded twice, then registers its
 * functions, PVs and transformations.  cfg_dir is the directory of the
 * config file that holds the loadmodule line.  0 or -1 (error in d).
 */
int mod_load(const char *written, const char *cfg_dir, struct cfg_diag *d,
             struct cfg_pos pos);

/* modparam(module, name, value): type-checked.  0 or -1 (error in d). */
int mod_set_param(const char *module, const char *name, const struct val *v,
                  struct cfg_diag *d, struct cfg_pos pos);

const struct loaded_module *mod_find(const char *name);
/* Number of modules loaded and the i-th, in load order. */
int mod_count(void);
const struct loaded_module *mod_at(int i);

/* In dependency order; 0 or -1 (a module's init failed: logged). */
int  mod_init_all(void);
int  mod_child_init_all(const struct proc_self *self);
void mod_destroy_all(void);
/* dlclose() everything and forget it (tests, exit). */
void mod_unload_all(void);

#endif
