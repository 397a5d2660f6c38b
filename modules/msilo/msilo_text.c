/*
 * msilo_text.c - notification and delivery texts (see msilo_text.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "msilo_text.h"

/* Appends n bytes; -1 when they do not fit. */
static int
put(char *buf, size_t len, size_t *off, const char *s, size_t n)
{
	if (n > len || *off > len - n)
		return -1;
	memcpy(buf + *off, s, n);
	*off += n;
	return 0;
}

static int
put_c(char *buf, size_t len, size_t *off, const char *s)
{
	return put(buf, len, off, s, strlen(s));
}

int
msilo_notice_body(char *buf, size_t len, const str_t *owner)
{
	size_t off = 0;

	if (put_c(buf, len, &off, "User [") != 0 ||
	    put(buf, len, &off, owner->s, owner->len) != 0 ||
	    put_c(buf, len, &off, "] is offline. The message will be "
	    "delivered when user goes online.") != 0)
		return -1;
	return (int)off;
}

int
msilo_offline_body(char *buf, size_t len, time_t inc, int add_date,
    const str_t *body)
{
	size_t off = 0;

	if (add_date) {
		char date[40];
		struct tm tm;

		/* ctime()'s layout without its newline, in local time */
		if (localtime_r(&inc, &tm) == NULL ||
		    strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y",
		    &tm) == 0)
			return -1;
		if (put_c(buf, len, &off, "[Offline message - ") != 0 ||
		    put_c(buf, len, &off, date) != 0 ||
		    put_c(buf, len, &off, "] ") != 0)
			return -1;
	}
	if (body->len && put(buf, len, &off, body->s, body->len) != 0)
		return -1;
	return (int)off;
}

int
msilo_date_hdr(char *buf, size_t len, time_t t)
{
	static const char *const days[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
	};
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
	};
	struct tm tm;
	int w;

	/* by hand: strftime's %a/%b follow the locale, RFC 1123 does not */
	if (gmtime_r(&t, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6 ||
	    tm.tm_mon < 0 || tm.tm_mon > 11)
		return -1;
	w = snprintf(buf, len, "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return w < 0 || (size_t)w >= len ? -1 : w;
}

int
msilo_ctype_ok(const str_t *ctype)
{
	const char *slash;

	if (ctype == NULL || ctype->len == 0 || ctype->len > 255)
		return 0;
	for (size_t i = 0; i < ctype->len; i++) {
		unsigned char c = (unsigned char)ctype->s[i];

		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	slash = memchr(ctype->s, '/', ctype->len);
	return slash != NULL && slash != ctype->s &&
	    slash + 1 < ctype->s + ctype->len;
}

int
msilo_delivery_hdrs(char *buf, size_t len, const str_t *ctype, time_t inc,
    const str_t *extra)
{
	size_t off = 0;
	int w;

	if (put_c(buf, len, &off, "Content-Type: ") != 0)
		return -1;
	if (ctype != NULL && ctype->len > 0) {
		if (put(buf, len, &off, ctype->s, ctype->len) != 0)
			return -1;
	} else if (put_c(buf, len, &off, "text/plain") != 0) {
		return -1;
	}
	if (put_c(buf, len, &off, "\r\n") != 0)
		return -1;
	if ((w = msilo_date_hdr(buf + off, len - off, inc)) < 0)
		return -1;
	off += (size_t)w;
	if (extra != NULL && extra->len > 0) {
		if (put(buf, len, &off, extra->s, extra->len) != 0)
			return -1;
		if ((extra->len < 2 || memcmp(extra->s + extra->len - 2,
		    "\r\n", 2) != 0) && put_c(buf, len, &off, "\r\n") != 0)
			return -1;
	}
	return (int)off;
}
