#include "config.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "log.h"
#include "module.h"
#include "pv.h"
#include "rpc.h"
#include "tr.h"
#include "xalloc.h"

/* The Makefile passes $(pkglibdir); this default serves other builds. */
#ifndef TD_MODULE_DIR
#define TD_MODULE_DIR "/usr/local/lib/tandem"
#endif

struct strv {
	char   **v;
	size_t   n, cap;
};

/*
 * A string modparam value the loader allocated.  Only these are freed
 * when the parameter is set again: the module's own default (often a
 * string literal) must never be.
 */
struct param_copy {
	void    *var;           /* the module's char * variable           */
	char    *val;
};

static struct {
	struct strv              ldirs;     /* -L, in command line order   */
	struct strv              mpath;     /* mpath= entries              */
	struct loaded_module   **mods;      /* load order                  */
	int                      n, cap;
	int                     *order;     /* init order, indexes in mods */
	int                      norder;
	struct param_copy       *pcopy;
	size_t                   npcopy, cappcopy;
	char                     describe[4096];
} ml;

/* --- search path ------------------------------------------------------ */

static int
strv_push(struct strv *sv, const char *s, size_t len)
{
	char *dup = NULL;

	if (sv->n == sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 8;
		char **nv = xrealloc(sv->v, cap * sizeof(*nv));

		if (nv == NULL)
			return -1;
		sv->v = nv;
		sv->cap = cap;
	}
	dup = xstrndup(s, len);
	if (dup == NULL)
		return -1;
	sv->v[sv->n++] = dup;
	return 0;
}

