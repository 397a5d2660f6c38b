#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "dispatch.h"
#include "listen.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "udp_recv.h"

#define UDP_MAX (64 * 1024)

static char rbuf[UDP_MAX + 1];

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

void
udp_read_ready(int sock_idx, int max)
{
	struct sock_info *si = listen_at(sock_idx);

	for (int i = 0; si && i < max; i++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(si->fd, rbuf, UDP_MAX, MSG_DONTWAIT,
		    (struct sockaddr *)&from, &fl);

		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_err("recvfrom() on %s failed", si->text);
			return;
		}
		rbuf[n] = '\0';
		handle_datagram(si, rbuf, (size_t)n, &from);
	}
}

void
udp_receiver_main(int slot, int sock_idx, volatile int *stop)
{
	struct sock_info *si = listen_at(sock_idx);
	struct pollfd pfd;

	if (si == NULL)
		return;
	pfd.fd = si->fd;
	pfd.events = POLLIN;
	/* several receivers share the socket: poll wakes all, recvfrom
	 * with MSG_DONTWAIT lets the losers go back to sleep */
	while (!*stop) {
		int rc = poll(&pfd, 1, 1000);

		if (rc == -1 && errno != EINTR) {
			log_err("poll() on %s failed", si->text);
			return;
		}
		if (rc > 0)
			udp_read_ready(sock_idx, 32);
	}
}
