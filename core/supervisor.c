#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "conn_send.h"
#include "dispatch.h"
#include "ev.h"
#include "globals.h"
#include "ipc.h"
#include "listen.h"
#include "log.h"
#include "module.h"
#include "proc.h"
#include "shm.h"
#include "sock.h"
#include "supervisor.h"
#include "tcp_worker.h"
#include "timer.h"
#include "udp_recv.h"
#include "version.h"

/* A child process to start: what it runs. */
struct child_spec {
	enum proc_role            role;
	int                       sock;         /* UDP receivers      */
	const struct proc_export *mp;           /* module processes   */
};

/* The supervisor's own state (private to the supervisor process). */
static struct {
	struct ev_loop     *loop;
	int                 sigfd;
	int                *fds;                /* dup of every TCP fd, by
	                                         * conn slot            */
	unsigned            max;
	struct child_spec   spec[PROC_MAX];
	int                 stopping;
	int                 fatal;
	unsigned            rr;
} S;

static volatile int child_stop;

static void
child_on_term(int sig)
{
	(void)sig;
	child_stop = 1;
}

/* --- children ---------------------------------------------------------------- */

static void
child_close_others(int slot)
{
	for (int i = 0; i < proc_count(); i++) {
		struct proc_info *p = proc_at(i);

		if (p->ctl_sup != -1)
			close(p->ctl_sup);
		if (i == slot)
			continue;
		if (p->ctl_child != -1)
			close(p->ctl_child);
		if (p->inbox_rd != -1)
			close(p->inbox_rd);
	}
	close(S.sigfd);
}

static void
child_main(int slot)
{
	struct proc_info *p = proc_at(slot);
	struct child_spec *cs = &S.spec[slot];
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = child_on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	child_close_others(slot);
	timer_freeze();
	proc_set_self(slot, cs->role, p->index, p->desc);
	proc_set_title("tandem: %s", p->desc);
	if (mod_child_init_all(proc_get_self()) < 0) {
		log_crit("%s: module child_init failed", p->desc);
		_exit(2);
	}
	switch (cs->role) {
	case PROC_ROLE_TCP_WORKER:
		tcp_worker_main(slot, &child_stop);
		break;
	case PROC_ROLE_UDP_RECEIVER:
		udp_receiver_main(slot, cs->sock, &child_stop);
		break;
	case PROC_ROLE_TIMER:
		timer_loop(&child_stop);
		break;
	case PROC_ROLE_MODULE:
		cs->mp->run(proc_get_self());
		break;
	default:
		break;
	}
	_exit(0);
}

static int
child_start(int slot)
{
	struct proc_info *p = proc_at(slot);
	pid_t pid = fork();

	if (pid == -1) {
		log_err("fork() for %s failed", p->desc);
		return -1;
	}
	if (pid == 0)
		child_main(slot);       /* never returns */
	p->pid = pid;
	p->started = (int64_t)time(NULL);
	return 0;
}

static int
slot_new(enum proc_role role, int index, const char *desc, int pairs)
{
	int slot = proc_slot_add(role, index, desc), sv[2];
	struct proc_info *p;

	if (slot < 0)
		return -1;
	p = proc_at(slot);
	if (pairs) {
		if (ipc_pair(sv) < 0) {
			log_err("socketpair() for %s failed", desc);
			return -1;
		}
		p->ctl_sup = sv[0];
		p->ctl_child = sv[1];
		{
			/* room for bursts of accepted connections */
			int sz = 1 << 20;

			for (int k = 0; k < 2; k++) {
				setsockopt(sv[k], SOL_SOCKET, SO_SNDBUF, &sz,
				    sizeof(sz));
				setsockopt(sv[k], SOL_SOCKET, SO_RCVBUF, &sz,
				    sizeof(sz));
			}
		}
		if (ipc_pair(sv) < 0) {
			log_err("socketpair() for %s failed", desc);
			return -1;
		}
		p->inbox_rd = sv[0];
		p->inbox_wr = sv[1];
		/* a full inbox makes a sender fail, never block */
		sock_nonblock(p->inbox_wr);
		sock_nonblock(p->ctl_sup);
	}
	return slot;
}

