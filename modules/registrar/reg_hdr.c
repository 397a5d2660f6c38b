/*
 * reg_hdr.c - Path, Allow / methods and option-tag parsing for the
 * registrar.  Pure: pointers into the input, errors as text for the
 * caller to log.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "reg_hdr.h"
#include "reg_parse.h"

/* Kamailio's request method bits, in its order (bit i = 1 << i). */
static const char *const reg_methods[] = {
	"INVITE", "CANCEL", "ACK", "BYE", "INFO", "REGISTER", "SUBSCRIBE",
	"NOTIFY", "MESSAGE", "OPTIONS", "PRACK", "UPDATE", "REFER", "PUBLISH",
	"KDMQ", "GET", "POST", "PUT", "DELETE",
};

static int
hdr_is_token(int c)
{
	return isalnum(c) || (c != 0 && strchr("-.!%*_+`'~", c) != NULL);
}

static int
hdr_is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
hdr_skip_ws(const char **p, const char *end)
{
	while (*p < end && hdr_is_ws(**p))
		(*p)++;
}

static int
hdr_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Past a quoted string that starts at *p ('"').  0, or -1 unterminated. */
static int
hdr_skip_quoted(const char **p, const char *end)
{
	for ((*p)++; *p < end; (*p)++) {
		if (**p == '\\') {
			if (++*p == end)
				return -1;
			continue;
		}
		if (**p == '"') {
			(*p)++;
			return 0;
		}
	}
	return -1;
}

/* --- methods ------------------------------------------------------------- */

unsigned
reg_method_bit(const str_t *name)
{
	for (size_t i = 0; i < sizeof(reg_methods) / sizeof(reg_methods[0]);
	    i++)
		if (str_caseeq_cstr(name, reg_methods[i]))
			return 1u << i;
	return REG_METHOD_OTHER;
}

int
reg_methods_parse(const str_t *list, unsigned *mask)
{
	str_t rest = *list, tok;
	unsigned m = 0;

	while (str_token(&rest, ',', &tok)) {
		str_trim(&tok);
		if (tok.len == 0)
			continue;
		for (size_t i = 0; i < tok.len; i++)
			if (!hdr_is_token((unsigned char)tok.s[i]))
				return -1;
		m |= reg_method_bit(&tok);
	}
	*mask |= m;
	return 0;
}

/* --- option tags --------------------------------------------------------- */

int
reg_option_tag(const str_t *body, const char *tag)
{
	str_t rest = *body, tok;

	while (str_token(&rest, ',', &tok)) {
		str_trim(&tok);
		if (str_caseeq_cstr(&tok, tag))
			return 1;
	}
	return 0;
}

/* --- Path -------------------------------------------------------------- */

/* The display name before '<' (quoted, or tokens and blanks).  Leaves *p
 * on the '<'.  0 or -1. */
static int
path_display(const char **p, const char *end, char *err, size_t errlen)
{
	if (**p == '"') {
		if (hdr_skip_quoted(p, end) != 0)
			return hdr_err(err, errlen, "unterminated display name");
		hdr_skip_ws(p, end);
	} else {
		while (*p < end && (hdr_is_token((unsigned char)**p) ||
		    hdr_is_ws(**p)))
			(*p)++;
	}
	if (*p >= end || **p != '<')
		return hdr_err(err, errlen, "a Path value must be a name-addr "
		    "(<uri>)");
	return 0;
}

/* <uri>: sets uri (without the brackets), leaves *p after '>'. */
static int
path_uri(const char **p, const char *end, str_t *uri, char *err,
    size_t errlen)
{
	const char *gt = memchr(*p, '>', (size_t)(end - *p));
	struct reg_uri u;

	if (gt == NULL)
		return hdr_err(err, errlen, "'>' missing");
	*uri = str_make(*p + 1, (size_t)(gt - *p - 1));
	str_trim(uri);
	*p = gt + 1;
	if (reg_parse_uri(uri, &u) != 0 || (!str_caseeq_cstr(&u.scheme, "sip") &&
	    !str_caseeq_cstr(&u.scheme, "sips")))
		return hdr_err(err, errlen, "'%.*s' is not a SIP URI",
		    STR_FMT(uri));
	return 0;
}

/* *(; name[=value]) up to ',' or the end. */
static int
path_params(const char **p, const char *end, char *err, size_t errlen)
{
	for (;;) {
		const char *s;

		hdr_skip_ws(p, end);
		if (*p >= end || **p == ',')
			return 0;
		if (**p != ';')
			return hdr_err(err, errlen, "unexpected '%c' after a "
			    "Path URI", **p);
		(*p)++;
		hdr_skip_ws(p, end);
		for (s = *p; *p < end && hdr_is_token((unsigned char)**p); (*p)++)
			;
		if (*p == s)
			return hdr_err(err, errlen, "empty Path parameter name");
		hdr_skip_ws(p, end);
		if (*p >= end || **p != '=')
			continue;
		(*p)++;
		hdr_skip_ws(p, end);
		if (*p < end && **p == '"') {
			if (hdr_skip_quoted(p, end) != 0)
				return hdr_err(err, errlen, "unterminated "
				    "quoted Path parameter");
			continue;
		}
		for (s = *p; *p < end && (hdr_is_token((unsigned char)**p) ||
		    strchr(":[]/@", **p) != NULL); (*p)++)
			;
		if (*p == s)
			return hdr_err(err, errlen, "empty Path parameter "
			    "value");
	}
}

int
reg_path_parse(const str_t *body, int *count, str_t *first, char *err,
    size_t errlen)
{
	const char *p = body->s, *end = body->s + body->len;
	str_t uri;

	*count = 0;
	err[0] = '\0';
	for (;;) {
		hdr_skip_ws(&p, end);
		if (p >= end)
			return hdr_err(err, errlen, *count ? "empty value after "
			    "','" : "empty Path");
		if (path_display(&p, end, err, errlen) != 0 ||
		    path_uri(&p, end, &uri, err, errlen) != 0 ||
		    path_params(&p, end, err, errlen) != 0)
			return -1;
		if (*count == 0 && first != NULL)
			*first = uri;
		(*count)++;
		if (p >= end)
			return 0;
		p++;            /* the ',' */
	}
}
