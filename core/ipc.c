/*
 * ipc.c - framed messages over SOCK_SEQPACKET socketpairs (see ipc.h).
 *
 * Both ends are trusted (same binary), so a message that breaks the table
 * below is a bug, not an attack; still, a bug must never leak an fd into
 * a long-lived worker, so every descriptor that arrives is either handed
 * to the caller or closed here before returning.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ipc.h"
#include "log.h"

enum ipc_fd_rule {
	IPC_FD_FORBIDDEN = 0,
	IPC_FD_REQUIRED,
	IPC_FD_OPTIONAL,        /* no type uses it yet; the checks allow it */
};

struct ipc_rule {
	const char  *name;      /* NULL: not a type                         */
	uint32_t     len;       /* exact payload length                     */
	uint8_t      fd;        /* enum ipc_fd_rule                         */
};

static const struct ipc_rule ipc_rules[IPC_TYPE_MAX] = {
	[IPC_CONN_ADOPT]    = { .name = "CONN_ADOPT",
	                        .len = sizeof(struct ipc_adopt),
	                        .fd = IPC_FD_REQUIRED },
	[IPC_CONN_DONE]     = { .name = "CONN_DONE", .len = 0 },
	[IPC_CONN_OUTBOUND] = { .name = "CONN_OUTBOUND", .len = 0,
	                        .fd = IPC_FD_REQUIRED },
	[IPC_SEND]          = { .name = "SEND",
	                        .len = sizeof(struct ipc_send) },
	[IPC_CONN_CLOSE]    = { .name = "CONN_CLOSE", .len = 0 },
	[IPC_SHUTDOWN]      = { .name = "SHUTDOWN", .len = 0 },
};

/*
 * Room for more fds than the protocol ever carries: a peer that sends a
 * few too many must not make the kernel set MSG_CTRUNC, so that the
 * extras reach us and are closed here rather than making the whole
 * message unreadable.
 */
#define IPC_FDS_ROOM 8

_Static_assert(sizeof(struct ipc_hdr) == 16, "ipc_hdr is the wire layout");
_Static_assert(sizeof(struct ipc_adopt) <= IPC_MAX_LEN, "payload too big");
_Static_assert(sizeof(struct ipc_send) <= IPC_MAX_LEN, "payload too big");

static const struct ipc_rule *
ipc_rule(unsigned type)
{
	if (type >= IPC_TYPE_MAX || ipc_rules[type].name == NULL)
		return NULL;
	return &ipc_rules[type];
}

const char *
ipc_type_name(unsigned type)
{
	const struct ipc_rule *r = ipc_rule(type);

	return r ? r->name : "UNKNOWN";
}

int
ipc_pair(int sv[2])
{
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
}

/*
 * Checks flags/len/fd against the table.  Returns NULL when they agree,
 * or a reason for the log.
 */
static const char *
ipc_check(const struct ipc_hdr *h, int has_fd)
{
	const struct ipc_rule *r = ipc_rule(h->type);

	if (r == NULL)
		return "unknown type";
	if (h->flags & ~IPC_F_FD)
		return "unknown flags";
	if (h->len != r->len)
		return "wrong payload length";
	if (!(h->flags & IPC_F_FD) != !has_fd)
		return has_fd ? "fd without IPC_F_FD" : "IPC_F_FD without fd";
	if (r->fd == IPC_FD_REQUIRED && !has_fd)
		return "missing fd";
	if (r->fd == IPC_FD_FORBIDDEN && has_fd)
		return "fd not allowed for this type";
	return NULL;
}

/*
 * Sends one message.  IPC_F_FD in h->flags is derived from fd, so callers
 * cannot get the two out of step.  Returns 0, or -1 with errno: EINVAL
 * for a message the table rejects (a bug in the caller, logged), EAGAIN
 * when the peer's queue is full on a non-blocking socket, EPIPE when the
 * peer is gone (MSG_NOSIGNAL: no SIGPIPE), or sendmsg()'s own errors.
 * The caller keeps ownership of fd.
 */
