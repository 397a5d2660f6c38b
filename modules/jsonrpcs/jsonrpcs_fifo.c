/*
 * jsonrpcs_fifo.c - the FIFO transport (see jsonrpcs_fifo.h): the
 * request stream, the FIFO itself, reply FIFOs and the serving process.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xalloc.h"
#include "jsonrpcs_fifo.h"
#include "jsonrpcs_rpc.h"

#define POLL_MS  500            /* how often the stop flag is seen */

/* --- the request stream --------------------------------------------------- */

int
jsonrpcs_stream_init(struct jsonrpcs_stream *st, size_t max)
{
	memset(st, 0, sizeof(*st));
	st->max = max;
	st->cap = max;
	st->buf = xmalloc(max);
	return st->buf ? 0 : -1;
}

void
jsonrpcs_stream_free(struct jsonrpcs_stream *st)
{
	xfree(st->buf);
	memset(st, 0, sizeof(*st));
}

char *
jsonrpcs_stream_room(struct jsonrpcs_stream *st, size_t *room)
{
	if (st->off > 0) {
		memmove(st->buf, st->buf + st->off, st->len - st->off);
		st->len -= st->off;
		st->off = 0;
	}
	*room = st->cap - st->len;
	return st->buf + st->len;
}

void
jsonrpcs_stream_added(struct jsonrpcs_stream *st, size_t n)
{
	st->len += n;
}

size_t
jsonrpcs_stream_pending(const struct jsonrpcs_stream *st)
{
	return st->len - st->off + (size_t)(st->skip != 0);
}

void
jsonrpcs_stream_reset(struct jsonrpcs_stream *st)
{
	st->off = st->len = 0;
	st->skip = 0;
}

/* Drops bytes up to and including the next newline; 1 when one was
 * found, 0 when everything was dropped (and dropping goes on). */
static int
skip_line(struct jsonrpcs_stream *st)
{
	char *nl = memchr(st->buf + st->off, '\n', st->len - st->off);

	if (nl == NULL) {
		st->off = st->len;
		return 0;
	}
	st->off = (size_t)(nl - st->buf) + 1;
	return 1;
}

int
jsonrpcs_stream_next(struct jsonrpcs_stream *st, struct jsonrpcs_doc *doc,
    const char **text, size_t *len)
{
	struct jsonrpcs_perr err;
	size_t used, start;
	char *nl;
	int rc;

	if (st->skip) {
		if (!skip_line(st))
			return JSONRPCS_S_MORE;
		st->skip = 0;
	}
	while (st->off < st->len && strchr(" \t\r\n", st->buf[st->off]) &&
	    st->buf[st->off] != '\0')
		st->off++;
	if (st->off == st->len)
		return JSONRPCS_S_MORE;
	start = st->off;
	*text = st->buf + start;
	rc = jsonrpcs_parse(doc, st->buf + start, st->len - start, &used, &err);
	switch (rc) {
	case JSONRPCS_OK:
		*len = used;
		st->off += used;
		return JSONRPCS_S_REQ;
	case JSONRPCS_MORE:
		if (st->len - start < st->max)
			return JSONRPCS_S_MORE;
		snprintf(st->err, sizeof(st->err), "request larger than %zu "
		    "bytes", st->max);
		*len = st->len - start;
		st->off = st->len;
		st->skip = 1;
		return JSONRPCS_S_BAD;
	case JSONRPCS_NOMEM:
		snprintf(st->err, sizeof(st->err), "out of memory parsing the "
		    "request");
		break;
	default:
		snprintf(st->err, sizeof(st->err), "%s at byte %zu", err.msg,
		    err.off);
		break;
	}
	/* what is broken ends at the end of its line: the next request is
	 * expected on the next one */
	nl = memchr(st->buf + start + err.off, '\n',
	    st->len - start - err.off);
	if (nl != NULL) {
		st->off = (size_t)(nl - st->buf) + 1;
	} else {
		st->off = st->len;
		st->skip = 1;
	}
	*len = st->off - start;
	return JSONRPCS_S_BAD;
}

/* --- reply names ----------------------------------------------------------------- */

int
jsonrpcs_reply_name_ok(const char *name, size_t len)
{
	if (len == 0 || len > JSONRPCS_REPLY_NAME_MAX)
		return 0;
	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (name[i] == '/' || (unsigned char)name[i] < 0x20 ||
		    name[i] == 0x7f)
			return 0;
	return 1;
}

