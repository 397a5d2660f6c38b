/* check_ipc.c - framing, the per-type table and fd ownership of ipc.c. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/ipc.h"
#include "core/log.h"
#include "tcheck.h"

static int sv[2] = { -1, -1 };

static void
setup(void)
{
	ck_assert_int_eq(ipc_pair(sv), 0);
}

static void
teardown(void)
{
	if (sv[0] != -1)
		close(sv[0]);
	if (sv[1] != -1)
		close(sv[1]);
	sv[0] = sv[1] = -1;
}

/* Open descriptors of this process: the leak detector for every case. */
static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* A message ipc_send() would refuse to build: n fds, any bytes. */
static void
raw_send(int sock, const void *buf, size_t len, const int *fds, int nfds)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(16 * sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf,
	    .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	ck_assert_int_le(nfds, 16);
	if (nfds > 0) {
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	ck_assert_int_eq(sendmsg(sock, &msg, MSG_NOSIGNAL), (ssize_t)len);
}

static void
raw_send_hdr(int sock, unsigned type, unsigned flags, uint32_t len,
    size_t body, const int *fds, int nfds)
{
	unsigned char buf[sizeof(struct ipc_hdr) + 512];
	struct ipc_hdr h = { .type = (uint16_t)type, .flags = (uint16_t)flags,
	    .len = len, .conn_id = 7 };

	ck_assert_uint_le(body, 512);
	memset(buf, 0xab, sizeof(buf));
	memcpy(buf, &h, sizeof(h));
	raw_send(sock, buf, sizeof(h) + body, fds, nfds);
}

/* Expects the next message on sv[1] to be rejected with err. */
static void
expect_reject(int err)
{
	unsigned char pl[IPC_MAX_LEN];
	struct ipc_hdr h;
	int fd = 12345;

	errno = 0;
	ck_assert_int_eq(ipc_recv(sv[1], &h, pl, sizeof(pl), &fd), -1);
	ck_assert_int_eq(errno, err);
	ck_assert_int_eq(fd, -1);
}

START_TEST(t_roundtrip)
{
	struct ipc_adopt ad = { .flags = IPC_ADOPT_RESCUED };
	struct ipc_send sd = { .blk = 0x1122334455667788ull, .len = 99,
	    .flags = IPC_SEND_CLOSE };
	unsigned char pl[IPC_MAX_LEN];
	struct ipc_hdr h, out;
	int p[2], fd, base;

	ck_assert_int_eq(pipe(p), 0);
	base = count_fds();
	for (unsigned t = IPC_CONN_ADOPT; t < IPC_TYPE_MAX; t++) {
		int want_fd = t == IPC_CONN_ADOPT || t == IPC_CONN_OUTBOUND;
		const void *payload = NULL;

		memset(&h, 0, sizeof(h));
		h.type = (uint16_t)t;
		h.conn_id = 1000 + t;
		if (t == IPC_CONN_ADOPT) {
			payload = &ad;
			h.len = sizeof(ad);
		} else if (t == IPC_SEND) {
			payload = &sd;
			h.len = sizeof(sd);
		}
		ck_assert_int_eq(ipc_send(sv[0], &h, payload,
		    want_fd ? p[1] : -1), 0);
		memset(pl, 0, sizeof(pl));
		ck_assert_int_eq(ipc_recv(sv[1], &out, pl, sizeof(pl), &fd), 1);
		ck_assert_uint_eq(out.type, t);
		ck_assert_uint_eq(out.conn_id, 1000 + t);
		ck_assert_uint_eq(out.len, h.len);
		ck_assert_uint_eq(out.flags, want_fd ? IPC_F_FD : 0);
		if (h.len)
			ck_assert_mem_eq(pl, payload, h.len);
		if (want_fd) {
			ck_assert_int_ge(fd, 0);
			ck_assert_int_ne(fd, p[1]);
			close(fd);
		} else {
			ck_assert_int_eq(fd, -1);
		}
		ck_assert_str_ne(ipc_type_name(t), "UNKNOWN");
	}
	ck_assert_int_eq(count_fds(), base);
	ck_assert_str_eq(ipc_type_name(IPC_CONN_ADOPT), "CONN_ADOPT");
	ck_assert_str_eq(ipc_type_name(0), "UNKNOWN");
	ck_assert_str_eq(ipc_type_name(IPC_TYPE_MAX), "UNKNOWN");
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(t_fd_pass)
{
	struct ipc_adopt ad = { 0 };
	struct ipc_hdr h = { .type = IPC_CONN_ADOPT, .len = sizeof(ad),
	    .conn_id = 42 };
	unsigned char pl[IPC_MAX_LEN];
	char buf[8];
	int p[2], fd = -1;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(ipc_send(sv[0], &h, &ad, p[1]), 0);
	ck_assert_int_eq(ipc_recv(sv[1], &h, pl, sizeof(pl), &fd), 1);
	/* a distinct descriptor for the same pipe, close-on-exec */
	ck_assert_int_ne(fd, p[1]);
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	ck_assert_int_eq(write(fd, "via", 3), 3);
	ck_assert_int_eq(read(p[0], buf, sizeof(buf)), 3);
	ck_assert_mem_eq(buf, "via", 3);
	/* each side owns its own: closing one leaves the other working */
	close(fd);
	ck_assert_int_eq(write(p[1], "own", 3), 3);
	ck_assert_int_eq(read(p[0], buf, sizeof(buf)), 3);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(t_fd_forbidden)
{
	int p[2], base;

	ck_assert_int_eq(pipe(p), 0);
	base = count_fds();
	/* flag and fd both present, but DONE forbids an fd */
	raw_send_hdr(sv[0], IPC_CONN_DONE, IPC_F_FD, 0, 0, &p[1], 1);
	expect_reject(EBADMSG);
	ck_assert_int_eq(count_fds(), base);
	/* an fd the header does not announce */
	raw_send_hdr(sv[0], IPC_CONN_ADOPT, 0, sizeof(struct ipc_adopt),
	    sizeof(struct ipc_adopt), &p[1], 1);
	expect_reject(EBADMSG);
	ck_assert_int_eq(count_fds(), base);
	/* a rejected length with an fd: the fd goes too */
	raw_send_hdr(sv[0], IPC_CONN_OUTBOUND, IPC_F_FD, 4, 4, &p[1], 1);
	expect_reject(EBADMSG);
	ck_assert_int_eq(count_fds(), base);
	/* an oversized record with an fd */
	raw_send_hdr(sv[0], IPC_CONN_OUTBOUND, IPC_F_FD, 0, 400, &p[1], 1);
	expect_reject(EBADMSG);
	ck_assert_int_eq(count_fds(), base);
	/* the sender's copy was never touched */
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(t_fd_extra)
{
	unsigned char pl[IPC_MAX_LEN];
	struct ipc_hdr h;
	int p[2], fds[2], fd = -1, base;

	ck_assert_int_eq(pipe(p), 0);
	fds[0] = p[1];
	fds[1] = p[0];
	base = count_fds();
	raw_send_hdr(sv[0], IPC_CONN_OUTBOUND, IPC_F_FD, 0, 0, fds, 2);
	ck_assert_int_eq(ipc_recv(sv[1], &h, pl, sizeof(pl), &fd), 1);
	ck_assert_uint_eq(h.type, IPC_CONN_OUTBOUND);
	ck_assert_int_ge(fd, 0);
	/* exactly the one handed over is new */
	ck_assert_int_eq(count_fds(), base + 1);
	ck_assert_int_eq(write(fd, "z", 1), 1);
	close(fd);
	ck_assert_int_eq(count_fds(), base);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(t_fd_ctrunc)
{
	int p[2], fds[12], base;

	ck_assert_int_eq(pipe(p), 0);
	for (int i = 0; i < 12; i++)
		fds[i] = p[i & 1];
	base = count_fds();
	/* more than ipc_recv() makes room for: MSG_CTRUNC, all closed */
	raw_send_hdr(sv[0], IPC_CONN_OUTBOUND, IPC_F_FD, 0, 0, fds, 12);
	expect_reject(EBADMSG);
	ck_assert_int_eq(count_fds(), base);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(t_fd_missing)
{
	int base = count_fds();

	raw_send_hdr(sv[0], IPC_CONN_ADOPT, IPC_F_FD, sizeof(struct ipc_adopt),
	    sizeof(struct ipc_adopt), NULL, 0);
	expect_reject(EBADMSG);
	raw_send_hdr(sv[0], IPC_CONN_ADOPT, 0, sizeof(struct ipc_adopt),
	    sizeof(struct ipc_adopt), NULL, 0);
	expect_reject(EBADMSG);
	raw_send_hdr(sv[0], IPC_CONN_OUTBOUND, 0, 0, 0, NULL, 0);
	expect_reject(EBADMSG);
	ck_assert_int_eq(count_fds(), base);
}
END_TEST

START_TEST(t_bad_frames)
{
	struct ipc_hdr h = { .type = IPC_SHUTDOWN };
	unsigned char pl[IPC_MAX_LEN];
	int fd;

	/* shorter than a header */
	raw_send(sv[0], &h, sizeof(h) - 1, NULL, 0);
	expect_reject(EBADMSG);
	/* payload longer than any type's: MSG_TRUNC */
	raw_send_hdr(sv[0], IPC_SEND, 0, 300, 300, NULL, 0);
	expect_reject(EBADMSG);
	/* the right len field, but fewer bytes than it says */
	raw_send_hdr(sv[0], IPC_SEND, 0, sizeof(struct ipc_send), 4, NULL, 0);
	expect_reject(EBADMSG);
	/* ... or more */
	raw_send_hdr(sv[0], IPC_SEND, 0, sizeof(struct ipc_send),
	    sizeof(struct ipc_send) + 1, NULL, 0);
	expect_reject(EBADMSG);
	/* a len the table does not allow for the type */
	raw_send_hdr(sv[0], IPC_SHUTDOWN, 0, 8, 8, NULL, 0);
	expect_reject(EBADMSG);
	raw_send_hdr(sv[0], IPC_SEND, 0, 8, 8, NULL, 0);
	expect_reject(EBADMSG);
	/* unknown types and flags */
	raw_send_hdr(sv[0], 0, 0, 0, 0, NULL, 0);
	expect_reject(EBADMSG);
	raw_send_hdr(sv[0], IPC_TYPE_MAX, 0, 0, 0, NULL, 0);
	expect_reject(EBADMSG);
	raw_send_hdr(sv[0], 0xffff, 0, 0, 0, NULL, 0);
	expect_reject(EBADMSG);
	raw_send_hdr(sv[0], IPC_SHUTDOWN, 0x8000, 0, 0, NULL, 0);
	expect_reject(EBADMSG);
	/* after all that, the channel still carries good messages */
	ck_assert_int_eq(ipc_send(sv[0], &h, NULL, -1), 0);
	ck_assert_int_eq(ipc_recv(sv[1], &h, pl, sizeof(pl), &fd), 1);
	ck_assert_uint_eq(h.type, IPC_SHUTDOWN);
}
END_TEST

START_TEST(t_small_buffer)
{
	struct ipc_send sd = { .len = 1 };
	struct ipc_hdr h = { .type = IPC_SEND, .len = sizeof(sd) };
	unsigned char pl[4];
	int fd;

	ck_assert_int_eq(ipc_send(sv[0], &h, &sd, -1), 0);
	errno = 0;
	ck_assert_int_eq(ipc_recv(sv[1], &h, pl, sizeof(pl), &fd), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_int_eq(fd, -1);
}
END_TEST

START_TEST(t_send_refuses)
{
	struct ipc_adopt ad = { 0 };
	struct ipc_hdr h = { .type = IPC_CONN_ADOPT, .len = sizeof(ad) };
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	errno = 0;
	ck_assert_int_eq(ipc_send(sv[0], &h, &ad, -1), -1);     /* no fd */
	ck_assert_int_eq(errno, EINVAL);
	h.type = IPC_CONN_DONE;
	h.len = 0;
	ck_assert_int_eq(ipc_send(sv[0], &h, NULL, p[1]), -1);  /* fd */
	ck_assert_int_eq(errno, EINVAL);
	h.len = 4;
	ck_assert_int_eq(ipc_send(sv[0], &h, &ad, -1), -1);     /* len */
	ck_assert_int_eq(errno, EINVAL);
	h.type = IPC_SEND;
	h.len = sizeof(struct ipc_send);
	ck_assert_int_eq(ipc_send(sv[0], &h, NULL, -1), -1);    /* no body */
	ck_assert_int_eq(errno, EINVAL);
	h.type = 77;
	h.len = 0;
	ck_assert_int_eq(ipc_send(sv[0], &h, NULL, -1), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* a stray IPC_F_FD is corrected from the fd argument */
	h.type = IPC_CONN_DONE;
	h.flags = IPC_F_FD;
	ck_assert_int_eq(ipc_send(sv[0], &h, NULL, -1), 0);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(t_eof)
{
	unsigned char pl[IPC_MAX_LEN];
	struct ipc_hdr h = { .type = IPC_SHUTDOWN };
	int fd;

	ck_assert_int_eq(ipc_send(sv[0], &h, NULL, -1), 0);
	close(sv[0]);
	sv[0] = -1;
	/* queued messages first, then EOF */
	ck_assert_int_eq(ipc_recv(sv[1], &h, pl, sizeof(pl), &fd), 1);
	errno = 0;
	ck_assert_int_eq(ipc_recv(sv[1], &h, pl, sizeof(pl), &fd), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	ck_assert_int_eq(fd, -1);
	/* and sending to a dead peer is EPIPE, not SIGPIPE */
	ck_assert_int_eq(ipc_send(sv[1], &h, NULL, -1), -1);
	ck_assert_int_eq(errno, EPIPE);
}
END_TEST

START_TEST(t_eagain)
{
	unsigned char pl[IPC_MAX_LEN];
	struct ipc_hdr h;
	int fd = 5;

	ck_assert_int_eq(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
	ck_assert_int_eq(ipc_recv(sv[1], &h, pl, sizeof(pl), &fd), 0);
	ck_assert_int_eq(fd, -1);
	/* and the sending side: fill the queue until EAGAIN */
	ck_assert_int_eq(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	h = (struct ipc_hdr){ .type = IPC_CONN_CLOSE };
	for (int i = 0; i < 1000000; i++) {
		if (ipc_send(sv[0], &h, NULL, -1) == -1) {
			ck_assert_int_eq(errno, EAGAIN);
			return;
		}
	}
	ck_abort_msg("queue never filled");
}
END_TEST

START_TEST(t_fork)
{
	struct ipc_adopt ad = { 0 };
	struct ipc_hdr h = { .type = IPC_CONN_ADOPT, .len = sizeof(ad),
	    .conn_id = 9 };
	unsigned char pl[IPC_MAX_LEN];
	char buf[16];
	int p[2], fd = -1, st;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		/* the worker: adopt, write through the fd, report, exit */
		struct ipc_hdr done = { .type = IPC_CONN_DONE };

		close(sv[0]);
		close(p[0]);
		close(p[1]);
		if (ipc_recv(sv[1], &h, pl, sizeof(pl), &fd) != 1 ||
		    h.type != IPC_CONN_ADOPT || fd == -1)
			_exit(3);
		if (write(fd, "adopted", 7) != 7)
			_exit(4);
		close(fd);
		done.conn_id = h.conn_id;
		_exit(ipc_send(sv[1], &done, NULL, -1) == 0 ? 0 : 5);
	}
	close(sv[1]);
	sv[1] = -1;
	ck_assert_int_eq(ipc_send(sv[0], &h, &ad, p[1]), 0);
	/* the supervisor lets go of its copy; the child holds the only one */
	close(p[1]);
	ck_assert_int_eq(ipc_recv(sv[0], &h, pl, sizeof(pl), &fd), 1);
	ck_assert_uint_eq(h.type, IPC_CONN_DONE);
	ck_assert_uint_eq(h.conn_id, 9);
	ck_assert_int_eq(read(p[0], buf, sizeof(buf)), 7);
	ck_assert_mem_eq(buf, "adopted", 7);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* EOF on the pipe: the child closed the copy it adopted, so none
	 * stayed open anywhere */
	ck_assert_int_eq(read(p[0], buf, sizeof(buf)), 0);
	errno = 0;
	ck_assert_int_eq(ipc_recv(sv[0], &h, pl, sizeof(pl), &fd), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	close(p[0]);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ipc");
	TCase *tc = tcase_create("ipc");

	/* the rejections are logged on purpose; keep the output readable */
	log_set_level(L_ALERT - 1);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t_roundtrip);
	tcase_add_test(tc, t_fd_pass);
	tcase_add_test(tc, t_fd_forbidden);
	tcase_add_test(tc, t_fd_extra);
	tcase_add_test(tc, t_fd_ctrunc);
	tcase_add_test(tc, t_fd_missing);
	tcase_add_test(tc, t_bad_frames);
	tcase_add_test(tc, t_small_buffer);
	tcase_add_test(tc, t_send_refuses);
	tcase_add_test(tc, t_eof);
	tcase_add_test(tc, t_eagain);
	tcase_add_test(tc, t_fork);
	suite_add_tcase(s, tc);
	return tcheck_run(s);
}
