/*
 * msrpload - MSRP relay load generator (single process, epoll).
 *
 * P receiver connections AUTH to the relay (digest, qop=auth) and keep
 * the Use-Path of the 200; P sender connections send SEND frames whose
 * To-Path is "<receiver's Use-Path> <receiver's URI>".  The relay answers
 * the sender 200 and relays the frame to the receiver, which answers 200
 * (unless -R).  Each sender keeps at most W frames in flight (sent, not
 * yet received).  Reports frames/s end to end, MB/s, latency p50/p90/p99
 * (send -> receipt) and errors; checks body integrity on a sample.  The
 * last line is machine-readable:
 *   RESULT frames_per_s=... mb_per_s=... p50_us=... p90_us=... p99_us=... errors=...
 *          frames=... gen_usr_us=... gen_sys_us=...
 * (the last three: frames received in the timed part and the CPU time
 * msrpload itself spent on them, so a caller can tell the server's CPU
 * cost per frame from the load generator's)
 *
 * usage: msrpload [-H host] [-p port] [-P pairs] [-b body] [-w window]
 *                 [-d seconds] [-n frames] [-u user] [-k password] [-R]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <sys/resource.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
	int       fd;
	int       is_rx;
	int       idx;              /* pair index                       */
	char      uri[128];
	char      use_path[256];    /* receivers, after AUTH            */
	char     *in;
	size_t    in_len, in_cap;
	char     *out;
	size_t    out_len, out_off, out_cap;
	int       state;            /* 0 auth1, 1 auth2, 2 ready        */
	long long inflight;
	uint64_t  seq;
};

static struct {
	const char *host;
	int         port;
	int         pairs, body, window, duration;
	long long   total;
	const char *user, *pass;
	int         no_rx_reply;
	int         ep;
	struct conn *rx, *tx;
	long long   sent, received, errors, bytes;
	int         closed;         /* the relay closed a connection    */
	uint32_t   *lat;            /* microseconds, one per receipt    */
	size_t      nlat, caplat;
	char       *body_buf;
} G = { "127.0.0.1", 5060, 16, 100, 8, 10, 0, "alice", "xyz123", 0, -1,
	NULL, NULL, 0, 0, 0, 0, 0, NULL, 0, 0, NULL };

static long long
tv_us(const struct timeval *tv)
{
	return (long long)tv->tv_sec * 1000000 + tv->tv_usec;
}

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void
md5hex(const char *s, char out[33])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(s, strlen(s), d, &n, EVP_md5(), NULL);
	for (unsigned i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void
out_put(struct conn *c, const char *p, size_t n)
{
	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 65536;

		while (cap < c->out_len + n)
			cap *= 2;
		if ((c->out = realloc(c->out, cap)) == NULL)
			die("out of memory");
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
}

static void
flush(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);

		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			die("write: %s", strerror(errno));
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
}

static int
connect_one(struct conn *c, int is_rx, int idx)
{
	struct sockaddr_in sa;
	struct sockaddr_in me;
	socklen_t ml = sizeof(me);
	struct epoll_event ev;
	int one = 1;

	memset(c, 0, sizeof(*c));
	c->is_rx = is_rx;
	c->idx = idx;
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)G.port);
	inet_pton(AF_INET, G.host, &sa.sin_addr);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		die("connect %s:%d: %s", G.host, G.port, strerror(errno));
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	getsockname(c->fd, (struct sockaddr *)&me, &ml);
	snprintf(c->uri, sizeof(c->uri), "msrp://127.0.0.1:%d/%c%d;tcp",
	    ntohs(me.sin_port), is_rx ? 'r' : 's', idx);
	fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
	ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
	ev.data.ptr = c;
	epoll_ctl(G.ep, EPOLL_CTL_ADD, c->fd, &ev);
	return 0;
}

static void
send_auth(struct conn *c, const char *authz)
{
	char buf[2048];
	int n = snprintf(buf, sizeof(buf),
	    "MSRP auth%d%s AUTH\r\nTo-Path: msrp://%s:%d;tcp\r\nFrom-Path: %s\r\n"
	    "%s%s%s-------auth%d%s$\r\n", c->idx, authz ? "b" : "a", G.host,
	    G.port, c->uri, authz ? "Authorization: " : "",
	    authz ? authz : "", authz ? "\r\n" : "", c->idx, authz ? "b" : "a");

	out_put(c, buf, (size_t)n);
	flush(c);
}

