#include "config.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "core/cmd.h"
#include "core/pv.h"
#include "core/rpc.h"
#include "parse.h"
#include "resolve.h"

static int
cfg_compile(struct cfg *cfg, struct core_cfg *c)
{
	if (cfg_parse(&cfg->pp, &cfg->diag, &cfg->tree) < 0 ||
	    cfg->diag.errors)
		return -1;      /* resolving a broken tree only adds noise */
	if (pv_core_register(&cfg->diag) < 0 ||
	    cmd_core_register(&cfg->diag) < 0 ||
	    rpc_core_register(&cfg->diag) < 0)
		return -1;
	if (cfg_resolve(&cfg->tree, c, cfg->dir, &cfg->diag) < 0)
		return -1;
	return cfg->diag.errors ? -1 : 0;
}

static void
cfg_start(struct cfg *out)
{
	memset(out, 0, sizeof(*out));
	src_init(&out->src);
	diag_init(&out->diag, &out->src);
}

int
cfg_load(const char *path, struct core_cfg *c, const char *const *defines,
    struct cfg *out)
{
	struct pp_ctx pp;
	char *tmp = NULL;
	int rc = -1;

	cfg_start(out);
	pp_init(&pp, &out->src, &out->diag);
	for (int i = 0; defines && defines[i]; i++) {
		char *name = strdup(defines[i]), *eq;

		if (name == NULL)
			goto done;
		eq = strchr(name, '=');
		if (eq)
			*eq++ = '\0';
		pp_define(&pp, name, eq ? eq : "");
		free(name);
	}
	if ((tmp = strdup(path)) == NULL ||
	    (out->dir = strdup(dirname(tmp))) == NULL)
		goto done;
	if (pp_run_file(&pp, path, &out->pp) < 0) {
		if (out->diag.errors == 0)
			diag_error_at(&out->diag, (struct cfg_pos){ 0, 0, 0 },
			    "cannot read config file '%s'", path);
		goto done;
	}
	rc = cfg_compile(out, c);
done:
	free(tmp);
	pp_free(&pp);
	return rc;
}

int
cfg_load_buffer(const char *name, const char *text, struct core_cfg *c,
    struct cfg *out)
{
	struct pp_ctx pp;
	int rc = -1;

	cfg_start(out);
	pp_init(&pp, &out->src, &out->diag);
	if ((out->dir = strdup(".")) == NULL)
		goto done;
	if (pp_run_buffer(&pp, name, text, strlen(text), &out->pp) < 0)
		goto done;
	rc = cfg_compile(out, c);
done:
	pp_free(&pp);
	return rc;
}

void
cfg_free(struct cfg *cfg)
{
	ast_tree_free(&cfg->tree);
	pp_out_free(&cfg->pp);
	diag_free(&cfg->diag);
	src_free(&cfg->src);
	free(cfg->dir);
	cfg->dir = NULL;
}