static int
plan_children(void)
{
	int ntcp = core_cfg.tcp_children >= 0 ? core_cfg.tcp_children :
	    core_cfg.children;
	char desc[PROC_DESC];
	int slot;

	if (ntcp < 1)
		ntcp = 1;
	for (int i = 0; i < ntcp; i++) {
		snprintf(desc, sizeof(desc), "tcp worker %d", i + 1);
		if ((slot = slot_new(PROC_ROLE_TCP_WORKER, i, desc, 1)) < 0)
			return -1;
		S.spec[slot].role = PROC_ROLE_TCP_WORKER;
	}
	for (int s = 0, r = 0; s < listen_count(); s++) {
		struct sock_info *si = listen_at(s);

		if (si->proto != PROTO_UDP)
			continue;
		for (int i = 0; i < (core_cfg.children > 0 ? core_cfg.children : 1);
		    i++, r++) {
			snprintf(desc, sizeof(desc), "udp receiver %d %.20s",
			    i + 1, si->text + 4);
			if ((slot = slot_new(PROC_ROLE_UDP_RECEIVER, r, desc, 0)) < 0)
				return -1;
			S.spec[slot].role = PROC_ROLE_UDP_RECEIVER;
			S.spec[slot].sock = s;
		}
	}
	if ((slot = slot_new(PROC_ROLE_TIMER, 0, "timer", 0)) < 0)
		return -1;
	S.spec[slot].role = PROC_ROLE_TIMER;
	for (int m = 0; m < mod_count(); m++) {
		const struct proc_export *pe = mod_at(m)->mod->procs;

		for (; pe && pe->desc; pe++)
			for (int i = 0; i < pe->count; i++) {
				snprintf(desc, sizeof(desc), "%s", pe->desc);
				if ((slot = slot_new(PROC_ROLE_MODULE, i, desc, 0)) < 0)
					return -1;
				S.spec[slot].role = PROC_ROLE_MODULE;
				S.spec[slot].mp = pe;
			}
	}
	return 0;
}

/* --- connections --------------------------------------------------------------- */

static int
least_loaded(void)
{
	int best = -1, bestn = 0, n = proc_count();

	for (int k = 0; k < n; k++) {
		int i = (int)((S.rr + (unsigned)k) % (unsigned)n);
		struct proc_info *p = proc_at(i);

		if (p->role != PROC_ROLE_TCP_WORKER || p->pid == 0)
			continue;
		if (best < 0 || p->nconns < bestn) {
			best = i;
			bestn = p->nconns;
		}
	}
	S.rr++;
	return best;
}

static int
hand_to(int slot, uint64_t id, int fd, uint32_t flags)
{
	struct ipc_adopt a = { .flags = flags };
	struct ipc_hdr h = { .type = IPC_CONN_ADOPT, .flags = IPC_F_FD,
	    .len = sizeof(a), .conn_id = id };

	if (ipc_send(proc_at(slot)->ctl_sup, &h, &a, fd) < 0) {
		if (errno != EAGAIN)
			log_err("conn %llu: handing it to %s failed",
			    (unsigned long long)id, proc_at(slot)->desc);
		return -1;
	}
	conn_set_owner(id, slot, proc_at(slot)->pid);
	return 0;
}

/*
 * Hands a new connection to a worker: the least loaded first; when its
 * control socket is full (a busy worker), the next ones; when all are
 * full, waits a little for the first to drain.  0, or -1 (not handed).
 */
