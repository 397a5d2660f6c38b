#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>
#include <sys/socket.h>

#include "dispatch.h"
#include "frame_sip.h"
#include "listen.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "sock.h"
#include "udp_recv.h"

#define UDP_MAX   (64 * 1024)
#define UDP_BATCH 16            /* datagrams per recvmmsg() */

/* one buffer per datagram of a batch, each with room for a NUL */
static char rbuf[UDP_BATCH][UDP_MAX + 1];

/*
 * Where the SIP message of a datagram ends (RFC 3261 18.3): the header
 * block must end with its empty line; a Content-Length, when present,
 * must be well formed and no larger than what the datagram holds, and
 * bytes past it are not part of the message.  Without one the body runs
 * to the end of the datagram.  The stream framer does the checking, so
 * UDP and TCP accept the same messages.  0 with *mlen, or -1 with *why.
 */
static int
udp_frame(const char *buf, size_t len, size_t *mlen, const char **why)
{
	struct frame_limits lim = { .sip_max = UDP_MAX + 1,
	    .msrp_max = UDP_MAX + 1, .hdr_max = UDP_MAX + 1, .no_cl_ok = 1 };
	struct frame_sip fs;
	struct frame_msg out;

	/* the framer may word its reason in fs, which dies with this call */
	static char reason[sizeof(fs.why)];

	frame_sip_reset(&fs);
	switch (frame_sip_next(&fs, buf, len, &lim, &out, why)) {
	case FRAME_MSG:
		*mlen = fs.have_cl ? out.len : len;
		return 0;
	case FRAME_NEED_MORE:
		*why = fs.state == FSIP_BODY ? "Content-Length larger than "
		    "the datagram" : "no end of the header block";
		return -1;
	default:
		snprintf(reason, sizeof(reason), "%s", *why ? *why : "?");
		*why = reason;
		return -1;
	}
}

static void
handle_datagram(struct sock_info *si, const char *buf, size_t len,
    const struct sockaddr_storage *from)
{
	struct proc_info *me = proc_at(proc_my_slot());
	struct rcv_info ri = {
		.proto = PROTO_UDP, .src = *from, .dst = si->addr,
		.conn_id = 0, .sock = si->idx,
	};
	const char *why = NULL;
	size_t mlen = len;
	struct msg m;

	/* keep-alives: CRLF or CRLFCRLF datagrams carry no message */
	if (len <= 4 && strspn(buf, "\r\n") >= len)
		return;
	if (msg_classify(buf, len) == MSG_MSRP) {
		log_dbg("MSRP over UDP from socket %s ignored (RFC 4975 needs "
		    "a stream)", si->text);
		return;
	}
	if (udp_frame(buf, len, &mlen, &why) < 0) {
		char a[64];

		log_info("datagram from %s to %s dropped: %s",
		    sock_addr_text(from, a, sizeof(a)), si->text, why);
		return;
	}
	msg_init(&m, buf, mlen, &ri);
	if (me)
		__atomic_fetch_add(&me->msgs, 1, __ATOMIC_RELAXED);
	dispatch_msg(&m, NULL);
	msg_destroy(&m);
}

/*
 * One recvmmsg() and the datagrams it brought: the count, or -1 with
 * errno.  flags: MSG_DONTWAIT (an event loop that polled the socket) or
 * MSG_WAITFORONE (a receiver that sleeps in the call itself).
 */
static int
udp_read_batch(struct sock_info *si, int flags)
{
	struct sockaddr_storage from[UDP_BATCH];
	struct mmsghdr mh[UDP_BATCH];
	struct iovec iov[UDP_BATCH];
	int n;

	for (int i = 0; i < UDP_BATCH; i++) {
		iov[i] = (struct iovec){ rbuf[i], UDP_MAX };
		mh[i] = (struct mmsghdr){ .msg_hdr = {
			.msg_name = &from[i], .msg_namelen = sizeof(from[i]),
			.msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	n = recvmmsg(si->fd, mh, UDP_BATCH, flags, NULL);
	for (int i = 0; i < n; i++) {
		rbuf[i][mh[i].msg_len] = '\0';
		handle_datagram(si, rbuf[i], mh[i].msg_len, &from[i]);
	}
	return n;
}

static int
udp_soft_error(int e)
{
	return e == EAGAIN || e == EWOULDBLOCK || e == EINTR;
}

/*
 * For an event loop (fork=no): reads what the socket holds, a batch per
 * call; a short batch means the queue was empty, so no extra read is
 * spent to learn it (level-triggered polling reports anything newer).
 */
void
udp_read_ready(int sock_idx, int max)
{
	struct sock_info *si = listen_at(sock_idx);

	for (int done = 0, n; si && done < max; done += n) {
		if ((n = udp_read_batch(si, MSG_DONTWAIT)) == -1) {
			if (!udp_soft_error(errno))
				log_err("recvmmsg() on %s failed", si->text);
			return;
		}
		if (n < UDP_BATCH)
			return;
	}
}

/*
 * A receiver sleeps in recvmmsg() itself: the socket is blocking for
 * reads (sock_udp_sleep_reads()), the kernel wakes one sleeper per datagram,
 * and a busy socket gives a whole batch per call.  No poll or epoll call
 * stands between datagrams.  SIGTERM interrupts the call (no
 * SA_RESTART); the socket's receive timeout bounds the wait otherwise.
 */
void
udp_receiver_main(int slot, int sock_idx, volatile int *stop)
{
	struct sock_info *si = listen_at(sock_idx);

	(void)slot;
	if (si == NULL)
		return;
	while (!*stop) {
		if (udp_read_batch(si, MSG_WAITFORONE) == -1 &&
		    !udp_soft_error(errno)) {
			log_err("recvmmsg() on %s failed", si->text);
			break;
		}
	}
}
