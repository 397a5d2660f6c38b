#include "config.h"

#include <stdio.h>

#include "action.h"
#include "cfg/resolve.h"
#include "module_api.h"
#include "route.h"

/* The running config: set once before fork, read-only afterwards. */
static struct cfg *running;

void
route_set_cfg(struct cfg *cfg)
{
	running = cfg;
}

struct cfg *
route_get_cfg(void)
{
	return running;
}

struct route_def *
route_find(enum route_kind k, const char *name)
{
	return running ? cfg_route_find(&running->tree, k, name) : NULL;
}

const char *
route_pos_text(struct cfg_pos pos)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s:%u",
	    running ? src_file_name(&running->src, pos.file) : "<config>",
	    pos.line);
	return buf;
}

int
route_run(struct msg *m, const struct route_def *r, unsigned rt)
{
	struct run_ctx ctx = { .ret = 1, .depth = 0, .rt = rt };
	enum act_status st;
	unsigned saved = m->route_type;

	m->route_type = rt;
	st = action_run_list(m, r->body, &ctx);
	m->route_type = saved;
	if (st == ACT_EXIT)
		return 0;
	return ctx.ret;
}

int
route_run_main(struct msg *m)
{
	struct route_def *r;

	if (m->kind == MSG_SIP_REPLY) {
		r = route_find(R_REPLY, NULL);
		return r ? route_run(m, r, RT_REPLY) : 1;
	}
	r = route_find(R_REQUEST, NULL);
	return r ? route_run(m, r, RT_REQUEST) : 1;
}

int
route_run_event(struct msg *m, const char *name)
{
	struct route_def *r = route_find(R_EVENT, name);

	return r ? route_run(m, r, RT_EVENT) : -1;
}
