/*
 * mi_fifo.c - the mi_fifo module: Kamailio's MI FIFO, serving Tandem's
 * RPC methods.  init() creates the FIFO; one module process reads
 * requests from it, runs them with rpc_execute() and writes each reply
 * to the reply FIFO the request names.  The text format is mi_text.c's.
 * See README.md.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/module_api.h"
#include "core/rpc.h"
#include "core/xalloc.h"
#include "mi_text.h"

#define MI_OPEN_TRIES     40        /* x 50 ms: the client opens its
                                     * reply FIFO after writing */
#define MI_WRITE_TIMEOUT  5000      /* ms to write one reply          */
#define MI_POLL_MS        500       /* how often the stop flag is seen */

static struct {
	char   *fifo_name;
	int     fifo_mode;
	int     has_uid, has_gid;
	uid_t   uid;
	gid_t   gid;
	char   *reply_dir;
	char   *reply_indent;
	char   *indent_copy;        /* reply_indent when set by modparam */
	/* the FIFO init() made, removed by destroy() if still the same */
	int     created;
	dev_t   dev;
	ino_t   ino;
} M = {
	.fifo_name = NULL,
	.fifo_mode = 0660,
	.reply_dir = "/tmp/",
	.reply_indent = "\t",
};

static volatile sig_atomic_t mi_stop;

/* --- parameters ------------------------------------------------------------ */

/*
 * Kamailio reads fifo_mode 0660 as octal.  Tandem's config lexer reads
 * the digits as a decimal number, so a value whose decimal digits are
 * all octal digits is read again in octal (660 -> 0660); a value with an
 * 8 or a 9 is taken as it is.
 */
static int
mi_set_mode(const struct val *v, struct cfg_diag *d)
{
	long long n = v->n, oct = 0, mul = 1, rest;

	if (n < 0) {
		diag_error(d, "fifo_mode: %lld is not a file mode", n);
		return -1;
	}
	for (rest = n; rest > 0 && oct >= 0; rest /= 10, mul *= 8) {
		if (rest % 10 > 7) {
			oct = -1;
			break;
		}
		oct += (rest % 10) * mul;
	}
	if (oct >= 0)
		n = oct;
	if (n > 0777) {
		diag_error(d, "fifo_mode: %lld is not a file mode (0 to 0777, "
		    "written in octal like 0660)", v->n);
		return -1;
	}
	M.fifo_mode = (int)n;
	return 0;
}

/* A user or group given by name or number.  0, or -1 if unknown. */
static int
mi_lookup_id(const str_t *s, int group, long long *id)
{
	char name[256];

	if (str_to_ll(s, id) == 0)
		return *id >= 0 ? 0 : -1;
	if (s->len == 0 || s->len >= sizeof(name))
		return -1;
	memcpy(name, s->s, s->len);
	name[s->len] = '\0';
	if (group) {
		struct group *gr = getgrnam(name);

		if (gr == NULL)
			return -1;
		*id = gr->gr_gid;
	} else {
		struct passwd *pw = getpwnam(name);

		if (pw == NULL)
			return -1;
		*id = pw->pw_uid;
	}
	return 0;
}

static int
mi_set_user(const struct val *v, struct cfg_diag *d)
{
	long long id;

	if (mi_lookup_id(&v->s, 0, &id) == -1) {
		diag_error(d, "fifo_user: no such user '%.*s'", STR_FMT(&v->s));
		return -1;
	}
	M.uid = (uid_t)id;
	M.has_uid = 1;
	return 0;
}

static int
mi_set_group(const struct val *v, struct cfg_diag *d)
{
	long long id;

	if (mi_lookup_id(&v->s, 1, &id) == -1) {
		diag_error(d, "fifo_group: no such group '%.*s'",
		    STR_FMT(&v->s));
		return -1;
	}
	M.gid = (gid_t)id;
	M.has_gid = 1;
	return 0;
}

/* A line break in the indent would end a reply early. */
static int
mi_set_indent(const struct val *v, struct cfg_diag *d)
{
	char *copy;

	if (memchr(v->s.s, '\n', v->s.len) || memchr(v->s.s, '\r', v->s.len)) {
		diag_error(d, "reply_indent: a line break is not allowed");
		return -1;
	}
	if ((copy = xstrndup(v->s.s, v->s.len)) == NULL) {
		diag_error(d, "reply_indent: out of memory");
		return -1;
	}
	xfree(M.indent_copy);
	M.indent_copy = copy;
	M.reply_indent = copy;
	return 0;
}

/* --- the FIFO ------------------------------------------------------------------ */