int
jsonrpcs_reply_name_scan(const char *text, size_t len, char *out, size_t size)
{
	static const char key[] = "\"reply_name\"";
	const char *p = text, *end = text + len;

	while ((p = memmem(p, (size_t)(end - p), key, sizeof(key) - 1))) {
		const char *q = p + sizeof(key) - 1, *name;

		p = q;
		while (q < end && strchr(" \t\r\n", *q) && *q)
			q++;
		if (q == end || *q++ != ':')
			continue;
		while (q < end && strchr(" \t\r\n", *q) && *q)
			q++;
		if (q == end || *q++ != '"')
			continue;
		/* names need no escapes: one with a backslash is not taken */
		for (name = q; q < end && *q != '"' && *q != '\\'; q++)
			;
		if (q == end || *q != '"' || (size_t)(q - name) >= size ||
		    !jsonrpcs_reply_name_ok(name, (size_t)(q - name)))
			continue;
		memcpy(out, name, (size_t)(q - name));
		out[q - name] = '\0';
		return 1;
	}
	return 0;
}

/* --- the FIFO ------------------------------------------------------------------- */

/* The FIFO create() made: removed at exit only if no one replaced it. */
static struct {
	char   path[PATH_MAX];
	int    created;
	dev_t  dev;
	ino_t  ino;
} F;

static int
mkdir_parent_of(const char *path)
{
	char *copy = xstrdup(path), *dir;
	int rc = 0;

	if (copy == NULL)
		return -1;
	dir = dirname(copy);
	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		log_err("jsonrpcs: cannot create the directory %s", dir);
		rc = -1;
	}
	xfree(copy);
	return rc;
}

static int
check_reply_dir(const char *dir)
{
	struct stat st;

	if (dir == NULL || dir[0] == '\0') {
		log_errx("jsonrpcs: fifo_reply_dir is empty");
		return -1;
	}
	if (stat(dir, &st) == -1) {
		log_err("jsonrpcs: fifo_reply_dir %s", dir);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_errx("jsonrpcs: fifo_reply_dir %s is not a directory", dir);
		return -1;
	}
	return 0;
}

int
jsonrpcs_fifo_create(const struct jsonrpcs_fifo_cfg *cfg, int mkdir_parent)
{
	const char *name = cfg->path;
	struct stat st;

	if (strlen(name) >= sizeof(F.path)) {
		log_errx("jsonrpcs: fifo_name is too long");
		return -1;
	}
	if (check_reply_dir(cfg->reply_dir) == -1)
		return -1;
	if (mkdir_parent && mkdir_parent_of(name) == -1)
		return -1;
	if (lstat(name, &st) == 0) {
		if (!S_ISFIFO(st.st_mode)) {
			log_errx("jsonrpcs: %s exists and is not a FIFO: "
			    "remove it or set another fifo_name", name);
			return -1;
		}
		/* left by a run that did not stop cleanly */
		log_info("jsonrpcs: replacing the old FIFO %s", name);
		if (unlink(name) == -1) {
			log_err("jsonrpcs: unlink(%s) failed", name);
			return -1;
		}
	} else if (errno != ENOENT) {
		log_err("jsonrpcs: lstat(%s) failed", name);
		return -1;
	}
	if (mkfifo(name, 0600) == -1) {
		log_err("jsonrpcs: mkfifo(%s) failed", name);
		return -1;
	}
	/* mkfifo's mode is filtered by the umask; fifo_mode is not */
	if (chmod(name, cfg->mode) == -1) {
		log_err("jsonrpcs: chmod(%s, 0%o) failed", name, cfg->mode);
		goto fail;
	}
	if ((cfg->uid != (uid_t)-1 || cfg->gid != (gid_t)-1) &&
	    chown(name, cfg->uid, cfg->gid) == -1) {
		log_err("jsonrpcs: chown(%s) failed", name);
		goto fail;
	}
	if (lstat(name, &st) == -1) {
		log_err("jsonrpcs: lstat(%s) failed", name);
		goto fail;
	}
	memcpy(F.path, name, strlen(name) + 1);
	F.dev = st.st_dev;
	F.ino = st.st_ino;
	F.created = 1;
	return 0;

fail:
	unlink(name);
	return -1;
}

void
jsonrpcs_fifo_remove(void)
{
	struct stat st;

	/* only our own FIFO: another instance may have made a new one */
	if (F.created && lstat(F.path, &st) == 0 && S_ISFIFO(st.st_mode) &&
	    st.st_dev == F.dev && st.st_ino == F.ino && unlink(F.path) == -1)
		log_err("jsonrpcs: unlink(%s) failed", F.path);
	F.created = 0;
}

