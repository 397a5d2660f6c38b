/*
 * ht_cmd.h - the htable script functions: sht_rm, sht_rm_name_re,
 * sht_rm_value_re, sht_rm_name, sht_rm_value, sht_reset, sht_setxs,
 * sht_setxi, sht_lock, sht_unlock.
 */
#ifndef TD_HT_CMD_H
#define TD_HT_CMD_H

struct cmd_export;

/* NULL-terminated table for the module descriptor. */
extern const struct cmd_export ht_cmd_exports[];

/*
 * Makes every message release, with a warning, the sht_lock()s it did
 * not sht_unlock() (init, before fork).  0, or -1 when the core has no
 * message slot left (the locks are then not tracked).
 */
int ht_cmd_track_locks(void);

#endif
