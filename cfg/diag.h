/*
 * diag.h - the list of errors and warnings found while compiling a config.
 *
 * Nothing is printed while the config is compiled: every stage appends
 * here, and the caller prints the whole list (and refuses the config if
 * there is any error).  Lines read "file:line:col: error: what is wrong".
 */
#ifndef TD_CFG_DIAG_H
#define TD_CFG_DIAG_H

#include <stdio.h>

#include "src.h"

enum diag_sev { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

struct diag_item {
	enum diag_sev  sev;
	struct cfg_pos pos;
	char          *msg;
};

struct cfg_diag {
	struct diag_item *items;
	unsigned          n, cap;
	unsigned          errors, warnings;
	struct cfg_src   *src;      /* for file names when printing        */
	struct cfg_pos    cur;      /* where diag_error() without a position
	                             * points: set by the resolver around a
	                             * module's fixup or modparam setter     */
};

void diag_init(struct cfg_diag *d, struct cfg_src *src);
void diag_free(struct cfg_diag *d);

void diag_error_at(struct cfg_diag *d, struct cfg_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void diag_warn_at(struct cfg_diag *d, struct cfg_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void diag_note_at(struct cfg_diag *d, struct cfg_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* At d->cur: for module fixups and parameter setters. */
void diag_error(struct cfg_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void diag_warn(struct cfg_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Formats item i as "file:line:col: error: msg" into buf. */
int  diag_format(const struct cfg_diag *d, unsigned i, char *buf, size_t len);
/* Prints every item, one per line. */
void diag_print(const struct cfg_diag *d, FILE *fp);
/* Sends every item to the logger (errors as ERROR, warnings as WARNING). */
void diag_log(const struct cfg_diag *d);

#endif