static void
strv_free(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		xfree(sv->v[i]);
	xfree(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

void
mod_path_add(const char *dir)
{
	/* an empty dir would turn D/x.so into the absolute /x.so */
	if (dir != NULL && dir[0] != '\0')
		(void)strv_push(&ml.ldirs, dir, strlen(dir));
}

/* A new mpath replaces the previous one, as a later mpath= line does. */
void
mod_path_set_mpath(const char *mpath)
{
	const char *p = mpath, *colon;
	size_t len;

	strv_free(&ml.mpath);
	if (mpath == NULL)
		return;
	for (;;) {
		colon = strchr(p, ':');
		len = colon ? (size_t)(colon - p) : strlen(p);
		if (len > 0)
			(void)strv_push(&ml.mpath, p, len);
		if (colon == NULL)
			break;
		p = colon + 1;
	}
}

void
mod_path_reset(void)
{
	strv_free(&ml.ldirs);
	strv_free(&ml.mpath);
}

/* The i-th directory searched, or NULL past the last one. */
static const char *
path_dir(size_t i)
{
	if (i < ml.ldirs.n)
		return ml.ldirs.v[i];
	i -= ml.ldirs.n;
	if (i < ml.mpath.n)
		return ml.mpath.v[i];
	return i == ml.mpath.n ? TD_MODULE_DIR : NULL;
}

const char *
mod_path_describe(void)
{
	size_t off = 0;
	const char *dir;

	ml.describe[0] = '\0';
	for (size_t i = 0; (dir = path_dir(i)) != NULL; i++) {
		int w = snprintf(ml.describe + off, sizeof(ml.describe) - off,
		    "%s%s", i ? ":" : "", dir);

		if (w < 0 || (size_t)w >= sizeof(ml.describe) - off)
			break;          /* truncated: still names the first dirs */
		off += (size_t)w;
	}
	return ml.describe;
}

static int
is_file(const char *path)
{
	struct stat st;

	/* stat() follows the links that all-local makes to .libs/x.so */
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Tries D/x.so, D/x/x.so, D/x/.libs/x.so.  1 found (in out), else 0. */
static int
search_dir(const char *dir, const char *stem, char *out, size_t len)
{
	int dl = (int)strlen(dir);
	int w;

	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	w = snprintf(out, len, "%.*s/%s.so", dl, dir, stem);
	if (w > 0 && (size_t)w < len && is_file(out))
		return 1;
	w = snprintf(out, len, "%.*s/%s/%s.so", dl, dir, stem, stem);
	if (w > 0 && (size_t)w < len && is_file(out))
		return 1;
	w = snprintf(out, len, "%.*s/%s/.libs/%s.so", dl, dir, stem, stem);
	if (w > 0 && (size_t)w < len && is_file(out))
		return 1;
	return 0;
}

/*
 * Tries the path as written (see module.h), then the search path.
 * 0 with the file in out, or -1 (error in d).
 */
static int
mod_locate(const char *written, const char *wpath, const char *cfg_dir,
    const char *base, const char *stem, char *out, size_t len,
    struct cfg_diag *d, struct cfg_pos pos)
{
	const char *dir;
	int w;

	if (wpath != NULL) {
		if (snprintf(out, len, "%s", wpath) < (int)len && is_file(out))
			return 0;
		if (wpath[0] != '/' && cfg_dir != NULL && cfg_dir[0] != '\0') {
			w = snprintf(out, len, "%s/%s", cfg_dir, wpath);
			if (w > 0 && (size_t)w < len && is_file(out))
				return 0;
		}
	}
	for (size_t i = 0; (dir = path_dir(i)) != NULL; i++) {
		if (!search_dir(dir, stem, out, len))
			continue;
		if (wpath != NULL)
			diag_warn_at(d, pos, "module path '%s' not found; "
			    "loaded %s from %s", written, base, out);
		return 0;
	}
	if (wpath != NULL)
		diag_error_at(d, pos, "module '%s' not found (searched: '%s', "
		    "then %s)", base, wpath, mod_path_describe());
	else
		diag_error_at(d, pos, "module '%s' not found (searched: %s)",
		    base, mod_path_describe());
	return -1;
}

/* --- loading ------------------------------------------------------------ */

static int
mod_index(const char *name)
{
	for (int i = 0; i < ml.n; i++)
		if (strcmp(ml.mods[i]->mod->name, name) == 0)
			return i;
	return -1;
}

const struct loaded_module *
mod_find(const char *name)
{
	int i = mod_index(name);

	return i < 0 ? NULL : ml.mods[i];
}

int
mod_count(void)
{
	return ml.n;
}

const struct loaded_module *
mod_at(int i)
{
	return i >= 0 && i < ml.n ? ml.mods[i] : NULL;
}

/* Checks what the core relies on before anything is registered. */
static int
mod_check(const struct module *mod, const char *base, const char *stem,
    struct cfg_diag *d, struct cfg_pos pos)
{
	const struct param_export *p;

	if (mod->abi != MOD_ABI_VERSION) {
		diag_error_at(d, pos, "module '%s' was built for module ABI "
		    "version %u, this Tandem uses version %u; rebuild it",
		    base, mod->abi, (unsigned)MOD_ABI_VERSION);
		return -1;
	}
	if (mod->name == NULL || strcmp(mod->name, stem) != 0) {
		diag_error_at(d, pos, "module '%s' calls itself '%s'; a module's "
		    "name must match its file name", base,
		    mod->name ? mod->name : "(null)");
		return -1;
	}
	for (p = mod->params; p != NULL && p->name != NULL; p++) {
		if (p->type != PARAM_INT && p->type != PARAM_STR) {
			diag_error_at(d, pos, "module '%s': parameter '%s' has "
			    "an unknown type %d", stem, p->name, (int)p->type);
			return -1;
		}
		if (p->var == NULL && p->set == NULL) {
			diag_error_at(d, pos, "module '%s': parameter '%s' has "
			    "neither a variable nor a setter", stem, p->name);
			return -1;
		}
	}
	return 0;
}

/* Registers every table; all are tried so every clash is reported. */
static int
mod_register(const struct module *mod, struct cfg_diag *d,
    struct cfg_pos pos)
{
	int rc = 0;

	if (cmd_register_table(mod->cmds, mod->name, d, pos) == -1)
		rc = -1;
	for (const struct pv_export *pv = mod->pvs; pv && pv->name; pv++)
		if (pv_register(pv, mod->name, d, pos) == -1)
			rc = -1;
	for (const struct tr_export *tr = mod->trs; tr && tr->cls; tr++)
		if (tr_register(tr, mod->name, d, pos) == -1)
			rc = -1;
	if (rpc_register_table(mod->rpcs, mod->name, d, pos) == -1)
		rc = -1;
	return rc;
}

/* Appends lm to the list; 0 or -1. */
static int
mod_append(struct loaded_module *lm)
{
	if (ml.n == ml.cap) {
		int cap = ml.cap ? ml.cap * 2 : 16;
		struct loaded_module **nv;

		nv = xrealloc(ml.mods, (size_t)cap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		ml.mods = nv;
		ml.cap = cap;
	}
	ml.mods[ml.n++] = lm;
	return 0;
}

/*
 * Splits what was written into the file's basename ("tm.so", ".so"
 * appended when missing), the module name ("tm"), and, when it holds a
 * '/', the path to try first.  0, or -1 when no name is left.
 */
static int
mod_names(const char *written, char *base, char *stem, char *wpath,
    size_t len)
{
	const char *b = strrchr(written, '/');
	size_t bl, wl = strlen(written);
	int has_so;

	b = b ? b + 1 : written;
	bl = strlen(b);
	has_so = bl > 3 && strcmp(b + bl - 3, ".so") == 0;
	if (bl == 0 || (has_so ? bl - 3 : bl) == 0 || bl + 4 > len ||
	    wl + 4 > len)
		return -1;
	snprintf(base, len, "%s%s", b, has_so ? "" : ".so");
	snprintf(stem, len, "%.*s", (int)(has_so ? bl - 3 : bl), b);
	snprintf(wpath, len, "%s%s", written, has_so ? "" : ".so");
	return 0;
}

int
mod_load(const char *written, const char *cfg_dir, struct cfg_diag *d,
    struct cfg_pos pos)
{
	char base[PATH_MAX], stem[PATH_MAX], wpath[PATH_MAX], path[PATH_MAX];
	const struct loaded_module *prev;
	const struct module *mod;
	struct loaded_module *lm = NULL;
	void *h = NULL;

	if (mod_names(written, base, stem, wpath, sizeof(base)) == -1) {
		diag_error_at(d, pos, "loadmodule: invalid module name '%s'",
		    written);
		return -1;
	}
	/* A module's name is its file's name, so this catches a second
	 * loadmodule before the file is opened twice. */
	if ((prev = mod_find(stem)) != NULL) {
		diag_error_at(d, pos, "module '%s' already loaded at %s:%u",
		    stem, d->src ? src_file_name(d->src, prev->pos.file) :
		    "<config>", prev->pos.line);
		return -1;
	}
	if (mod_locate(written, strchr(written, '/') ? wpath : NULL, cfg_dir,
	    base, stem, path, sizeof(path), d, pos) == -1)
		return -1;

	(void)dlerror();
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		const char *e = dlerror();

		diag_error_at(d, pos, "could not load module '%s': %s", base,
		    e ? e : "unknown dlopen() error");
		goto fail;
	}
	mod = dlsym(h, "tandem_module");
	if (mod == NULL) {
		diag_error_at(d, pos, "'%s' is not a Tandem module (no "
		    "tandem_module symbol)", base);
		goto fail;
	}
	if (mod_check(mod, base, stem, d, pos) == -1)
		goto fail;

	lm = xcalloc(1, sizeof(*lm));
	if (lm == NULL || (lm->path = xstrdup(path)) == NULL ||
	    mod_append(lm) == -1) {
		diag_error_at(d, pos, "out of memory loading module '%s'",
		    base);
		goto fail;
	}
	lm->mod = mod;
	lm->handle = h;
	lm->pos = pos;
	/* From here the list owns the handle: a registration failure keeps
	 * the module loaded, since part of it may already be registered. */
	return mod_register(mod, d, pos);

fail:
	if (lm != NULL)
		xfree(lm->path);
	xfree(lm);
	if (h != NULL)
		dlclose(h);
	return -1;
}

/* --- modparam ----------------------------------------------------------- */

static const struct param_export *
param_find(const struct module *mod, const char *name)
{
	for (const struct param_export *p = mod->params; p && p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/*
 * Brings v to the parameter's type.  Like Kamailio, an integer parameter
 * accepts a string holding a number; a string parameter takes no
 * integer (modparam("m", "p", 5) for a string is a config mistake).
 */
static int
param_convert(const struct param_export *p, const char *module,
    const struct val *v, struct val *out, struct cfg_diag *d,
    struct cfg_pos pos)
{
	long long n;

	if (p->type == PARAM_STR) {
		if (!(v->flags & VAL_STR)) {
			diag_error_at(d, pos, "modparam: parameter '%s' of "
			    "module '%s' takes a string", p->name, module);
			return -1;
		}
		val_set_str(out, v->s);
		return 0;
	}
	if (v->flags & VAL_INT)
		n = v->n;
	else if (!(v->flags & VAL_STR) || str_to_ll(&v->s, &n) == -1) {
		diag_error_at(d, pos, "modparam: parameter '%s' of module '%s' "
		    "takes an integer", p->name, module);
		return -1;
	}
	if (n < INT_MIN || n > INT_MAX) {
		diag_error_at(d, pos, "modparam: value %lld of parameter '%s' "
		    "of module '%s' is out of range", n, p->name, module);
		return -1;
	}
	val_set_int(out, n);
	return 0;
}

/* Stores a copy of s in *var, freeing the copy stored there before. */
static int
param_store_str(void *var, const str_t *s)
{
	struct param_copy *pc = NULL;
	char *copy = xstrndup(s->s, s->len);

	if (copy == NULL)
		return -1;
	for (size_t i = 0; i < ml.npcopy; i++)
		if (ml.pcopy[i].var == var)
			pc = &ml.pcopy[i];
	if (pc == NULL) {
		if (ml.npcopy == ml.cappcopy) {
			size_t cap = ml.cappcopy ? ml.cappcopy * 2 : 16;
			struct param_copy *nv;

			nv = xrealloc(ml.pcopy, cap * sizeof(*nv));
			if (nv == NULL) {
				xfree(copy);
				return -1;
			}
			ml.pcopy = nv;
			ml.cappcopy = cap;
		}
		pc = &ml.pcopy[ml.npcopy++];
		pc->var = var;
		pc->val = NULL;
	}
	xfree(pc->val);
	pc->val = copy;
	*(char **)var = copy;
	return 0;
}

int
mod_set_param(const char *module, const char *name, const struct val *v,
    struct cfg_diag *d, struct cfg_pos pos)
{
	const struct loaded_module *lm = mod_find(module);
	const struct param_export *p;
	struct cfg_pos saved;
	struct val cv;
	unsigned errs;
	int rc;

	if (lm == NULL) {
		diag_error_at(d, pos, "modparam: module '%s' is not loaded",
		    module);
		return -1;
	}
	if ((p = param_find(lm->mod, name)) == NULL) {
		diag_error_at(d, pos, "modparam: module '%s' has no parameter "
		    "'%s'", module, name);
		return -1;
	}
	if (param_convert(p, module, v, &cv, d, pos) == -1)
		return -1;
	if (p->var != NULL) {
		if (p->type == PARAM_INT) {
			*(int *)p->var = (int)cv.n;
			return 0;
		}
		if (param_store_str(p->var, &cv.s) == 0)
			return 0;
		diag_error_at(d, pos, "modparam: out of memory storing "
		    "parameter '%s' of module '%s'", name, module);
		return -1;
	}
	/* the setter reports through diag_error(), which points at d->cur */
	saved = d->cur;
	d->cur = pos;
	errs = d->errors;
	rc = p->set(&cv, d);
	d->cur = saved;
	if (rc < 0 && d->errors == errs)
		diag_error_at(d, pos, "modparam: invalid value for parameter "
		    "'%s' of module '%s'", name, module);
	return rc < 0 ? -1 : 0;
}

/* --- init, child_init, destroy ---------------------------------------- */

/* Depth-first: a module comes after what it depends on.  0 or -1. */
static int
order_visit(int i, unsigned char *state, int *order, int *n)
{
	const struct module *mod = ml.mods[i]->mod;

	if (state[i] == 2)
		return 0;
	state[i] = 1;           /* on the current path */
	for (const char *const *dep = mod->depends; dep && *dep; dep++) {
		int j = mod_index(*dep);

		if (j < 0) {
			log_errx("module '%s' depends on module '%s', which "
			    "is not loaded", mod->name, *dep);
			return -1;
		}
		if (state[j] == 1) {
			log_errx("module '%s' depends on module '%s', which "
			    "depends back on it (circular dependency)",
			    mod->name, *dep);
			return -1;
		}
		if (order_visit(j, state, order, n) == -1)
			return -1;
	}
	state[i] = 2;
	order[(*n)++] = i;
	return 0;
}

/* Rebuilds ml.order over every loaded module; 0 or -1 (logged). */
static int
mod_order(void)
{
	unsigned char *state = NULL;
	int *order = NULL;
	int n = 0;

	state = xcalloc((size_t)ml.n + 1, 1);
	order = xcalloc((size_t)ml.n + 1, sizeof(*order));
	if (state == NULL || order == NULL)
		goto fail;
	for (int i = 0; i < ml.n; i++)
		if (order_visit(i, state, order, &n) == -1)
			goto fail;
	xfree(state);
	xfree(ml.order);
	ml.order = order;
	ml.norder = n;
	return 0;

fail:
	xfree(order);
	xfree(state);
	return -1;
}

int
mod_init_all(void)
{
	if (mod_order() == -1)
		return -1;
	for (int k = 0; k < ml.norder; k++) {
		struct loaded_module *lm = ml.mods[ml.order[k]];

		if (lm->initialized)
			continue;
		if (lm->mod->init != NULL && lm->mod->init() < 0) {
			log_errx("module '%s': init failed", lm->mod->name);
			return -1;
		}
		lm->initialized = 1;
	}
	return 0;
}

int
mod_child_init_all(const struct proc_self *self)
{
	if (ml.norder != ml.n && mod_order() == -1)
		return -1;
	for (int k = 0; k < ml.norder; k++) {
		struct loaded_module *lm = ml.mods[ml.order[k]];

		if (!lm->initialized || lm->mod->child_init == NULL)
			continue;
		if (lm->mod->child_init(self) < 0) {
			log_errx("module '%s': child_init failed in %s",
			    lm->mod->name, self && self->desc ? self->desc :
			    "this process");
			return -1;
		}
	}
	return 0;
}

void
mod_destroy_all(void)
{
	for (int k = ml.norder - 1; k >= 0; k--) {
		struct loaded_module *lm = ml.mods[ml.order[k]];

		if (!lm->initialized)
			continue;
		if (lm->mod->destroy != NULL)
			lm->mod->destroy();
		lm->initialized = 0;
	}
}

const void *
mod_api_get(const char *name, unsigned version)
{
	const struct loaded_module *lm = mod_find(name);

	if (lm == NULL || lm->mod->api == NULL ||
	    lm->mod->api_version != version)
		return NULL;
	return lm->mod->api;
}

/*
 * The registries are reset too: their entries point into the modules'
 * memory, which dlclose() unmaps.  That drops the core's entries as well;
 * whoever starts again registers the core anew.
 */
void
mod_unload_all(void)
{
	cmd_registry_reset();
	pv_registry_reset();
	tr_registry_reset();
	rpc_registry_reset();
	for (int i = ml.n - 1; i >= 0; i--) {
		if (ml.mods[i]->mod != NULL && ml.mods[i]->mod->unload != NULL)
			ml.mods[i]->mod->unload();
		dlclose(ml.mods[i]->handle);
		xfree(ml.mods[i]->path);
		xfree(ml.mods[i]);
	}
	xfree(ml.mods);
	ml.mods = NULL;
	ml.n = ml.cap = 0;
	xfree(ml.order);
	ml.order = NULL;
	ml.norder = 0;
	/* the modules' variables are gone with them; only our copies stay */
	for (size_t i = 0; i < ml.npcopy; i++)
		xfree(ml.pcopy[i].val);
	xfree(ml.pcopy);
	ml.pcopy = NULL;
	ml.npcopy = ml.cappcopy = 0;
	mod_path_reset();
}