static int
hand_new(uint64_t id, int fd, int first)
{
	int n = proc_count();
	struct pollfd pfd;

	if (first >= 0 && hand_to(first, id, fd, 0) == 0)
		return 0;
	for (int i = 0; i < n; i++) {
		struct proc_info *p = proc_at(i);

		if (i == first || p->role != PROC_ROLE_TCP_WORKER || p->pid == 0)
			continue;
		if (hand_to(i, id, fd, 0) == 0)
			return 0;
	}
	if (first < 0)
		return -1;
	pfd.fd = proc_at(first)->ctl_sup;
	pfd.events = POLLOUT;
	if (poll(&pfd, 1, 2000) == 1 && hand_to(first, id, fd, 0) == 0)
		return 0;
	log_errx("conn %llu: every worker's queue is full; connection "
	    "dropped", (unsigned long long)id);
	return -1;
}

static void
on_accept(struct ev_loop *l, int fd, unsigned ev, void *arg)
{
	struct sock_info *si = arg;

	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage remote, local;
		socklen_t rl = sizeof(remote), ll = sizeof(local);
		int cfd, w;
		uint64_t id;

		cfd = accept4(fd, (struct sockaddr *)&remote, &rl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd == -1) {
			if (errno == EMFILE || errno == ENFILE)
				log_err("accept() on %s failed", si->text);
			return;
		}
		getsockname(cfd, (struct sockaddr *)&local, &ll);
		w = least_loaded();
		id = w < 0 ? 0 : conn_add(si->proto, si->idx, &local, &remote,
		    w, 0);
		if (id == 0 || conn_slot_of(id) >= S.max) {
			close(cfd);
			continue;
		}
		S.fds[conn_slot_of(id)] = cfd;
		if (hand_new(id, cfd, w) < 0) {
			S.fds[conn_slot_of(id)] = -1;
			conn_release(id);
			close(cfd);
		}
	}
}

static void
conn_done(uint64_t id)
{
	unsigned s = conn_slot_of(id);

	if (s < S.max && S.fds[s] != -1) {
		close(S.fds[s]);
		S.fds[s] = -1;
	}
	conn_release(id);
}

static void
on_ctl(struct ev_loop *l, int fd, unsigned ev, void *arg)
{
	unsigned char payload[IPC_MAX_LEN];
	struct ipc_hdr h;
	int rfd = -1;

	for (int i = 0; i < 256; i++) {
		if (ipc_recv(fd, &h, payload, sizeof(payload), &rfd) <= 0)
			return;
		switch (h.type) {
		case IPC_CONN_DONE:
			conn_done(h.conn_id);
			break;
		case IPC_CONN_OUTBOUND:
			if (conn_slot_of(h.conn_id) < S.max) {
				unsigned s = conn_slot_of(h.conn_id);

				if (S.fds[s] != -1)
					close(S.fds[s]);
				S.fds[s] = rfd;
				rfd = -1;
			}
			break;
		default:
			log_errx("supervisor: unexpected %s from a child",
			    ipc_type_name(h.type));
		}
		if (rfd != -1) {
			close(rfd);
			rfd = -1;
		}
	}
}

struct rescue {
	int slot;
	int n;
};

static void
rescue_one(const struct conn_info *ci, void *arg)
{
	struct rescue *r = arg;
	unsigned s = conn_slot_of(ci->id);

	if (ci->owner != r->slot || ci->state == CONN_CLOSING || s >= S.max ||
	    S.fds[s] == -1)
		return;
	/* the replacement gets a fresh dup; the supervisor keeps its own.
	 * It is just starting: wait for its queue rather than drop */
	for (int tries = 0; tries < 10; tries++) {
		struct pollfd pfd = { .fd = proc_at(r->slot)->ctl_sup,
		    .events = POLLOUT };

		if (hand_to(r->slot, ci->id, S.fds[s], IPC_ADOPT_RESCUED) == 0) {
			r->n++;
			return;
		}
		if (errno != EAGAIN || poll(&pfd, 1, 500) < 0)
			break;
	}
	log_errx("conn %llu: could not be handed to the new %s",
	    (unsigned long long)ci->id, proc_at(r->slot)->desc);
}

/* --- reaping --------------------------------------------------------------------- */