/* --- replies ----------------------------------------------------------------------- */

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Opens the client's reply FIFO.  The client may open it for reading
 * only after its request is written: ENXIO (no reader yet) is retried. */
static int
open_reply(const char *path)
{
	long deadline = now_ms() + JSONRPCS_FIFO_OPEN_MS;
	struct stat st;
	int fd;

	if (lstat(path, &st) == -1 || !S_ISFIFO(st.st_mode)) {
		log_errx("jsonrpcs: reply FIFO %s %s; reply dropped", path,
		    errno == ENOENT ? "does not exist" : "is not a FIFO");
		return -1;
	}
	for (;;) {
		fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY |
		    O_NOFOLLOW);
		if (fd != -1)
			break;
		if ((errno != ENXIO && errno != EINTR) ||
		    now_ms() >= deadline) {
			if (errno == ENXIO)
				log_errx("jsonrpcs: nobody reads the reply "
				    "FIFO %s; reply dropped", path);
			else
				log_err("jsonrpcs: open(%s) for the reply "
				    "failed; reply dropped", path);
			return -1;
		}
		sleep_ms(20);
	}
	/* it may have been swapped since the lstat() */
	if (fstat(fd, &st) == -1 || !S_ISFIFO(st.st_mode)) {
		log_errx("jsonrpcs: reply FIFO %s is not a FIFO; reply dropped",
		    path);
		close(fd);
		return -1;
	}
	return fd;
}

static void
send_reply(const char *path, const char *data, size_t len)
{
	long deadline = now_ms() + JSONRPCS_FIFO_WRITE_MS;
	int fd = open_reply(path);
	size_t off = 0;

	if (fd == -1)
		return;
	while (off < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		ssize_t n = write(fd, data + off, len - off);
		long left;

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n == -1 && errno != EAGAIN && errno != EINTR) {
			log_err("jsonrpcs: write() to the reply FIFO %s failed",
			    path);
			break;
		}
		if ((left = deadline - now_ms()) <= 0) {
			log_errx("jsonrpcs: reply FIFO %s: the reader is too "
			    "slow, %zu of %zu bytes written", path, off, len);
			break;
		}
		poll(&pfd, 1, (int)left);
	}
	close(fd);
}

static int
reply_path(const struct jsonrpcs_fifo_cfg *cfg, const char *name, char *path,
    size_t size)
{
	size_t dl = strlen(cfg->reply_dir);
	int n = snprintf(path, size, "%s%s%s", cfg->reply_dir,
	    dl && cfg->reply_dir[dl - 1] == '/' ? "" : "/", name);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* --- serving ------------------------------------------------------------------------ */

struct server {
	const struct jsonrpcs_fifo_cfg *cfg;
	struct jsonrpcs_stream          st;
	struct jsonrpcs_doc             req;
	struct jsonrpcs_reply           reply;
};

/* What a dropped request looked like: its first bytes, printable. */
static void
excerpt(const char *s, size_t n, char *out, size_t size)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		k += (size_t)snprintf(out + k, size - k,
		    c >= 0x20 && c < 0x7f ? "%c" : "\\x%02x", c);
	}
	out[k] = '\0';
}

static void
serve_request(struct server *sv)
{
	const struct jsonrpcs_doc *req = &sv->req;
	char name[JSONRPCS_REPLY_NAME_MAX + 1], path[PATH_MAX];
	int rn = jsonrpcs_member(req, 0, "reply_name");
	int has_id = jsonrpcs_member(req, 0, "id") >= 0;

	if (rn < 0 || req->v[rn].type != JSONRPCS_STRING ||
	    !jsonrpcs_reply_name_ok(jsonrpcs_str(req, rn), req->v[rn].s_len)) {
		if (req->v[0].type == JSONRPCS_OBJECT && !has_id && rn < 0) {
			/* a notification needs no reply FIFO */
			jsonrpcs_serve(req, sv->cfg->pretty, 0, &sv->reply);
			return;
		}
		log_warnx("jsonrpcs: FIFO request %s; skipped",
		    req->v[0].type == JSONRPCS_ARRAY ? "is a batch (not "
		    "supported) and has no reply_name" : rn < 0 ? "without "
		    "\"reply_name\"" : "with a \"reply_name\" that is not a "
		    "file name");
		return;
	}
	memcpy(name, jsonrpcs_str(req, rn), req->v[rn].s_len + 1);
	if (reply_path(sv->cfg, name, path, sizeof(path)) == -1) {
		log_errx("jsonrpcs: reply FIFO path too long; request skipped");
		return;
	}
	jsonrpcs_serve(req, sv->cfg->pretty, 0, &sv->reply);
	if (sv->reply.send)
		send_reply(path, sv->reply.out.s, sv->reply.out.len);
}