static const char *
hdr(const char *frame, size_t len, const char *name, size_t *vlen)
{
	size_t nl = strlen(name);
	const char *p = frame, *end = frame + len;

	while (p < end) {
		const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);

		if (eol == NULL)
			break;
		if ((size_t)(eol - p) > nl + 1 && strncasecmp(p, name, nl) == 0 &&
		    p[nl] == ':') {
			const char *v = p + nl + 1;

			while (*v == ' ')
				v++;
			*vlen = (size_t)(eol - v);
			return v;
		}
		p = eol + 2;
	}
	return NULL;
}

static void
param(const char *v, size_t vl, const char *key, char *out, size_t cap)
{
	char pat[32];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "%s=\"", key);
	out[0] = '\0';
	p = memmem(v, vl, pat, strlen(pat));
	if (p == NULL)
		return;
	p += strlen(pat);
	e = memchr(p, '"', (size_t)(v + vl - p));
	if (e == NULL || (size_t)(e - p) >= cap)
		return;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
}

static void
on_auth_reply(struct conn *c, const char *f, size_t len, int code)
{
	const char *v;
	size_t vl;

	if (code == 401 && c->state == 0) {
		char realm[128], nonce[256], opaque[256], ha1[33], ha2[33],
		    resp[33], tmp[1024], authz[1536], relay[128];

		v = hdr(f, len, "WWW-Authenticate", &vl);
		if (v == NULL)
			die("401 without WWW-Authenticate");
		param(v, vl, "realm", realm, sizeof(realm));
		param(v, vl, "nonce", nonce, sizeof(nonce));
		param(v, vl, "opaque", opaque, sizeof(opaque));
		snprintf(relay, sizeof(relay), "msrp://%s:%d;tcp", G.host, G.port);
		snprintf(tmp, sizeof(tmp), "%s:%s:%s", G.user, realm, G.pass);
		md5hex(tmp, ha1);
		snprintf(tmp, sizeof(tmp), "AUTH:%s", relay);
		md5hex(tmp, ha2);
		snprintf(tmp, sizeof(tmp), "%s:%s:00000001:0a4f113b:auth:%s",
		    ha1, nonce, ha2);
		md5hex(tmp, resp);
		snprintf(authz, sizeof(authz), "Digest username=\"%s\", "
		    "realm=\"%s\", nonce=\"%s\", uri=\"%s\", response=\"%s\", "
		    "qop=auth, nc=00000001, cnonce=\"0a4f113b\"%s%s%s", G.user,
		    realm, nonce, relay, resp, opaque[0] ? ", opaque=\"" : "",
		    opaque, opaque[0] ? "\"" : "");
		c->state = 1;
		send_auth(c, authz);
		return;
	}
	if (code == 200) {
		v = hdr(f, len, "Use-Path", &vl);
		if (v == NULL || vl >= sizeof(c->use_path))
			die("200 to AUTH without Use-Path");
		memcpy(c->use_path, v, vl);
		c->use_path[vl] = '\0';
		c->state = 2;
		return;
	}
	die("AUTH of receiver %d: unexpected reply %d", c->idx, code);
}

static void
send_frames(struct conn *s)
{
	struct conn *r = &G.rx[s->idx];
	char head[1024];

	while (s->inflight < G.window && (G.total == 0 || G.sent < G.total)) {
		uint64_t t = now_us();
		int n = snprintf(head, sizeof(head),
		    "MSRP s%08llx SEND\r\nTo-Path: %s %s\r\nFrom-Path: %s\r\n"
		    "Message-ID: %d.%llu.%llu\r\nByte-Range: 1-%d/%d\r\n"
		    "Content-Type: text/plain\r\n\r\n",
		    (unsigned long long)s->seq, r->use_path, r->uri, s->uri,
		    s->idx, (unsigned long long)s->seq, (unsigned long long)t,
		    G.body, G.body);

		out_put(s, head, (size_t)n);
		out_put(s, G.body_buf, (size_t)G.body);
		n = snprintf(head, sizeof(head), "\r\n-------s%08llx$\r\n",
		    (unsigned long long)s->seq);
		out_put(s, head, (size_t)n);
		s->seq++;
		s->inflight++;
		G.sent++;
	}
	flush(s);
}

