#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "shm.h"

struct proc_table {
	int               n;
	struct proc_info  p[PROC_MAX];
};

static struct proc_table *table;            /* in shm */
static struct proc_self self = { PROC_ROLE_SUPERVISOR, 0, "supervisor" };
static int my_slot = -1;

/* argv area that the title may overwrite */
static char *title_start;
static size_t title_len;

int
proc_table_init(void)
{
	table = shm_calloc(1, sizeof(*table));
	if (table == NULL)
		return -1;
	return 0;
}

int
proc_slot_add(enum proc_role role, int index, const char *desc)
{
	struct proc_info *pi;

	if (table == NULL || table->n == PROC_MAX) {
		log_errx("too many processes (max %d)", PROC_MAX);
		return -1;
	}
	pi = &table->p[table->n];
	memset(pi, 0, sizeof(*pi));
	pi->role = role;
	pi->index = index;
	snprintf(pi->desc, sizeof(pi->desc), "%s", desc);
	pi->ctl_sup = pi->ctl_child = pi->inbox_rd = pi->inbox_wr = -1;
	return table->n++;
}

int
proc_count(void)
{
	return table ? table->n : 0;
}

struct proc_info *
proc_at(int slot)
{
	return table && slot >= 0 && slot < table->n ? &table->p[slot] : NULL;
}

int
proc_my_slot(void)
{
	return my_slot;
}

const struct proc_self *
proc_get_self(void)
{
	return &self;
}

void
proc_set_self(int slot, enum proc_role role, int index, const char *desc)
{
	my_slot = slot;
	self.role = role;
	self.index = index;
	self.desc = desc;
	if (slot >= 0 && table) {
		table->p[slot].pid = getpid();
		table->p[slot].started = (int64_t)time(NULL);
	}
	/* every process draws its own random numbers ($RANDOM, nonces) */
	srandom((unsigned)(getpid() ^ time(NULL)));
}

void
proc_title_init(int argc, char **argv)
{
	char *end;

	if (argc == 0 || argv[0] == NULL)
		return;
	/* argv strings are contiguous: the title may use all of them */
	end = argv[argc - 1] + strlen(argv[argc - 1]);
	title_start = argv[0];
	title_len = (size_t)(end - argv[0]);
}

void
proc_set_title(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	prctl(PR_SET_NAME, buf + (strncmp(buf, "tandem: ", 8) == 0 ? 8 : 0),
	    0, 0, 0);
	if (title_start == NULL || title_len < 2)
		return;
	memset(title_start, 0, title_len);
	snprintf(title_start, title_len, "%s", buf);
}