/* A request that could not be read: logged, and answered when its
 * reply_name can still be found in it. */
static void
serve_bad(struct server *sv, const char *text, size_t len)
{
	char name[JSONRPCS_REPLY_NAME_MAX + 1], path[PATH_MAX], what[64];
	int too_big = strncmp(sv->st.err, "request larger", 14) == 0;

	excerpt(text, len, what, sizeof(what));
	log_warnx("jsonrpcs: FIFO: %zu bytes dropped: %s (\"%s\")", len,
	    sv->st.err, what);
	if (!jsonrpcs_reply_name_scan(text, len, name, sizeof(name)) ||
	    reply_path(sv->cfg, name, path, sizeof(path)) == -1)
		return;
	if (jsonrpcs_error_reply(&sv->reply, sv->cfg->pretty, too_big ?
	    JSONRPCS_E_REQUEST : JSONRPCS_E_PARSE, sv->st.err) == 0)
		send_reply(path, sv->reply.out.s, sv->reply.out.len);
}

static void
drain(struct server *sv)
{
	const char *text;
	size_t len;
	int rc;

	while ((rc = jsonrpcs_stream_next(&sv->st, &sv->req, &text, &len)) !=
	    JSONRPCS_S_MORE) {
		if (rc == JSONRPCS_S_REQ)
			serve_request(sv);
		else
			serve_bad(sv, text, len);
	}
}

static volatile sig_atomic_t fifo_stop;

static void
on_term(int sig)
{
	(void)sig;
	fifo_stop = 1;
}

static int
open_fifo(const char *path, int *rd, int *wr)
{
	if ((*rd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		log_err("jsonrpcs: open(%s) failed", path);
		return -1;
	}
	/* our own writer keeps the FIFO from reporting EOF (and poll from
	 * spinning on POLLHUP) each time a client closes it */
	if ((*wr = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		log_err("jsonrpcs: open(%s) for writing failed", path);
		close(*rd);
		return -1;
	}
	return 0;
}

void
jsonrpcs_fifo_run(const struct jsonrpcs_fifo_cfg *cfg)
{
	struct server sv = { .cfg = cfg };
	struct sigaction sa;
	pid_t parent = getppid();
	long last = now_ms();
	int rd = -1, wr = -1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;        /* no SA_RESTART: poll() wakes up */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	jsonrpcs_doc_init(&sv.req);
	jsonrpcs_reply_init(&sv.reply);
	if (jsonrpcs_stream_init(&sv.st, JSONRPCS_FIFO_REQ_MAX) == -1 ||
	    open_fifo(cfg->path, &rd, &wr) == -1) {
		log_errx("jsonrpcs: cannot serve %s", cfg->path);
		_exit(2);
	}
	log_info("jsonrpcs: serving the FIFO %s", cfg->path);
	while (!fifo_stop && getppid() == parent) {
		struct pollfd pfd = { .fd = rd, .events = POLLIN };
		size_t room;
		char *at;
		ssize_t n;

		if (poll(&pfd, 1, POLL_MS) <= 0) {
			if (jsonrpcs_stream_pending(&sv.st) &&
			    now_ms() - last >= JSONRPCS_FIFO_IDLE_MS) {
				log_warnx("jsonrpcs: FIFO: an unfinished "
				    "request (%zu bytes) dropped after %d ms "
				    "without more",
				    jsonrpcs_stream_pending(&sv.st),
				    JSONRPCS_FIFO_IDLE_MS);
				jsonrpcs_stream_reset(&sv.st);
			}
			continue;
		}
		at = jsonrpcs_stream_room(&sv.st, &room);
		if ((n = read(rd, at, room)) <= 0) {
			if (n == -1 && errno != EAGAIN && errno != EINTR)
				log_err("jsonrpcs: read(%s) failed", cfg->path);
			continue;
		}
		last = now_ms();
		jsonrpcs_stream_added(&sv.st, (size_t)n);
		drain(&sv);
	}
	close(wr);
	close(rd);
	jsonrpcs_stream_free(&sv.st);
	jsonrpcs_doc_free(&sv.req);
	jsonrpcs_reply_free(&sv.reply);
}
