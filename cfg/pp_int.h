/*
 * pp_int.h - what pp.c (lines, defines, output) and pp_dir.c (the
 * directives) share; private to the preprocessor.
 */
#ifndef TD_CFG_PP_INT_H
#define TD_CFG_PP_INT_H

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>

#include "pp.h"
#include "pp_subst.h"

/* Each limit turns a runaway config into one error instead of a hang. */
#define PP_MAX_INCLUDE 10           /* include_file nesting              */
#define PP_MAX_NEST    32           /* a define inside a define ...      */
#define PP_MAX_OUT     (1u << 26)   /* bytes of output in all           */

#define IS_BLANK(c)   ((c) == ' ' || (c) == '\t')
#define IS_IDSTART(c) (isalpha((unsigned char)(c)) || (c) == '_')
#define IS_IDCHAR(c)  (isalnum((unsigned char)(c)) || (c) == '_')

struct pp_define {
	struct pp_define *next;
	char             *name;
	size_t            nlen;
	char             *value;
	size_t            vlen;
	struct cfg_pos    pos;      /* where defined; line 0: pp_define()   */
};

struct pp_cond {
	struct cfg_pos pos;         /* of the #!ifdef, for "unterminated"   */
	const char    *what;
	int            parent;      /* the enclosing region is read         */
	int            cond;
	int            active;
	int            seen_else;
};

/* One file being read; conditionals, comments and strings end with it. */
struct pp_file {
	uint32_t        file;
	const char     *name;
	const char     *buf;
	size_t          len, off;
	const char     *lp;         /* the current line, without '\n'       */
	size_t          ln;
	int             nl;         /* it ended with a newline              */
	uint32_t        no;
	struct pp_cond *conds;
	size_t          nconds, ccap;
	int             in_block;
	struct cfg_pos  block_pos;
	char            in_str;     /* a string may go on over a newline    */
};

struct pp_state {
	struct pp_ctx  *pp;
	struct pp_file *f;          /* the file being read                  */
	struct pp_out   out;
	size_t          cap, rcap;
	struct pp_wline w, t;       /* the line, and a scratch for substs   */
	size_t          budget;     /* bytes left for the current expansion */
	int             depth;      /* include depth                        */
	int             oom;
	int             full;       /* PP_MAX_OUT reached: stop reading     */
};

enum pp_dir {
	D_NONE, D_UNKNOWN, D_HEADER, D_DEFINE, D_TRYDEF, D_REDEF, D_UNDEF,
	D_IFDEF, D_IFNDEF, D_ELSE, D_ENDIF, D_DEFENV, D_TRYDEFENV, D_SUBST,
	D_SUBSTDEF, D_INCLUDE, D_IMPORT
};

/* A directive line. */
struct pp_dirline {
	enum pp_dir d;
	const char *at;             /* its first byte                       */
	const char *a;              /* what follows its name                */
	const char *e;              /* the end of the line, CR dropped      */
	char        what[32];       /* "#!define", for messages             */
};

/* pp.c */
const char       *pp_skip_blanks(const char *p, const char *e);
const char       *pp_skip_ident(const char *p, const char *e);
struct cfg_pos    pp_pos_of(const struct pp_state *st, const char *p);
void              pp_err(struct pp_state *st, const char *p, const char *fmt,
                         ...) __attribute__((format(printf, 3, 4)));
int               pp_junk(struct pp_state *st, const struct pp_dirline *x,
                          const char *p);
int               pp_grow(void **p, size_t *cap, size_t need, size_t size);
struct pp_define *pp_def_find(const struct pp_ctx *pp, const char *name,
                              size_t n);
int               pp_def_set(struct pp_ctx *pp, const char *name, size_t n,
                             const char *val, size_t vlen,
                             struct cfg_pos pos);
void              pp_def_del(struct pp_ctx *pp, const char *name, size_t n);
void              pp_def_new(struct pp_state *st, const char *name, size_t n,
                             const char *val, size_t vlen,
                             struct cfg_pos pos);
void              pp_emit_nl(struct pp_state *st);
void              pp_subst_apply(struct pp_state *st);
int               pp_file_active(const struct pp_file *f);
const char       *pp_line_end(const struct pp_file *f);
int               pp_next_line(struct pp_file *f);
void              pp_process_text(struct pp_state *st, uint32_t file,
                                  const char *buf, size_t len);

/* pp_dir.c */
/* Reads a whole file: 0, or -1 with errno set. */
int               pp_read_all(const char *path, char **buf, size_t *len);
enum pp_dir       pp_dir_parse(struct pp_state *st, struct pp_dirline *x);
void              pp_dir_run(struct pp_state *st, struct pp_dirline *x);

#endif
