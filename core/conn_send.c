#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "conn.h"
#include "conn_send.h"
#include "ipc.h"
#include "listen.h"
#include "log.h"
#include "proc.h"
#include "shm.h"
#include "sock.h"

/* Set in the process that owns connections (a worker); NULL elsewhere. */
static const struct conn_send_ops *ops;

void
conn_send_set_ops(const struct conn_send_ops *o)
{
	ops = o;
}

static int
post_to_owner(const struct conn_info *ci, uint16_t type, const char *buf,
    size_t len, unsigned flags)
{
	struct proc_info *owner = proc_at(ci->owner);
	struct ipc_hdr h = { .type = type, .conn_id = ci->id };
	struct ipc_send s = { 0 };
	char *blk = NULL;

	if (owner == NULL || owner->inbox_wr < 0) {
		log_errx("conn %llu: owner process %d unknown",
		    (unsigned long long)ci->id, ci->owner);
		return -1;
	}
	if (type == IPC_SEND) {
		blk = shm_malloc(len ? len : 1);
		if (blk == NULL) {
			log_errx("conn %llu: no shared memory for %zu bytes to "
			    "send", (unsigned long long)ci->id, len);
			return -1;
		}
		memcpy(blk, buf, len);
		s.blk = (uint64_t)(uintptr_t)blk;
		s.len = (uint32_t)len;
		s.flags = (flags & SEND_CLOSE) ? IPC_SEND_CLOSE : 0;
		h.len = sizeof(s);
	}
	if (ipc_send(owner->inbox_wr, &h, type == IPC_SEND ? &s : NULL, -1) < 0) {
		int e = errno;

		/* a full inbox is the owner being busy: the batching worker
		 * retries, other callers see the failure */
		if (e == EAGAIN)
			log_dbg("conn %llu: the inbox of %s is full",
			    (unsigned long long)ci->id, owner->desc);
		else
			log_err("conn %llu: posting to the inbox of %s failed",
			    (unsigned long long)ci->id, owner->desc);
		shm_free(blk);
		errno = e;
		return -1;
	}
	return 0;
}

int
conn_send(uint64_t id, const char *buf, size_t len, unsigned flags)
{
	struct conn_info ci;

	if (conn_get(id, &ci) < 0 || ci.state == CONN_CLOSING) {
		log_errx("conn %llu: send to a closed connection",
		    (unsigned long long)id);
		return -1;
	}
	if (len > UINT32_MAX)
		return -1;
	if (ops && ci.owner == proc_my_slot())
		return ops->local_send(id, buf, len, flags);
	if (ops && ops->remote_send)
		return ops->remote_send(id, ci.owner, buf, len, flags);
	return post_to_owner(&ci, IPC_SEND, buf, len, flags);
}

int
conn_close(uint64_t id)
{
	struct conn_info ci;

	if (conn_get(id, &ci) < 0)
		return -1;
	if (ops && ci.owner == proc_my_slot())
		return ops->local_close(id);
	return post_to_owner(&ci, IPC_CONN_CLOSE, NULL, 0, 0);
}

uint64_t
conn_connect(enum proto p, const struct sockaddr_storage *to)
{
	if (ops == NULL || ops->connect == NULL) {
		log_errx("outbound connections can only be opened by a TCP "
		    "worker");
		return 0;
	}
	return ops->connect(p, to);
}

int
udp_send(int sock_idx, const struct sockaddr_storage *to, const char *buf,
    size_t len)
{
	struct sock_info *si = listen_at(sock_idx);
	char a[64];
	ssize_t n;

	if (si == NULL || si->proto != PROTO_UDP) {
		log_errx("udp_send: socket %d is not a UDP socket", sock_idx);
		return -1;
	}
	do
		n = sendto(si->fd, buf, len, MSG_DONTWAIT,
		    (const struct sockaddr *)to,
		    sock_addr_len(to));
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		log_err("sendto(%s) from %s failed", sock_addr_text(to, a,
		    sizeof(a)), si->text);
		return -1;
	}
	return 0;
}

int
msg_send_back(struct msg *m, const struct sockaddr_storage *to,
    const char *buf, size_t len, unsigned flags)
{
	if (m->rcv.proto == PROTO_UDP)
		return udp_send(m->rcv.sock, to ? to : &m->rcv.src, buf, len);
	if (m->rcv.conn_id == 0) {
		log_errx("no connection to answer on");
		return -1;
	}
	return conn_send(m->rcv.conn_id, buf, len, flags);
}

int
conn_send_post(uint64_t id, int owner, const char *buf, size_t len,
    unsigned flags)
{
	struct conn_info ci;

	memset(&ci, 0, sizeof(ci));
	ci.id = id;
	ci.owner = owner;
	return post_to_owner(&ci, IPC_SEND, buf, len, flags);
}
