/*
 * proc.h - the process table (in shared memory, for core.ps) and who the
 * current process is (proc_self, the one other allowed global besides
 * core_cfg).
 */
#ifndef TD_PROC_H
#define TD_PROC_H

#include <stdint.h>
#include <sys/types.h>

#include "module_api.h"

#define PROC_MAX  256
#define PROC_DESC 48

struct proc_info {
	volatile pid_t   pid;       /* 0: slot unused or process dead      */
	enum proc_role   role;
	int              index;     /* within the role                     */
	char             desc[PROC_DESC];
	volatile int     nconns;    /* TCP connections owned (workers)     */
	volatile uint64_t msgs;     /* messages handled                    */
	int64_t          started;   /* unix time                           */
	int              restarts;
	/* socketpairs, set by the supervisor before the fork */
	int              ctl_sup;   /* supervisor's end of the control pair */
	int              ctl_child; /* the child's end                      */
	int              inbox_rd;  /* the child reads its inbox here       */
	int              inbox_wr;  /* anyone writes to the child's inbox   */
};

/* Creates the table in shm (supervisor, after shm_init).  0 or -1. */
int  proc_table_init(void);
/* Adds a slot (before fork); returns its index or -1. */
int  proc_slot_add(enum proc_role role, int index, const char *desc);
int  proc_count(void);
struct proc_info *proc_at(int slot);

/* The calling process: its slot in the table, -1 for the supervisor. */
int  proc_my_slot(void);
const struct proc_self *proc_get_self(void);
void proc_set_self(int slot, enum proc_role role, int index,
                   const char *desc);

/* Keeps argv so that the process title can be rewritten (ps, top). */
void proc_title_init(int argc, char **argv);
void proc_set_title(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif
