#include "config.h"

#include <string.h>

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
