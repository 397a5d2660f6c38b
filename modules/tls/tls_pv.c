/*
 * tls_pv.c - the tls module's pseudo-variables (see tls_pv.h).  They
 * read the connection's state in the owner worker, where the message is
 * being handled, and fall back to the shared summary otherwise.  They
 * are null for a message that did not come over TLS.
 */
#include "config.h"

#include <string.h>

#include "core/module_api.h"
#include "core/tls_hooks.h"
#include "tls_io.h"
#include "tls_pv.h"
#include "tls_table.h"

/* The TLS facts of m's connection.  0, or -1 when it has none. */
static int
tls_view_of(struct msg *m, struct tls_conn_view *v, struct tls_summary *tmp)
{
	if (m == NULL || m->rcv.proto != PROTO_TLS || m->rcv.conn_id == 0)
		return -1;
	if (tls_io_view(tls_conn_state(m->rcv.conn_id), v) == 0)
		return 0;
	if (tls_table_get(m->rcv.conn_id, tmp) < 0)
		return -1;
	v->established = 1;
	v->version = tmp->version;
	v->cipher = tmp->cipher;
	v->peer_cn = tmp->peer_cn;
	v->verified = tmp->verified;
	return 0;
}

/* A copy in the message's arena: the connection may close before the
 * message is done. */
static int
set_copy(struct msg *m, const char *s, struct val *out)
{
	char *c = arena_strndup(&m->arena, s, strlen(s));

	if (c == NULL)
		return -1;
	val_set_str(out, str_make(c, strlen(c)));
	return 0;
}

enum tls_pv_field { F_VERSION, F_CIPHER, F_PEER_CN };

static int
pv_field(struct msg *m, enum tls_pv_field f, struct val *out)
{
	struct tls_conn_view v;
	struct tls_summary tmp;
	const char *s;

	if (tls_view_of(m, &v, &tmp) < 0) {
		val_set_null(out);
		return 0;
	}
	s = f == F_VERSION ? v.version : f == F_CIPHER ? v.cipher : v.peer_cn;
	if (f == F_PEER_CN && s[0] == '\0') {
		val_set_null(out);      /* no peer certificate */
		return 0;
	}
	return set_copy(m, s, out);
}

static int
pv_version(struct msg *m, void *compiled, struct val *out)
{
	(void)compiled;
	return pv_field(m, F_VERSION, out);
}

static int
pv_cipher(struct msg *m, void *compiled, struct val *out)
{
	(void)compiled;
	return pv_field(m, F_CIPHER, out);
}

static int
pv_peer_cn(struct msg *m, void *compiled, struct val *out)
{
	(void)compiled;
	return pv_field(m, F_PEER_CN, out);
}

static int
pv_verified(struct msg *m, void *compiled, struct val *out)
{
	struct tls_conn_view v;
	struct tls_summary tmp;

	(void)compiled;
	if (tls_view_of(m, &v, &tmp) < 0)
		val_set_null(out);
	else
		val_set_int(out, v.verified ? 1 : 0);
	return 0;
}

const struct pv_export tls_pv_exports[] = {
	{ .name = "tls_version", .flags = PV_READ, .get = pv_version },
	{ .name = "tls_cipher", .flags = PV_READ, .get = pv_cipher },
	{ .name = "tls_peer_subject_cn", .flags = PV_READ, .get = pv_peer_cn },
	{ .name = "tls_peer_verified", .flags = PV_READ, .get = pv_verified },
	{ .name = NULL },
};

int
tls_is_peer_verified(struct msg *m, void *const *args)
{
	struct tls_conn_view v;
	struct tls_summary tmp;

	(void)args;
	if (tls_view_of(m, &v, &tmp) < 0 || !v.verified)
		return -1;
	return 1;
}