static int
slot_of_pid(pid_t pid)
{
	for (int i = 0; i < proc_count(); i++)
		if (proc_at(i)->pid == pid)
			return i;
	return -1;
}

static void
reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		int slot = slot_of_pid(pid);
		struct proc_info *p = proc_at(slot);

		if (p == NULL)
			continue;
		p->pid = 0;
		p->nconns = 0;
		if (S.stopping)
			continue;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
			log_crit("%s (pid %d) failed to start (exit 2); stopping",
			    p->desc, (int)pid);
			S.fatal = 1;
			S.stopping = 1;
			continue;
		}
		if (WIFSIGNALED(status))
			log_errx("%s (pid %d) killed by signal %d; respawning",
			    p->desc, (int)pid, WTERMSIG(status));
		else
			log_errx("%s (pid %d) exited with %d; respawning",
			    p->desc, (int)pid, WEXITSTATUS(status));
		p->restarts++;
		if (child_start(slot) < 0)
			continue;
		if (p->role == PROC_ROLE_TCP_WORKER) {
			struct rescue r = { slot, 0 };

			/* the replacement in the same slot reads what was
			 * queued for the dead one and gets its connections */
			conn_foreach(rescue_one, &r);
			if (r.n)
				log_notice("%s: %d connection%s handed to the "
				    "new process", p->desc, r.n, r.n == 1 ? "" : "s");
		}
	}
}

static void
on_signal(struct ev_loop *l, int fd, unsigned ev, void *arg)
{
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			reap();
			break;
		case SIGTERM:
		case SIGINT:
			if (!S.stopping)
				log_notice("signal %u received, stopping",
				    si.ssi_signo);
			S.stopping = 1;
			break;
		case SIGHUP:
			log_notice("SIGHUP: reload is not supported; ignored");
			break;
		}
	}
}

/* --- timers of the core ------------------------------------------------------------ */

static void
idle_check_one(const struct conn_info *ci, void *arg)
{
	time_t now = *(time_t *)arg;

	if (ci->state == CONN_OPEN && core_cfg.tcp_connection_lifetime > 0 &&
	    now - ci->last_active > core_cfg.tcp_connection_lifetime) {
		log_dbg("conn %llu idle for %ld s: closing",
		    (unsigned long long)ci->id, (long)(now - ci->last_active));
		conn_close(ci->id);
	}
}

static void
idle_check(void *arg)
{
	time_t now = time(NULL);

	(void)arg;
	conn_foreach(idle_check_one, &now);
}

/* --- stop ---------------------------------------------------------------------------- */

static int
alive_children(void)
{
	int n = 0;

	for (int i = 0; i < proc_count(); i++)
		n += proc_at(i)->pid != 0;
	return n;
}

static void
stop_children(void)
{
	uint64_t deadline;

	for (int i = 0; i < proc_count(); i++)
		if (proc_at(i)->pid > 0)
			kill(proc_at(i)->pid, SIGTERM);
	deadline = ev_now_ms() + 5000;
	while (alive_children() && ev_now_ms() < deadline)
		ev_run_once(S.loop, 100);
	for (int i = 0; i < proc_count(); i++)
		if (proc_at(i)->pid > 0) {
			log_warnx("%s (pid %d) did not stop; killing it",
			    proc_at(i)->desc, (int)proc_at(i)->pid);
			kill(proc_at(i)->pid, SIGKILL);
		}
	while (alive_children() && ev_now_ms() < deadline + 2000)
		ev_run_once(S.loop, 100);
}

/* --- setup ------------------------------------------------------------------------------ */

static int
setup_shared(void)
{
	int *level;

	if (shm_init((size_t)core_cfg.shm_mb << 20) < 0)
		return -1;
	if (proc_table_init() < 0 ||
	    conn_table_init((unsigned)core_cfg.tcp_max_connections) < 0)
		return -1;
	/* core.debug changes the level of every process at once */
	level = shm_malloc(sizeof(*level));
	if (level == NULL)
		return -1;
	log_bind_level(level);
	dispatch_stats_init();
	return timer_register("tcp idle connections", 1000, idle_check, NULL);
}

