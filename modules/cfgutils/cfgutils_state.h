/*
 * cfgutils_state.h - what cfgutils shares between processes: the
 * probability of rand_event() and the global flags, in shared memory,
 * read and changed with atomic operations by the script and by RPC.
 */
#ifndef TD_CFGUTILS_STATE_H
#define TD_CFGUTILS_STATE_H

/* Creates the state (supervisor, before fork) with the initial values
 * of the modparams.  0 or -1 (logged). */
int      cfgu_state_init(int initial_prob, unsigned initial_gflags);
void     cfgu_state_destroy(void);

int      cfgu_prob_get(void);
void     cfgu_prob_set(int p);          /* p already checked: 0..100 */
void     cfgu_prob_reset(void);         /* back to initial_probability */

unsigned cfgu_gflags_get(void);
void     cfgu_gflags_set(unsigned mask);
void     cfgu_gflags_reset(unsigned mask);

#endif