static void
on_rx_frame(struct conn *c, const char *f, size_t len, const char *tid,
    size_t tidlen)
{
	const char *v, *body;
	size_t vl;
	int idx;
	unsigned long long seq, t;

	v = hdr(f, len, "Message-ID", &vl);
	if (v == NULL || sscanf(v, "%d.%llu.%llu", &idx, &seq, &t) != 3 ||
	    idx < 0 || idx >= G.pairs) {
		G.errors++;
		return;
	}
	G.tx[idx].inflight--;
	G.received++;
	G.bytes += G.body;
	if (G.nlat < G.caplat)
		G.lat[G.nlat++] = (uint32_t)(now_us() - t);
	/* integrity on a sample: the body must be the pattern, whole */
	if ((seq & 63) == 0) {
		body = memmem(f, len, "\r\n\r\n", 4);
		if (G.body > 0 && (body == NULL || (size_t)(f + len - body) <
		    (size_t)G.body + 4 || memcmp(body + 4, G.body_buf,
		    (size_t)G.body) != 0))
			G.errors++;
	}
	if (!G.no_rx_reply) {
		char buf[512];
		const char *fp = hdr(f, len, "From-Path", &vl);
		size_t fl = 0;
		int n;

		while (fp && fl < vl && fp[fl] != ' ')
			fl++;
		n = snprintf(buf, sizeof(buf), "MSRP %.*s 200 OK\r\nTo-Path: "
		    "%.*s\r\nFrom-Path: %s\r\n-------%.*s$\r\n", (int)tidlen, tid,
		    (int)fl, fp ? fp : "", c->uri, (int)tidlen, tid);
		out_put(c, buf, (size_t)n);
	}
	send_frames(&G.tx[idx]);
}

/* Takes every complete frame out of c->in. */
static void
parse_in(struct conn *c)
{
	size_t off = 0;

	while (c->in_len - off > 5) {
		const char *f = c->in + off, *sp, *sp2, *end;
		char pat[64];
		size_t tl, len;
		int pl;

		if (memcmp(f, "MSRP ", 5) != 0)
			die("not MSRP from the relay");
		sp = memchr(f + 5, ' ', c->in_len - off - 5);
		if (sp == NULL)
			break;
		tl = (size_t)(sp - (f + 5));
		if (tl > 40)
			die("bad transaction id");
		pl = snprintf(pat, sizeof(pat), "\r\n-------%.*s", (int)tl, f + 5);
		end = memmem(f, c->in_len - off, pat, (size_t)pl);
		if (end == NULL || (size_t)(end + pl + 3 - f) > c->in_len - off)
			break;
		len = (size_t)(end + pl + 3 - f);
		sp2 = sp + 1;
		if (sp2[0] >= '1' && sp2[0] <= '9' && sp2[3] == ' ') {
			int code = atoi(sp2);

			if (c->is_rx && c->state < 2)
				on_auth_reply(c, f, len, code);
			else if (code != 200)
				G.errors++;
		} else if (c->is_rx) {
			on_rx_frame(c, f, len, f + 5, tl);
		}
		off += len;
	}
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
}

static void
on_readable(struct conn *c)
{
	for (;;) {
		ssize_t n;

		if (c->in_cap - c->in_len < 65536) {
			c->in_cap = c->in_cap ? c->in_cap * 2 : 262144;
			if ((c->in = realloc(c->in, c->in_cap)) == NULL)
				die("out of memory");
		}
		n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
		if (n == 0) {
			/* e.g. a frame over the relay's size limit: counted,
			 * and the run stops with what it measured */
			G.closed = 1;
			G.errors++;
			epoll_ctl(G.ep, EPOLL_CTL_DEL, c->fd, NULL);
			return;
		}
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			die("read: %s", strerror(errno));
		}
		c->in_len += (size_t)n;
	}
	parse_in(c);
	flush(c);
}

