#include "config.h"

#include <string.h>

#include "log.h"

#include "msg.h"
#include "sip.h"

/* Written at module init, before fork; read-only afterwards. */
static void (*ext_release[MSG_EXT_MAX])(void *);
static int ext_count;

int
msg_ext_register(void (*release)(void *data))
{
	if (ext_count == MSG_EXT_MAX)
		return -1;
	ext_release[ext_count] = release;
	return ext_count++;
}

enum msg_kind
msg_classify(const char *buf, size_t len)
{
	if (len >= 8 && memcmp(buf, "SIP/2.0 ", 8) == 0)
		return MSG_SIP_REPLY;
	if (len >= 5 && memcmp(buf, "MSRP ", 5) == 0)
		return MSG_MSRP;
	if (len > 0)
		return MSG_SIP_REQUEST;
	return MSG_NONE;
}

void
msg_init(struct msg *m, const char *buf, size_t len,
    const struct rcv_info *rcv)
{
	memset(m, 0, sizeof(*m));
	m->buf = str_make(buf, len);
	m->kind = msg_classify(buf, len);
	if (rcv)
		m->rcv = *rcv;
	arena_init(&m->arena, 0);
}

void
msg_destroy(struct msg *m)
{
	for (int i = 0; i < ext_count; i++) {
		if (m->ext[i] && ext_release[i])
			ext_release[i](m->ext[i]);
		m->ext[i] = NULL;
	}
	sip_release(m);
	arena_free(&m->arena);
}

/* Copies uri into the message's arena as *slot (empty: clears). */
static int
msg_set_uri_slot(struct msg *m, str_t *slot, const str_t *uri)
{
	if (uri == NULL || uri->len == 0) {
		*slot = STR_NULL;
		return 0;
	}
	return arena_str_dup(&m->arena, uri, slot);
}

int
msg_set_ruri(struct msg *m, const str_t *uri)
{
	if (m->kind != MSG_SIP_REQUEST)
		return -1;
	return msg_set_uri_slot(m, &m->new_uri, uri);
}

int
msg_get_ruri(struct msg *m, str_t *out)
{
	if (m->kind != MSG_SIP_REQUEST)
		return -1;
	if (m->new_uri.len) {
		*out = m->new_uri;
		return 0;
	}
	return sip_ruri(m, out);
}

int
msg_set_duri(struct msg *m, const str_t *uri)
{
	if (m->kind != MSG_SIP_REQUEST)
		return -1;
	return msg_set_uri_slot(m, &m->dst_uri, uri);
}

int
msg_get_duri(struct msg *m, str_t *out)
{
	if (m->dst_uri.len == 0)
		return 0;
	*out = m->dst_uri;
	return 1;
}

/*
 * Replaces one part of the Request-URI ('U' user, 'd' host, 'p' port)
 * with val (empty removes the user or the port) and makes the result
 * the new Request-URI.  The rest of the URI is kept as written.
 */
int
msg_set_ruri_part(struct msg *m, int which, const str_t *val)
{
	str_t u, part, v = *val, host;
	const char *at, *lead = "", *tail = "";
	size_t cut = 0;
	char *buf;
	size_t n;

	if (msg_get_ruri(m, &u) != 0 ||
	    sip_uri_host(m, &u, &host) != 0) {
		log_errx("the Request-URI cannot be changed: none parses");
		return -1;
	}
	if (which == 'd' && v.len == 0) {
		log_errx("$rd: a URI needs a host");
		return -1;
	}
	if (which == 'U' && sip_uri_user(m, &u, &part) == 0) {
		at = part.s;
		cut = part.len;
		if (v.len == 0) {
			/* drop "user[:password]@" entirely */
			const char *e = memchr(part.s, '@',
			    u.len - (size_t)(part.s - u.s));
			cut = e ? (size_t)(e - part.s) + 1 : part.len;
		}
	} else if (which == 'U') {
		if (v.len == 0)
			return 0;
		at = host.s;
		tail = "@";
	} else if (which == 'd') {
		at = host.s;
		cut = host.len;
	} else if (sip_uri_port(m, &u, &part) == 0) {
		at = part.s - 1;                /* with its ':' */
		cut = part.len + 1;
		if (v.len)
			lead = ":";
	} else {
		if (v.len == 0)
			return 0;
		at = host.s + host.len;
		lead = ":";
	}
	n = (size_t)(at - u.s) + strlen(lead) + v.len + strlen(tail) +
	    (u.len - (size_t)(at - u.s) - cut);
	if ((buf = arena_alloc(&m->arena, n)) == NULL)
		return -1;
	memcpy(buf, u.s, (size_t)(at - u.s));
	n = (size_t)(at - u.s);
	memcpy(buf + n, lead, strlen(lead));
	n += strlen(lead);
	if (v.len)      /* an empty value may have no pointer at all */
		memcpy(buf + n, v.s, v.len);
	n += v.len;
	memcpy(buf + n, tail, strlen(tail));
	n += strlen(tail);
	memcpy(buf + n, at + cut, u.len - (size_t)(at - u.s) - cut);
	n += u.len - (size_t)(at - u.s) - cut;
	return msg_set_ruri(m, &(str_t){ buf, n });
}

const char *
proto_name(enum proto p)
{
	switch (p) {
	case PROTO_UDP:  return "udp";
	case PROTO_TCP:  return "tcp";
	case PROTO_TLS:  return "tls";
	case PROTO_WS:   return "ws";
	case PROTO_WSS:  return "wss";
	case PROTO_SCTP: return "sctp";
	default:         return "none";
	}
}
