/*
 * fmt.h - compiled formats: a string with pseudo-variables in it
 * ("from $si:$sp", "s.$(pp).$(var(cnt))"), compiled once at load time and
 * rendered per message.
 *
 * A '$' that does not start a valid reference (end of text, or followed
 * by a char that cannot begin a name, such as a blank or a digit) is
 * literal text; "$$" renders a single '$'.  An unknown class name is an
 * error.
 */
#ifndef TD_FMT_H
#define TD_FMT_H

#include <stddef.h>

#include "cfg/diag.h"
#include "str.h"
#include "val.h"

struct msg;
struct pv_ref;
struct fmt;

/* 0 and *out, or -1 (error in d at pos, the position of s[0]). */
int  fmt_compile(const char *s, size_t len, struct fmt **out,
                 struct cfg_diag *d, struct cfg_pos pos);
/* 1 when the format holds no PV (its text is fixed). */
int  fmt_is_static(const struct fmt *f);
/* The fixed text of a static format (else the literal parts joined). */
str_t fmt_static_text(const struct fmt *f);
/* If the format is exactly one PV reference, that reference; else NULL. */
const struct pv_ref *fmt_single_pv(const struct fmt *f);
/* The text as written in the config. */
const char *fmt_source(const struct fmt *f);

/* Renders into m's arena; a null PV renders as "<null>" like Kamailio. */
int  fmt_render(struct msg *m, const struct fmt *f, str_t *out);
/* Like fmt_render but a single-PV format keeps the PV's own value type. */
int  fmt_eval(struct msg *m, const struct fmt *f, struct val *out);
void fmt_free(struct fmt *f);

#endif