static int
mi_make_fifo(const char *name)
{
	struct stat st;

	if (lstat(name, &st) == 0) {
		if (!S_ISFIFO(st.st_mode)) {
			log_errx("mi_fifo: %s exists and is not a FIFO: remove "
			    "it or set another fifo_name", name);
			return -1;
		}
		/* left by a run that did not stop cleanly */
		log_info("mi_fifo: replacing the old FIFO %s", name);
		if (unlink(name) == -1) {
			log_err("mi_fifo: unlink(%s) failed", name);
			return -1;
		}
	} else if (errno != ENOENT) {
		log_err("mi_fifo: lstat(%s) failed", name);
		return -1;
	}
	if (mkfifo(name, 0600) == -1) {
		log_err("mi_fifo: mkfifo(%s) failed", name);
		return -1;
	}
	/* mkfifo's mode is filtered by the umask; fifo_mode is not */
	if (chmod(name, (mode_t)M.fifo_mode) == -1) {
		log_err("mi_fifo: chmod(%s, 0%o) failed", name, M.fifo_mode);
		goto fail;
	}
	if ((M.has_uid || M.has_gid) && chown(name,
	    M.has_uid ? M.uid : (uid_t)-1, M.has_gid ? M.gid : (gid_t)-1) == -1) {
		log_err("mi_fifo: chown(%s) failed", name);
		goto fail;
	}
	if (lstat(name, &st) == -1) {
		log_err("mi_fifo: lstat(%s) failed", name);
		goto fail;
	}
	M.dev = st.st_dev;
	M.ino = st.st_ino;
	M.created = 1;
	return 0;

fail:
	unlink(name);
	return -1;
}

static int
mi_init(void)
{
	if (M.fifo_name == NULL || M.fifo_name[0] == '\0') {
		log_errx("mi_fifo: parameter fifo_name is not set");
		return -1;
	}
	if (strlen(M.fifo_name) >= PATH_MAX) {
		log_errx("mi_fifo: fifo_name is too long");
		return -1;
	}
	if (M.reply_dir == NULL || M.reply_dir[0] == '\0') {
		log_errx("mi_fifo: parameter reply_dir is empty");
		return -1;
	}
	return mi_make_fifo(M.fifo_name);
}

static void
mi_destroy(void)
{
	struct stat st;

	/* only our own FIFO: another instance may have made a new one */
	if (M.created && lstat(M.fifo_name, &st) == 0 && S_ISFIFO(st.st_mode)
	    && st.st_dev == M.dev && st.st_ino == M.ino &&
	    unlink(M.fifo_name) == -1)
		log_err("mi_fifo: unlink(%s) failed", M.fifo_name);
	M.created = 0;
	xfree(M.indent_copy);
	M.indent_copy = NULL;
	M.reply_indent = "\t";
}

/* --- replies ---------------------------------------------------------------------- */

