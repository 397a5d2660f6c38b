/*
 * ht_expire.c - the autoexpire timer of the htable module.
 */
#include "config.h"

#include "core/log.h"
#include "core/timer.h"
#include "ht_expire.h"
#include "ht_reg.h"

long
ht_expire_sweep_all(void)
{
	long total = 0;

	for (unsigned i = 0; i < ht_reg_count(); i++) {
		struct ht_table *t = ht_reg_table((int)i);
		long n;

		if (t == NULL || t->autoexpire == 0)
			continue;
		n = ht_table_expire(t);
		if (n > 0)
			log_dbg("htable '%s': %ld expired item%s removed",
			    t->name, n, n == 1 ? "" : "s");
		total += n;
	}
	return total;
}

static void
ht_expire_tick(void *arg)
{
	(void)arg;
	ht_expire_sweep_all();
}

int
ht_expire_start(unsigned interval_ms)
{
	int any = 0;

	for (unsigned i = 0; i < ht_reg_count(); i++)
		if (ht_reg_spec(i)->autoexpire > 0)
			any = 1;
	if (!any)
		return 0;
	if (timer_register("htable autoexpire", interval_ms, ht_expire_tick,
	    NULL) == -1) {
		log_errx("htable: cannot register the autoexpire timer");
		return -1;
	}
	return 0;
}
