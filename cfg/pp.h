/*
 * pp.h - the config preprocessor.
 *
 * Reads the main config file (and the files it includes) line by line and
 * produces one text for the lexer, plus a source map from every byte of
 * that text back to file:line:col in the original files.
 *
 * It handles, in the order a reader meets them:
 *  - comments: `#` to end of line (but `#!` and `!!` start a directive),
 *    `//` to end of line and `/ * ... * /` (may span lines); strings "..."
 *    and '...' are never looked into for comments or defines.  Comments are
 *    replaced by spaces (newlines kept) so columns and lines stay right.
 *  - headers `#!KAMAILIO`, `#!SER`, `#!OPENSER`, `#!TANDEM`, `#!ALL`,
 *    `#!MAXCOMPAT`: accepted, produce nothing.
 *  - `#!define NAME [value]`, `#!trydef`, `#!redefine`, `#!undef`,
 *    `#!ifdef`, `#!ifndef`, `#!else`, `#!endif` (nested), the value may be
 *    continued on the next line by a trailing backslash; `#!defenv
 *    NAME=ENVVAR` / `#!defenv ENVVAR`, `#!trydefenv`.  The `!!` prefix is
 *    accepted for every `#!` directive (Kamailio allows both).
 *  - `#!subst "/re/repl/flags"` and `#!substdef "!ID!value!flags"`: the
 *    first character after the quote is the delimiter; flags g (all) and
 *    i (ignore case); repl may use \0..\9.  A subst applies to the text of
 *    every following line, strings included; substdef also defines ID as
 *    value (like #!define).
 *  - `include_file "path"` / `import_file "path"` (also with `#!` prefix),
 *    alone on their line: the file is read in place; relative paths are
 *    tried against the including file's directory, then the working
 *    directory.  import_file of a missing file is silently skipped;
 *    include_file of a missing file is an error.  Include depth is bounded.
 *  - defined names are replaced, outside strings and comments, wherever
 *    they appear as a whole identifier; the replacement is scanned again
 *    (recursion bounded) and maps back to the position of the name.
 *
 * Errors go to the diag list ("file:line:col: ...", e.g. an #!else
 * without #!ifdef, an unterminated #!ifdef at end of file, an unterminated
 * comment, a bad subst expression, a missing include).
 */
#ifndef TD_CFG_PP_H
#define TD_CFG_PP_H

#include <stddef.h>

#include "diag.h"
#include "src.h"

/* One run of output bytes that maps to one place in the sources. */
struct pp_run {
	size_t          off;        /* first output byte of the run         */
	struct cfg_pos  pos;        /* where that byte came from            */
	int             expanded;   /* 1: the run is a define's replacement;
	                             * every byte maps to pos (the name)    */
};

struct pp_out {
	char           *text;       /* NUL-terminated                       */
	size_t          len;
	struct pp_run  *runs;       /* sorted by off                        */
	size_t          nruns;
};

struct pp_define;

struct pp_ctx {
	struct cfg_src   *src;
	struct cfg_diag  *diag;
	struct pp_define *defs;     /* opaque to users                      */
	void             *priv;     /* opaque: substs, include stack, ...   */
};

/* Starts a preprocessor; src and diag must outlive it. */
void pp_init(struct pp_ctx *pp, struct cfg_src *src, struct cfg_diag *diag);
/* Defines NAME=value before reading (tandem -A NAME[=value]). 0 / -1. */
int  pp_define(struct pp_ctx *pp, const char *name, const char *value);
/* 1 if NAME is defined, else 0. */
int  pp_is_defined(const struct pp_ctx *pp, const char *name);

/*
 * Reads path (and its includes).  Returns 0 and fills *out, or -1 when the
 * file cannot be read at all; other problems are added to the diag list
 * and still return 0 with the best output possible, so that later stages
 * can report more errors in one run.  out is freed with pp_out_free().
 */
int  pp_run_file(struct pp_ctx *pp, const char *path, struct pp_out *out);
/* Same from a buffer; name is used in positions (tests, fuzzing). */
int  pp_run_buffer(struct pp_ctx *pp, const char *name, const char *buf,
                   size_t len, struct pp_out *out);

/* The source position of output byte off. */
struct cfg_pos pp_out_pos(const struct pp_out *out, size_t off);

void pp_out_free(struct pp_out *out);
void pp_free(struct pp_ctx *pp);

#endif
