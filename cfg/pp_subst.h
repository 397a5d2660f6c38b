/*
 * pp_subst.h - the preprocessor's #!subst / #!substdef engine, internal to
 * pp.c: compiling an expression, applying the substs to a line, and the
 * line buffer that keeps the source column of every byte through them.
 *
 * Every function taking an int *oom sets it when memory runs out, so that
 * the preprocessor stops with a single "out of memory" error.
 */
#ifndef TD_CFG_PP_SUBST_H
#define TD_CFG_PP_SUBST_H

#include <stddef.h>
#include <stdint.h>

#include "pp.h"

/* Bytes one name or one subst'ed line may become: "#!define A B B" ... */
#define PP_MAX_EXPAND  (1u << 20)

/* Where one byte of the working line came from. */
struct pp_lbyte {
	uint32_t col;
	uint32_t exp;               /* 1: made by a subst replacement       */
};

/* The line being worked on: its bytes and, for each, the source column. */
struct pp_wline {
	char            *b;         /* NUL-terminated for regexec()         */
	struct pp_lbyte *m;
	size_t           n, cap;
};

/* Appends c from column col; does nothing once *oom is set. */
void pp_subst_line_put(struct pp_wline *w, char c, uint32_t col,
                       uint32_t exp, int *oom);
/* Empties w, or fills it with the n bytes at p, columns from 1.  0 / -1
 * (-1 also when *oom was set before). */
int  pp_subst_line_load(struct pp_wline *w, const char *p, size_t n,
                        int *oom);
void pp_subst_line_free(struct pp_wline *w);

/*
 * #!substdef: given the expression and the replacement as written, once
 * the expression has compiled; arg is the one given to pp_subst_add().
 */
typedef void pp_subst_def_fn(void *arg, const char *name, size_t n,
                             const char *val, size_t vlen,
                             struct cfg_pos pos);

/*
 * Compiles s ("DreDreplDflags", D the delimiter) and appends it to pp's
 * substs, which apply in the order they were added.  A bad expression is
 * reported at pos, naming the directive what.  def is NULL for #!subst.
 */
void pp_subst_add(struct pp_ctx *pp, const char *what, const char *s,
                  size_t n, struct cfg_pos pos, pp_subst_def_fn *def,
                  void *arg, int *oom);
/*
 * Runs every subst over *w; t is scratch space (both keep their memory for
 * the next line).  A replacement maps to the column of its match.  A line
 * grown past PP_MAX_EXPAND is reported at line and emptied.
 */
void pp_subst_run(struct pp_ctx *pp, struct pp_wline *w, struct pp_wline *t,
                  struct cfg_pos line, int *oom);
/* Frees pp's substs. */
void pp_subst_free(struct pp_ctx *pp);

#endif
