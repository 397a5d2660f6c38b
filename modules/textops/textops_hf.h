/*
 * textops_hf.h - the header functions of textops: append_hf(),
 * insert_hf(), remove_hf(), remove_hf_re(), is_present_hf() and
 * is_present_hf_re(), with their fixups, for the export table in
 * textops.c.
 *
 * The changes go through core/msg_edit.h: the received request stays as
 * it came ($hdr() and these functions read it), and tm forwards the
 * edited copy.
 */
#ifndef TD_TEXTOPS_HF_H
#define TD_TEXTOPS_HF_H

#include "cfg/diag.h"
#include "core/msg.h"

/*
 * The script functions (cmd_fn: 1 true, -1 false).  args are what the
 * core and the fixups below built:
 *   append_hf / insert_hf:      text [, header name]
 *   remove_hf / is_present_hf:  header name
 *   remove_hf_re / is_present_hf_re: regex (tx_hf_fix_re)
 */
int tx_hf_append(struct msg *m, void *const *args);
int tx_hf_insert(struct msg *m, void *const *args);
int tx_hf_remove(struct msg *m, void *const *args);
int tx_hf_remove_re(struct msg *m, void *const *args);
int tx_hf_is_present(struct msg *m, void *const *args);
int tx_hf_is_present_re(struct msg *m, void *const *args);

/*
 * Fixups: a literal is checked when the config loads (0, or -1 with the
 * error in d); an argument with pseudo-variables is checked per message.
 * tx_hf_fix_text: header lines; tx_hf_fix_name: a header name (both keep
 * the core's struct arg).  tx_hf_fix_re compiles a literal expression
 * and replaces the argument with its own structure, which
 * tx_hf_free_re frees.
 */
int  tx_hf_fix_text(void **arg, struct cfg_diag *d);
int  tx_hf_fix_name(void **arg, struct cfg_diag *d);
int  tx_hf_fix_re(void **arg, struct cfg_diag *d);
void tx_hf_free_re(void *p);

#endif
