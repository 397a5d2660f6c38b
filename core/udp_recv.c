#include "config.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <string.h>
#include <sys/socket.h>

#include "dispatch.h"
#include "listen.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "udp_recv.h"

#define UDP_MAX   (64 * 1024)
#define UDP_BATCH 16            /* datagrams per recvmmsg() */

/* one buffer per datagram of a batch, each with room for a NUL */
static char rbuf[UDP_BATCH][UDP_MAX + 1];

static void
handle_datagram(struct sock_info *si, const char *buf, size_t len,
    const struct sockaddr_storage *from)
{
	struct proc_info *me = proc_at(proc_my_slot());
	struct rcv_info ri = {
		.proto = PROTO_UDP, .src = *from, .dst = si->addr,
		.conn_id = 0, .sock = si->idx,
	};
	struct msg m;

	/* keep-alives: CRLF or CRLFCRLF datagrams carry no message */
	if (len <= 4 && strspn(buf, "\r\n") >= len)
		return;
	msg_init(&m, buf, len, &ri);
	if (m.kind == MSG_MSRP) {
		log_dbg("MSRP over UDP from socket %s ignored (RFC 4975 needs "
		    "a stream)", si->text);
		msg_destroy(&m);
		return;
	}
	if (me)
		__atomic_fetch_add(&me->msgs, 1, __ATOMIC_RELAXED);
	dispatch_msg(&m, NULL);
	msg_destroy(&m);
}

/*
 * Reads what the socket holds, a batch per recvmmsg(): under load one
 * system call brings many datagrams, and a short batch means the queue
 * was empty, so no extra read is spent to learn it (level-triggered
 * epoll wakes us again for anything that came meanwhile).
 */
void
udp_read_ready(int sock_idx, int max)
{
	struct sock_info *si = listen_at(sock_idx);
	struct sockaddr_storage from[UDP_BATCH];
	struct mmsghdr mh[UDP_BATCH];
	struct iovec iov[UDP_BATCH];

	for (int done = 0; si && done < max; ) {
		int n;

		for (int i = 0; i < UDP_BATCH; i++) {
			iov[i] = (struct iovec){ rbuf[i], UDP_MAX };
			mh[i] = (struct mmsghdr){ .msg_hdr = {
				.msg_name = &from[i],
				.msg_namelen = sizeof(from[i]),
				.msg_iov = &iov[i], .msg_iovlen = 1 } };
		}
		n = recvmmsg(si->fd, mh, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_err("recvmmsg() on %s failed", si->text);
			return;
		}
		for (int i = 0; i < n; i++) {
			rbuf[i][mh[i].msg_len] = '\0';
			handle_datagram(si, rbuf[i], mh[i].msg_len, &from[i]);
		}
		done += n;
		if (n < UDP_BATCH)
			return;
	}
}

void
udp_receiver_main(int slot, int sock_idx, volatile int *stop)
{
	struct sock_info *si = listen_at(sock_idx);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };
	int ep;

	if (si == NULL)
		return;
	/* several receivers share the socket: EPOLLEXCLUSIVE wakes one of
	 * them per datagram burst instead of all (no thundering herd) */
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep == -1 || epoll_ctl(ep, EPOLL_CTL_ADD, si->fd, &ev) == -1) {
		log_err("udp receiver on %s: epoll setup failed", si->text);
		if (ep != -1)
			close(ep);
		return;
	}
	while (!*stop) {
		struct epoll_event out;
		int rc = epoll_wait(ep, &out, 1, 1000);

		if (rc == -1 && errno != EINTR) {
			log_err("epoll_wait() on %s failed", si->text);
			break;
		}
		if (rc > 0)
			udp_read_ready(sock_idx, 64);
	}
	close(ep);
}