int
ipc_send(int sock, const struct ipc_hdr *h, const void *payload, int fd)
{
	struct ipc_hdr hdr = *h;
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov[2];
	struct msghdr msg;
	struct cmsghdr *cm;
	const char *why;
	ssize_t n;

	hdr.flags &= (uint16_t)~IPC_F_FD;
	if (fd >= 0)
		hdr.flags |= IPC_F_FD;
	if ((why = ipc_check(&hdr, fd >= 0)) != NULL ||
	    (hdr.len > 0 && payload == NULL)) {
		log_bug("ipc: refusing to send %s (type %u, len %u) on %d: %s",
		    ipc_type_name(hdr.type), hdr.type, hdr.len, sock,
		    why ? why : "no payload");
		errno = EINVAL;
		return -1;
	}

	memset(&msg, 0, sizeof(msg));
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)(uintptr_t)payload;  /* sendmsg won't write */
	iov[1].iov_len = hdr.len;
	msg.msg_iov = iov;
	msg.msg_iovlen = hdr.len ? 2 : 1;
	if (fd >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}

	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	/* SEQPACKET sends a record whole or not at all; anything else
	 * means the socket is not what ipc_pair() made */
	if ((size_t)n != sizeof(hdr) + hdr.len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

/*
 * Walks the control messages: the first SCM_RIGHTS fd goes to *keep, any
 * further fd is closed at once.  Returns NULL, or a reason when a control
 * message is malformed or of a kind we never send (its fds, if any, are
 * closed all the same).
 */
static const char *
ipc_take_fds(struct msghdr *msg, int *keep, unsigned *extra)
{
	unsigned char *base = msg->msg_control;
	const char *why = NULL;
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		size_t off = (size_t)(CMSG_DATA(cm) - base), room, n;

		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS) {
			why = "unexpected control message";
			continue;
		}
		if (cm->cmsg_len < CMSG_LEN(0) || off > msg->msg_controllen) {
			why = "short control message";
			continue;
		}
		room = cm->cmsg_len - CMSG_LEN(0);
		/* never read fds past what the kernel filled in */
		if (room > msg->msg_controllen - off) {
			why = "control message overruns its buffer";
			room = msg->msg_controllen - off;
		}
		if (room % sizeof(int) != 0 && why == NULL)
			why = "ragged SCM_RIGHTS length";
		for (n = 0; n < room / sizeof(int); n++) {
			int fd;

			/* CMSG_DATA is not int-aligned on every ABI */
			memcpy(&fd, CMSG_DATA(cm) + n * sizeof(int),
			    sizeof(int));
			if (*keep == -1) {
				*keep = fd;
			} else {
				close(fd);
				(*extra)++;
			}
		}
	}
	return why;
}

/*
 * Reads one message (see ipc.h for the contract).  Beyond it: -1/EMSGSIZE
 * when the payload is longer than cap (the caller's buffer is wrong for
 * the protocol; the message is dropped), and a message that carried more
 * than one fd is delivered with the first while the others are closed
 * and logged, as imsg does: the header still describes a valid message.
 * On any return but 1, *fd is -1 and no fd from the message stays open.
 */
int
ipc_recv(int sock, struct ipc_hdr *h, void *payload, size_t cap, int *fd)
{
	struct ipc_hdr hdr;
	unsigned char body[IPC_MAX_LEN];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(IPC_FDS_ROOM * sizeof(int))];
	} ctl;
	struct iovec iov[2];
	struct msghdr msg;
	const char *why;
	unsigned extra = 0;
	int err = EBADMSG;
	int got = -1;
	ssize_t n;

	*fd = -1;
	memset(&msg, 0, sizeof(msg));
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = body;
	iov[1].iov_len = sizeof(body);
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);

	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;

	/* fds first: whatever else is wrong, none may stay open */
	why = ipc_take_fds(&msg, &got, &extra);
	if (n == 0 && why == NULL && got == -1) {
		/* an empty record is never sent by ipc_send(): read as EOF */
		errno = ECONNRESET;
		return -1;
	}
	if (why != NULL)
		goto fail;
	if (msg.msg_flags & MSG_CTRUNC) {
		why = "control data truncated (too many fds)";
		goto fail;
	}
	if (msg.msg_flags & MSG_TRUNC) {
		why = "message longer than IPC_MAX_LEN";
		goto fail;
	}
	if ((size_t)n < sizeof(hdr)) {
		why = "short header";
		goto fail;
	}
	if ((why = ipc_check(&hdr, got != -1)) != NULL)
		goto fail;
	if ((size_t)n != sizeof(hdr) + hdr.len) {
		why = "length field disagrees with the record";
		goto fail;
	}
	if (hdr.len > cap) {
		why = "payload longer than the caller's buffer";
		err = EMSGSIZE;
		goto fail;
	}
	if (extra)
		log_warnx("ipc: %s conn %llu on %d: closed %u extra fd(s)",
		    ipc_type_name(hdr.type), (unsigned long long)hdr.conn_id,
		    sock, extra);

	*h = hdr;
	if (hdr.len)
		memcpy(payload, body, hdr.len);
	*fd = got;
	return 1;

fail:
	if ((size_t)n >= sizeof(hdr))
		log_errx("ipc: bad message on %d (type %u %s, flags %#x,"
		    " len %u, %zd bytes, %s fd): %s", sock, hdr.type,
		    ipc_type_name(hdr.type), hdr.flags, hdr.len, n,
		    got != -1 ? "with" : "no", why);
	else
		log_errx("ipc: bad message on %d (%zd bytes): %s", sock, n,
		    why);
	if (got != -1)
		close(got);
	errno = err;
	return -1;
}