static void
mi_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int
mi_reply_path(const struct mi_req *r, char *path, size_t size)
{
	size_t dl = strlen(M.reply_dir);
	int n;

	if (r->reply.s[0] == '/')
		n = snprintf(path, size, "%.*s", STR_FMT(&r->reply));
	else
		n = snprintf(path, size, "%s%s%.*s", M.reply_dir,
		    M.reply_dir[dl - 1] == '/' ? "" : "/", STR_FMT(&r->reply));
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Opens the client's reply FIFO, which it may open for reading only
 * after its request is written: ENXIO (no reader yet) is retried. */
static int
mi_open_reply(const char *path)
{
	struct stat st;
	int fd = -1;

	if (stat(path, &st) == 0 && !S_ISFIFO(st.st_mode)) {
		log_errx("mi_fifo: reply fifo %s is not a FIFO; reply dropped",
		    path);
		return -1;
	}
	for (int i = 0; fd == -1; i++) {
		fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (fd != -1)
			break;
		if (i == MI_OPEN_TRIES || (errno != ENXIO && errno != EINTR)) {
			if (errno == ENOENT)
				log_errx("mi_fifo: reply fifo %s does not exist; "
				    "reply dropped", path);
			else
				log_err("mi_fifo: open(%s) for the reply failed; "
				    "reply dropped", path);
			return -1;
		}
		mi_sleep_ms(50);
	}
	/* it may have been swapped since the stat() */
	if (fstat(fd, &st) == -1 || !S_ISFIFO(st.st_mode)) {
		log_errx("mi_fifo: reply fifo %s is not a FIFO; reply dropped",
		    path);
		close(fd);
		return -1;
	}
	return fd;
}

static void
mi_send_reply(const char *path, const char *data, size_t len)
{
	struct timespec t0, t;
	int fd = mi_open_reply(path);
	size_t off = 0;

	if (fd == -1)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (off < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		ssize_t n = write(fd, data + off, len - off);
		long spent;

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n == -1 && errno != EAGAIN && errno != EINTR) {
			log_err("mi_fifo: write() to reply fifo %s failed", path);
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		spent = (t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (spent >= MI_WRITE_TIMEOUT) {
			log_errx("mi_fifo: reply fifo %s: reader too slow, "
			    "%zu of %zu bytes written", path, off, len);
			break;
		}
		poll(&pfd, 1, (int)(MI_WRITE_TIMEOUT - spent));
	}
	close(fd);
}

static void
mi_serve(const struct mi_req *r)
{
	static const char nomem[] = "500 out of memory\n\n";
	char method[MI_METHOD_MAX + 1], path[PATH_MAX];
	struct mi_out out;

	memcpy(method, r->method.s, r->method.len);
	method[r->method.len] = '\0';
	if (mi_reply_path(r, path, sizeof(path)) == -1) {
		log_errx("mi_fifo: %s: reply fifo path too long; request "
		    "skipped", method);
		return;
	}
	log_dbg("mi_fifo: %s (%d argument%s), reply to %s", method, r->argc,
	    r->argc == 1 ? "" : "s", path);
	mi_out_init(&out, 0, M.reply_indent);
	if (rpc_execute(method, r->argc, r->argv, mi_out_writer(), &out) == 0)
		mi_send_reply(path, out.buf, out.len);
	else {
		log_errx("mi_fifo: %s: out of memory building the reply",
		    method);
		mi_send_reply(path, nomem, sizeof(nomem) - 1);
	}
	mi_out_free(&out);
}

/* --- the process ------------------------------------------------------------------- */

static void
mi_on_term(int sig)
{
	(void)sig;
	mi_stop = 1;
}

/* What a skipped request looked like: its first bytes, printable. */
static void
mi_excerpt(const char *s, size_t n, char *out, size_t size)
{
	size_t k = 0;

	for (size_t i = 0; i < n && s[i] != '\n' && k + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		k += (size_t)snprintf(out + k, size - k,
		    c >= 0x20 && c < 0x7f ? "%c" : "\\x%02x", c);
	}
	out[k] = '\0';
}

/* Serves every complete request in buf; returns the bytes used. */
static size_t
mi_consume(struct mi_parser *p, const char *buf, size_t len)
{
	struct mi_req r;
	const char *err;
	char what[48];
	size_t off = 0, used;
	int rc;

	while ((rc = mi_parse(p, buf + off, len - off, &r, &used, &err)) !=
	    MI_MORE) {
		if (rc == MI_REQ)
			mi_serve(&r);
		else {
			mi_excerpt(buf + off + used, len - off - used, what,
			    sizeof(what));
			log_warnx("mi_fifo: %s: request skipped: %s (\"%s\")",
			    M.fifo_name, err, what);
		}
		off += used;
	}
	return off + used;
}

static int
mi_open_fifo(int *rd, int *wr)
{
	*rd = open(M.fifo_name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (*rd == -1) {
		log_err("mi_fifo: open(%s) failed", M.fifo_name);
		return -1;
	}
	/* our own writer keeps the FIFO from reporting EOF (and poll from
	 * spinning on POLLHUP) each time a client closes it */
	*wr = open(M.fifo_name, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (*wr == -1) {
		log_err("mi_fifo: open(%s) for writing failed", M.fifo_name);
		close(*rd);
		return -1;
	}
	return 0;
}

static void
mi_run(const struct proc_self *self)
{
	struct sigaction sa;
	struct mi_parser p;
	char *buf = NULL;
	size_t len = 0;
	pid_t parent = getppid();
	int rd = -1, wr = -1;

	(void)self;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = mi_on_term;     /* no SA_RESTART: poll() wakes up */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	mi_parser_init(&p);
	if ((buf = malloc(p.req_max)) == NULL || mi_open_fifo(&rd, &wr) == -1) {
		log_errx("mi_fifo: cannot serve %s", M.fifo_name);
		free(buf);
		_exit(2);
	}
	log_info("mi_fifo: serving %s", M.fifo_name);
	while (!mi_stop && getppid() == parent) {
		struct pollfd pfd = { .fd = rd, .events = POLLIN };
		ssize_t n;
		size_t used;

		if (poll(&pfd, 1, MI_POLL_MS) <= 0)
			continue;
		n = read(rd, buf + len, p.req_max - len);
		if (n <= 0) {
			if (n == -1 && errno != EAGAIN && errno != EINTR)
				log_err("mi_fifo: read(%s) failed", M.fifo_name);
			continue;
		}
		len += (size_t)n;
		used = mi_consume(&p, buf, len);
		memmove(buf, buf + used, len - used);
		len -= used;
	}
	close(wr);
	close(rd);
	free(buf);
}

/* --- exports ------------------------------------------------------------------------- */

static const struct param_export mi_params[] = {
	{ "fifo_name", PARAM_STR, &M.fifo_name, NULL },
	{ "fifo_mode", PARAM_INT, NULL, mi_set_mode },
	{ "fifo_user", PARAM_STR, NULL, mi_set_user },
	{ "fifo_group", PARAM_STR, NULL, mi_set_group },
	{ "reply_dir", PARAM_STR, &M.reply_dir, NULL },
	{ "reply_indent", PARAM_STR, NULL, mi_set_indent },
	{ NULL, 0, NULL, NULL }
};

static const struct proc_export mi_procs[] = {
	{ "mi_fifo", 1, mi_run },
	{ NULL, 0, NULL }
};

const struct module tandem_module = {
	.abi = MOD_ABI_VERSION,
	.name = "mi_fifo",
	.version = PACKAGE_VERSION,
	.params = mi_params,
	.procs = mi_procs,
	.init = mi_init,
	.destroy = mi_destroy,
};
