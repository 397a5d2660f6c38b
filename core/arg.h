/*
 * arg.h - a script function's argument as the core fixes it up: a
 * constant, a compiled format, a writable PV, or a compiled regex,
 * depending on the arg_spec flags (module_api.h).
 */
#ifndef TD_ARG_H
#define TD_ARG_H

#include <regex.h>

#include "cfg/diag.h"
#include "str.h"
#include "val.h"

struct msg;
struct fmt;
struct pv_ref;

enum arg_kind {
	ARG_K_INT,      /* constant integer                    */
	ARG_K_FMT,      /* string, static or with PVs          */
	ARG_K_PV,       /* writable PV (ARG_PV)                */
	ARG_K_REGEX,    /* compiled regex (ARG_REGEX)          */
};

struct arg {
	enum arg_kind    kind;
	long long        n;         /* ARG_K_INT                            */
	struct fmt      *fmt;       /* ARG_K_FMT                            */
	struct pv_ref   *pv;        /* ARG_K_PV                             */
	regex_t          re;        /* ARG_K_REGEX                          */
	str_t            text;      /* the literal as written (for logs)    */
};

/* The argument as a string (rendered in m's arena).  0 or -1. */
int arg_str(struct msg *m, const void *a, str_t *out);
/* The argument as an integer; -1 when its text is not a number. */
int arg_int(struct msg *m, const void *a, long long *out);
/*
 * For fixups: the number a literal argument holds (an int, or a string
 * without variables that reads as one).  1 with *out set; 0 when the
 * argument holds variables (to be checked per message); -1 when the
 * literal is not a number.
 */
int arg_literal_int(const void *a, long long *out);
/* The argument as a value (a single PV keeps its type).  0 or -1. */
int arg_val(struct msg *m, const void *a, struct val *out);
/* For ARG_PV arguments. */
struct pv_ref *arg_pv(const void *a);
regex_t *arg_regex(const void *a);

/*
 * Frees what a holds (format, reference, regex, a copy of text) and a
 * itself; NULL is accepted.  Pairs with the constructors below.
 */
void arg_free(struct arg *a);

/*
 * Constructors for the resolver: each returns a new arg owning a copy of
 * text, or NULL with an error in d at pos.  arg_new_pv() wants exactly
 * one writable reference; arg_new_regex() compiles POSIX extended.
 */
struct arg *arg_new_int(long long n, const str_t *text);
struct arg *arg_new_fmt(const str_t *text, struct cfg_diag *d,
                        struct cfg_pos pos);
struct arg *arg_new_pv(const str_t *text, struct cfg_diag *d,
                       struct cfg_pos pos);
struct arg *arg_new_regex(const str_t *text, struct cfg_diag *d,
                          struct cfg_pos pos);

#endif