static int
setup_loop(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1) {
		log_err("sigprocmask() failed");
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	S.sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	S.loop = ev_new();
	S.max = conn_table_max();
	S.fds = malloc(S.max * sizeof(int));
	if (S.sigfd == -1 || S.loop == NULL || S.fds == NULL) {
		log_err("supervisor setup failed");
		return -1;
	}
	for (unsigned i = 0; i < S.max; i++)
		S.fds[i] = -1;
	return ev_add(S.loop, S.sigfd, EV_READ, on_signal, NULL);
}

static int
start_all(void)
{
	for (int i = 0; i < proc_count(); i++)
		if (child_start(i) < 0)
			return -1;
	for (int i = 0; i < proc_count(); i++) {
		struct proc_info *p = proc_at(i);

		if (p->ctl_sup != -1 &&
		    ev_add(S.loop, p->ctl_sup, EV_READ, on_ctl, NULL) < 0)
			return -1;
	}
	for (int i = 0; i < listen_count(); i++) {
		struct sock_info *si = listen_at(i);

		if ((si->proto == PROTO_TCP || si->proto == PROTO_TLS) &&
		    ev_add(S.loop, si->fd, EV_READ, on_accept, si) < 0)
			return -1;
	}
	return 0;
}

static void
cleanup(void)
{
	for (unsigned i = 0; S.fds && i < S.max; i++)
		if (S.fds[i] != -1)
			close(S.fds[i]);
	free(S.fds);
	for (int i = 0; i < proc_count(); i++) {
		struct proc_info *p = proc_at(i);
		int *fds[] = { &p->ctl_sup, &p->ctl_child, &p->inbox_rd,
		    &p->inbox_wr };

		for (size_t k = 0; k < 4; k++)
			if (*fds[k] != -1) {
				close(*fds[k]);
				*fds[k] = -1;
			}
	}
	if (S.loop)
		ev_free(S.loop);
	if (S.sigfd > 0)
		close(S.sigfd);
	listen_close_all();
}

static int
run_solo(void)
{
	int slot = proc_slot_add(PROC_ROLE_TCP_WORKER, 0, "main (fork=no)");
	struct sigaction sa;

	if (slot < 0)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = child_on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	proc_set_self(slot, PROC_ROLE_TCP_WORKER, 0, "main (fork=no)");
	if (mod_child_init_all(proc_get_self()) < 0)
		return 2;
	log_notice("%s running (pid %d)", version_string(), (int)getpid());
	tcp_worker_solo(slot, &child_stop);
	log_notice("stopping");
	return 0;
}

int
supervisor_run(int argc, char **argv)
{
	int rc = 2;

	memset(&S, 0, sizeof(S));
	S.sigfd = -1;
	proc_title_init(argc, argv);
	if (setup_shared() < 0 || listen_open_all() < 0)
		goto out;
	if (mod_init_all() < 0) {
		log_crit("module initialisation failed; stopping");
		goto out;
	}
	if (!core_cfg.fork) {
		rc = run_solo();
		mod_destroy_all();
		goto out;
	}
	if (setup_loop() < 0 || plan_children() < 0 || start_all() < 0) {
		S.stopping = 1;
		stop_children();
		mod_destroy_all();
		goto out;
	}
	/* the supervisor keeps its command line (pkill -f CONFIG finds it);
	 * the children's titles say what they are */
	log_notice("%s running (pid %d)", version_string(), (int)getpid());
	while (!S.stopping) {
		if (ev_run_once(S.loop, 1000) < 0 && errno != EINTR) {
			log_err("supervisor: epoll failed");
			break;
		}
	}
	stop_children();
	mod_destroy_all();
	rc = S.fatal ? 2 : 0;
out:
	cleanup();
	return rc;
}