static void
run_until(int (*done)(void), uint64_t deadline)
{
	struct epoll_event evs[256];

	while (!done() && !G.closed && now_us() < deadline) {
		int n = epoll_wait(G.ep, evs, 256, 100);

		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (evs[i].events & EPOLLOUT)
				flush(c);
			if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
				on_readable(c);
		}
	}
}

static int
all_authed(void)
{
	for (int i = 0; i < G.pairs; i++)
		if (G.rx[i].state < 2)
			return 0;
	return 1;
}

static int
total_done(void)
{
	return G.total && G.received >= G.total;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct rusage ru0, ru1;
	uint64_t t0, t1;
	double secs;
	int opt;

	while ((opt = getopt(argc, argv, "H:p:P:b:w:d:n:u:k:R")) != -1) {
		switch (opt) {
		case 'H': G.host = optarg; break;
		case 'p': G.port = atoi(optarg); break;
		case 'P': G.pairs = atoi(optarg); break;
		case 'b': G.body = atoi(optarg); break;
		case 'w': G.window = atoi(optarg); break;
		case 'd': G.duration = atoi(optarg); break;
		case 'n': G.total = atoll(optarg); break;
		case 'u': G.user = optarg; break;
		case 'k': G.pass = optarg; break;
		case 'R': G.no_rx_reply = 1; break;
		default:
			fprintf(stderr, "usage: msrpload [-H host] [-p port] [-P pairs] "
			    "[-b body] [-w window] [-d seconds] [-n frames] [-u user] "
			    "[-k password] [-R]\n");
			return 2;
		}
	}
	if (G.pairs < 1 || G.window < 1 || G.body < 0)
		die("pairs, window >= 1 and body >= 0");
	G.ep = epoll_create1(0);
	G.rx = calloc((size_t)G.pairs, sizeof(*G.rx));
	G.tx = calloc((size_t)G.pairs, sizeof(*G.tx));
	G.caplat = 4u << 20;
	G.lat = malloc(G.caplat * sizeof(uint32_t));
	G.body_buf = malloc((size_t)G.body + 1);
	if (!G.rx || !G.tx || !G.lat || !G.body_buf)
		die("out of memory");
	for (int i = 0; i < G.body; i++)
		G.body_buf[i] = (char)('a' + i % 26);
	for (int i = 0; i < G.pairs; i++) {
		connect_one(&G.rx[i], 1, i);
		send_auth(&G.rx[i], NULL);
	}
	run_until(all_authed, now_us() + 30000000u);
	if (!all_authed())
		die("receivers did not all AUTH within 30 s");
	for (int i = 0; i < G.pairs; i++)
		connect_one(&G.tx[i], 0, i);
	getrusage(RUSAGE_SELF, &ru0);
	t0 = now_us();
	for (int i = 0; i < G.pairs; i++)
		send_frames(&G.tx[i]);
	run_until(total_done, t0 + (uint64_t)G.duration * 1000000u);
	t1 = now_us();
	getrusage(RUSAGE_SELF, &ru1);
	secs = (double)(t1 - t0) / 1e6;
	qsort(G.lat, G.nlat, sizeof(uint32_t), cmp_u32);
#define PCT(p) (G.nlat ? G.lat[(size_t)((double)(G.nlat - 1) * (p))] : 0)
	printf("pairs=%d body=%d window=%d: sent %lld, received %lld in %.2f s, "
	    "errors %lld\n", G.pairs, G.body, G.window, G.sent, G.received, secs,
	    G.errors);
	if (G.closed)
		printf("the relay closed a connection: run stopped\n");
	printf("RESULT frames_per_s=%.0f mb_per_s=%.2f p50_us=%u p90_us=%u "
	    "p99_us=%u errors=%lld frames=%lld gen_usr_us=%lld "
	    "gen_sys_us=%lld\n", (double)G.received / secs,
	    (double)G.bytes / secs / 1e6, PCT(0.50), PCT(0.90), PCT(0.99),
	    G.errors + (G.received == 0), G.received,
	    tv_us(&ru1.ru_utime) - tv_us(&ru0.ru_utime),
	    tv_us(&ru1.ru_stime) - tv_us(&ru0.ru_stime));
	return 0;
}
