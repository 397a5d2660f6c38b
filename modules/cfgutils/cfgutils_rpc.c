/*
 * cfgutils_rpc.c - the cfgutils.* RPC methods, with Kamailio's replies:
 * "actual probability: N percent", "0xHEX (decimal)", "TRUE"/"FALSE".
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgutils_rpc.h"
#include "cfgutils_state.h"
#include "cfgutils_util.h"
#include "core/rpc.h"

static void
rpc_rand_set_prob(struct rpc_call *c)
{
	long long p;

	if (rpc_arg_count(c) < 1) {
		rpc_fault(c, 500, "Invalid Parameters");
		return;
	}
	if (rpc_arg_int(c, 0, &p) != 0)
		return;
	if (!cfgu_prob_valid(p)) {
		rpc_fault(c, 500, "Invalid Percent");
		return;
	}
	cfgu_prob_set((int)p);
}

static void
rpc_rand_reset_prob(struct rpc_call *c)
{
	cfgu_prob_reset();
}

static void
rpc_rand_get_prob(struct rpc_call *c)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "actual probability: %d percent",
	    cfgu_prob_get());
	rpc_add_cstr(c, NULL, buf);
}

/* The flag mask argument: decimal or 0x hex, 32 bits.  0 or -1. */
static int
rpc_mask(struct rpc_call *c, unsigned *mask)
{
	char buf[32], *end;
	unsigned long v;
	str_t s;

	if (rpc_arg_count(c) < 1 || rpc_arg_str(c, 0, &s) != 0 ||
	    s.len == 0 || s.len >= sizeof(buf))
		goto bad;
	memcpy(buf, s.s, s.len);
	buf[s.len] = '\0';
	errno = 0;
	v = strtoul(buf, &end, 0);
	if (errno != 0 || *end != '\0' || buf[0] == '-' || v > 0xffffffffUL)
		goto bad;
	*mask = (unsigned)v;
	return 0;
bad:
	if (!rpc_failed(c))
		rpc_fault(c, 500, "Invalid Parameters");
	return -1;
}

static void
rpc_set_gflag(struct rpc_call *c)
{
	unsigned mask;

	if (rpc_mask(c, &mask) == 0)
		cfgu_gflags_set(mask);
}

static void
rpc_reset_gflag(struct rpc_call *c)
{
	unsigned mask;

	if (rpc_mask(c, &mask) == 0)
		cfgu_gflags_reset(mask);
}

static void
rpc_is_gflag(struct rpc_call *c)
{
	unsigned mask, v;

	if (rpc_mask(c, &mask) != 0)
		return;
	v = cfgu_gflags_get();
	rpc_add_cstr(c, NULL, (v & mask) == mask ? "TRUE" : "FALSE");
}

static void
rpc_get_gflags(struct rpc_call *c)
{
	unsigned v = cfgu_gflags_get();
	char buf[64];

	snprintf(buf, sizeof(buf), "0x%X (%u)", v, v);
	rpc_add_cstr(c, NULL, buf);
}

const struct rpc_export cfgu_rpcs[] = {
	{ "cfgutils.rand_set_prob", rpc_rand_set_prob, "percent: 0..100",
	  "Set the random probability." },
	{ "cfgutils.rand_reset_prob", rpc_rand_reset_prob, NULL,
	  "Reset the random probability." },
	{ "cfgutils.rand_get_prob", rpc_rand_get_prob, NULL,
	  "Get the random probability." },
	{ "cfgutils.set_gflag", rpc_set_gflag, "mask",
	  "Sets the bits specified by the argument." },
	{ "cfgutils.reset_gflag", rpc_reset_gflag, "mask",
	  "Resets the bits specified by the argument." },
	{ "cfgutils.is_gflag", rpc_is_gflag, "mask",
	  "Checks if the bits specified by the argument are all set." },
	{ "cfgutils.get_gflags", rpc_get_gflags, NULL,
	  "Return the value for global flags." },
	{ NULL, NULL, NULL, NULL },
};
