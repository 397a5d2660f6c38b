/*
 * sip_check.c - the headers a request must carry before any route sees
 * it.
 *
 * RFC 3261 8.1.1 makes Via, From, To, Call-ID and CSeq mandatory in
 * every request.  Kamailio's core drops a request without one of them
 * ("required headers not found in request") before the routing script
 * runs; Tandem does the same, so that a module can never act on such a
 * request (a registrar binding a REGISTER without From, msilo sending
 * mail on it) and no reply is built from headers that are not there.
 *
 * The check reads the raw header block of a framed message, without the
 * full parse: names only (compact forms included, RFC 3261 7.3.3), and a
 * value that is not empty, possibly on a folded line.
 */
#include "config.h"

#include <string.h>

#include "sip.h"

static const struct {
	const char *name;
	size_t      len;
	char        compact;
} required[] = {
	{ "Via",     3, 'v' },
	{ "From",    4, 'f' },
	{ "To",      2, 't' },
	{ "Call-ID", 7, 'i' },
	{ "CSeq",    4, '\0' },
};

#define NREQUIRED (sizeof(required) / sizeof(required[0]))

static inline int
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Index in required[] of the header named [p, p + n), or -1. */
static int
required_index(const char *p, size_t n)
{
	for (size_t i = 0; i < NREQUIRED; i++) {
		if (n == 1 && required[i].compact != '\0' &&
		    (p[0] | 0x20) == required[i].compact)
			return (int)i;
		if (n == required[i].len &&
		    strncasecmp(p, required[i].name, n) == 0)
			return (int)i;
	}
	return -1;
}

/* 1 when [p, end) holds something other than blanks. */
static int
has_text(const char *p, const char *end)
{
	for (; p < end; p++)
		if (!blank(*p))
			return 1;
	return 0;
}

const char *
sip_missing_hdr(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *eol;
	unsigned seen = 0;
	int open = -1;          /* required header whose value may fold */

	if ((eol = memchr(p, '\n', len)) == NULL)
		return required[0].name;
	for (p = eol + 1; p < end; p = eol + 1) {
		const char *colon, *name_end;
		int i;

		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if (p == eol || (p[0] == '\r' && p + 1 == eol))
			break;                  /* the empty line */
		if (p[0] == ' ' || p[0] == '\t') {
			if (open >= 0 && has_text(p, eol)) {
				seen |= 1u << open;
				open = -1;
			}
			continue;
		}
		open = -1;
		if ((colon = memchr(p, ':', (size_t)(eol - p))) == NULL)
			continue;
		for (name_end = colon; name_end > p && blank(name_end[-1]);
		    name_end--)
			;
		if ((i = required_index(p, (size_t)(name_end - p))) < 0)
			continue;
		if (has_text(colon + 1, eol))
			seen |= 1u << i;
		else
			open = i;
	}
	for (size_t i = 0; i < NREQUIRED; i++)
		if (!(seen & (1u << i)))
			return required[i].name;
	return NULL;
}
