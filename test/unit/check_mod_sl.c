/*
 * check_mod_sl.c - the pure parts of the sl, textops and maxfwd modules:
 * the stateless reply text (received/rport, To tag, copied headers in
 * order, compact names, folding, IPv6), where it goes over UDP, the
 * readers of Via and From/To, is_method()'s list and the Max-Forwards
 * arithmetic.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/maxfwd/mf_value.h"
#include "modules/sl/sl_msg.h"
#include "modules/sl/sl_reply.h"
#include "modules/textops/textops_method.h"
#include "tcheck.h"

static const unsigned char secret[16] = "0123456789abcdef";

static struct sockaddr_storage
addr(const char *ip, int port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(ip, ':') != NULL) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		ck_assert_int_eq(inet_pton(AF_INET6, ip, &s6->sin6_addr), 1);
	} else {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		ck_assert_int_eq(inet_pton(AF_INET, ip, &s4->sin_addr), 1);
	}
	return ss;
}

/* "ip:port" of an address, for comparisons. */
static const char *
addr_text(const struct sockaddr_storage *ss)
{
	static char buf[80];
	char ip[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;

		inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
		snprintf(buf, sizeof(buf), "%s:%d", ip, ntohs(s->sin_port));
	} else {
		const struct sockaddr_in6 *s = (const void *)ss;

		inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
		snprintf(buf, sizeof(buf), "[%s]:%d", ip, ntohs(s->sin6_port));
	}
	return buf;
}

/* The To tag sl computes for a request text. */
static const char *
tag_of(const char *req)
{
	static char tag[SL_TAG_LEN + 1];
	str_t r = str_cstr(req);
	struct sl_req rq;
	const char *err = NULL;

	ck_assert_msg(sl_req_scan(&r, &rq, &err) == 0, "scan: %s", err);
	ck_assert_int_eq(sl_totag(secret, sizeof(secret), &rq, tag), 0);
	tag[SL_TAG_LEN] = '\0';
	return tag;
}

/*
 * Builds the reply to req from src (tag computed as sl does) and
 * returns it NUL-terminated (static), or NULL with *errp set.
 */
static const char *
reply_ex(const char *req, const char *ip, int port, int code,
    const char *reason, const char *hdrs, const char *server,
    const char **errp)
{
	static char out[4096];
	struct sockaddr_storage src = addr(ip, port);
	str_t r = str_cstr(req);
	struct sl_reply rep = {
		.code = code, .reason = str_cstr(reason),
		.hdrs = str_cstr(hdrs), .server = str_cstr(server),
	};
	struct sl_req rq;
	char tag[SL_TAG_LEN];
	const char *err = NULL;
	long n;

	if (sl_req_scan(&r, &rq, &err) < 0) {
		*errp = err;
		return NULL;
	}
	ck_assert_int_eq(sl_totag(secret, sizeof(secret), &rq, tag), 0);
	rep.to_tag = str_make(tag, SL_TAG_LEN);
	ck_assert_uint_le(sl_reply_cap(&r, &rep), sizeof(out));
	n = sl_reply_build(&r, &rq, &src, &rep, out, sl_reply_cap(&r, &rep),
	    &err);
	if (n < 0) {
		*errp = err;
		return NULL;
	}
	out[n] = '\0';
	return out;
}

static const char *
reply(const char *req, const char *ip, int port, int code,
    const char *reason)
{
	const char *err = NULL;
	const char *r = reply_ex(req, ip, port, code, reason, "", "", &err);

	ck_assert_msg(r != NULL, "reply not built: %s", err);
	return r;
}

static const char *
dest(const char *req, const char *ip, int port)
{
	struct sockaddr_storage src = addr(ip, port), dst;
	str_t r = str_cstr(req);
	struct sl_req rq;
	const char *err = NULL;

	ck_assert_msg(sl_req_scan(&r, &rq, &err) == 0, "scan: %s", err);
	sl_reply_dest(&rq, &src, &dst);
	return addr_text(&dst);
}

#define OPTIONS(via, to) \
	"OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n" \
	via \
	"From: \"A\" <sip:a@127.0.0.1>;tag=ft1\r\n" \
	to \
	"Call-ID: cid-1@h\r\n" \
	"CSeq: 7 OPTIONS\r\n" \
	"Max-Forwards: 70\r\n" \
	"Content-Length: 0\r\n\r\n"

#define VIA_RPORT "Via: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK-1;rport\r\n"
#define TO_PLAIN "To: <sip:x@127.0.0.1>\r\n"

/* the digits of an address, port and code written by hand: 0..3 digits */
START_TEST(t_reply_address_digits)
{
	static const struct { const char *ip; int port, code; const char *want; }
	    c[] = {
		{ "192.0.10.255", 65535, 199, "SIP/2.0 199 R\r\nVia: SIP/2.0/UDP "
		  "10.0.0.1:5070;branch=z9hG4bK-1;rport=65535;"
		  "received=192.0.10.255\r\n" },
		{ "0.0.0.9", 1, 600, "SIP/2.0 600 R\r\nVia: SIP/2.0/UDP "
		  "10.0.0.1:5070;branch=z9hG4bK-1;rport=1;received=0.0.0.9\r\n" },
	};
	const char *req = OPTIONS(VIA_RPORT, TO_PLAIN);

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		const char *r = reply(req, c[i].ip, c[i].port, c[i].code, "R");

		ck_assert_msg(strncmp(r, c[i].want, strlen(c[i].want)) == 0,
		    "got %s", r);
	}
}
END_TEST

START_TEST(t_reply_rport_received)
{
	const char *req = OPTIONS(VIA_RPORT, TO_PLAIN);
	char want[1024];

	snprintf(want, sizeof(want),
	    "SIP/2.0 403 No SIP Here\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK-1;rport=40000;"
	    "received=127.0.0.1\r\n"
	    "From: \"A\" <sip:a@127.0.0.1>;tag=ft1\r\n"
	    "To: <sip:x@127.0.0.1>;tag=%s\r\n"
	    "Call-ID: cid-1@h\r\n"
	    "CSeq: 7 OPTIONS\r\n"
	    "Content-Length: 0\r\n\r\n", tag_of(req));
	ck_assert_str_eq(reply(req, "127.0.0.1", 40000, 403, "No SIP Here"),
	    want);
	/* rport: the source port; received: the source address */
	ck_assert_str_eq(dest(req, "127.0.0.1", 40000), "127.0.0.1:40000");
}
END_TEST

START_TEST(t_reply_same_host_no_rport)
{
	const char *req = OPTIONS(
	    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-2\r\n", TO_PLAIN);
	char want[1024];

	snprintf(want, sizeof(want),
	    "SIP/2.0 200 OK\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-2\r\n"
	    "From: \"A\" <sip:a@127.0.0.1>;tag=ft1\r\n"
	    "To: <sip:x@127.0.0.1>;tag=%s\r\n"
	    "Call-ID: cid-1@h\r\n"
	    "CSeq: 7 OPTIONS\r\n"
	    "Content-Length: 0\r\n\r\n", tag_of(req));
	ck_assert_str_eq(reply(req, "127.0.0.1", 40000, 200, "OK"), want);
	/* RFC 3261 18.2.2: to the sent-by port, not the source port */
	ck_assert_str_eq(dest(req, "127.0.0.1", 40000), "127.0.0.1:5070");
}
END_TEST

START_TEST(t_reply_other_host_and_name)
{
	const char *r;
	const char *ip_req = OPTIONS(
	    "Via: SIP/2.0/UDP 192.0.2.7;branch=z9hG4bK-3\r\n", TO_PLAIN);
	const char *name_req = OPTIONS(
	    "Via: SIP/2.0/UDP pc33.example.com:5999 ;branch=z9hG4bK-4 \r\n",
	    TO_PLAIN);

	r = reply(ip_req, "198.51.100.2", 1234, 404, "Not Here");
	ck_assert_ptr_nonnull(strstr(r, "\r\nVia: SIP/2.0/UDP 192.0.2.7;"
	    "branch=z9hG4bK-3;received=198.51.100.2\r\n"));
	ck_assert_str_eq(dest(ip_req, "198.51.100.2", 1234),
	    "198.51.100.2:5060");
	/* a name is never the source address: received is added, after the
	 * last parameter and before the trailing blank */
	r = reply(name_req, "198.51.100.2", 1234, 404, "Not Here");
	ck_assert_ptr_nonnull(strstr(r, "\r\nVia: SIP/2.0/UDP "
	    "pc33.example.com:5999 ;branch=z9hG4bK-4;received=198.51.100.2 "
	    "\r\n"));
	ck_assert_str_eq(dest(name_req, "198.51.100.2", 1234),
	    "198.51.100.2:5999");
}
END_TEST

START_TEST(t_reply_received_and_rport_given)
{
	/* a bare received gets its value; rport with a value is kept and
	 * used as the destination port (RFC 3581 4) */
	const char *req = OPTIONS(
	    "Via: SIP/2.0/UDP 10.1.1.1;received;rport=7000;branch=z9hG4bK-5"
	    "\r\n", TO_PLAIN);
	const char *r = reply(req, "127.0.0.1", 40000, 500, "Oops");

	ck_assert_ptr_nonnull(strstr(r, "\r\nVia: SIP/2.0/UDP 10.1.1.1;"
	    "received=127.0.0.1;rport=7000;branch=z9hG4bK-5\r\n"));
	ck_assert_str_eq(dest(req, "127.0.0.1", 40000), "127.0.0.1:7000");
	/* an old received value is replaced */
	req = OPTIONS("Via: SIP/2.0/UDP 10.1.1.1;received=1.1.1.1;"
	    "branch=z9hG4bK-6\r\n", TO_PLAIN);
	r = reply(req, "127.0.0.1", 40000, 500, "Oops");
	ck_assert_ptr_nonnull(strstr(r, "\r\nVia: SIP/2.0/UDP 10.1.1.1;"
	    "received=127.0.0.1;branch=z9hG4bK-6\r\n"));
}
END_TEST

START_TEST(t_to_tag_kept)
{
	const char *req = OPTIONS(VIA_RPORT,
	    "To: <sip:x@127.0.0.1>;tag=abc\r\n");
	const char *r = reply(req, "127.0.0.1", 40000, 403, "No");

	ck_assert_ptr_nonnull(strstr(r, "\r\nTo: <sip:x@127.0.0.1>;tag=abc"
	    "\r\n"));
	ck_assert_ptr_null(strstr(r, "tag=abc;tag="));
	/* a tag inside the URI is not the To tag */
	req = OPTIONS(VIA_RPORT, "To: \"x;tag=1 <\" <sip:x@h;tag=u>\r\n");
	r = reply(req, "127.0.0.1", 40000, 403, "No");
	ck_assert_ptr_nonnull(strstr(r, "\r\nTo: \"x;tag=1 <\" <sip:x@h;"
	    "tag=u>;tag="));
}
END_TEST

START_TEST(t_to_tag_stable)
{
	const char *req = OPTIONS(VIA_RPORT, TO_PLAIN);
	const char *other = OPTIONS(
	    "Via: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK-2;rport\r\n",
	    TO_PLAIN);
	const char *ack = "ACK sip:x@127.0.0.1 SIP/2.0\r\n" VIA_RPORT
	    "From: \"A\" <sip:a@127.0.0.1>;tag=ft1\r\n"
	    "To: <sip:x@127.0.0.1>;tag=zzz\r\nCall-ID: cid-1@h\r\n"
	    "CSeq: 7 ACK\r\n\r\n";
	char first[SL_TAG_LEN + 1], reply1[2048];
	str_t r = str_cstr(req);
	struct sl_req rq;
	const char *err;
	char tag2[SL_TAG_LEN];

	snprintf(first, sizeof(first), "%s", tag_of(req));
	for (int i = 0; i < SL_TAG_LEN; i++)
		ck_assert(strchr("0123456789abcdef", first[i]) != NULL);
	/* a retransmission, from the same or another port, same reply */
	snprintf(reply1, sizeof(reply1), "%s",
	    reply(req, "127.0.0.1", 40000, 403, "No"));
	ck_assert_str_eq(reply(req, "127.0.0.1", 40000, 403, "No"), reply1);
	ck_assert_str_eq(tag_of(req), first);
	/* another transaction, another tag; the ACK of a negative reply
	 * (same branch) computes the same one */
	ck_assert_str_ne(tag_of(other), first);
	ck_assert_str_eq(tag_of(ack), first);
	/* another daemon (secret), another tag */
	ck_assert_int_eq(sl_req_scan(&r, &rq, &err), 0);
	ck_assert_int_eq(sl_totag((const unsigned char *)"another secret!!",
	    16, &rq, tag2), 0);
	ck_assert(memcmp(tag2, first, SL_TAG_LEN) != 0);
}
END_TEST

START_TEST(t_to_tag_without_branch)
{
	/* RFC 2543: no branch; the CSeq number stands in */
	const char *a = OPTIONS("Via: SIP/2.0/UDP 10.0.0.1\r\n", TO_PLAIN);
	const char *b = "OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.1\r\n"
	    "From: \"A\" <sip:a@127.0.0.1>;tag=ft1\r\n" TO_PLAIN
	    "Call-ID: cid-1@h\r\nCSeq: 8 OPTIONS\r\n\r\n";
	char ta[SL_TAG_LEN + 1];

	snprintf(ta, sizeof(ta), "%s", tag_of(a));
	ck_assert_str_ne(tag_of(b), ta);
	ck_assert_str_eq(tag_of(a), ta);
}
END_TEST

START_TEST(t_multi_via_and_order)
{
	const char *req =
	    "INVITE sip:x@h SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.1:5070;rport;branch=z9hG4bK-1 , "
	    "SIP/2.0/TCP 10.0.0.2;branch=b2\r\n"
	    "Record-Route: <sip:rr@1.1.1.1;lr>\r\n"
	    "v: SIP/2.0/UDP 10.0.0.3;branch=b3\r\n"
	    "From: <sip:a@h>;tag=F\r\n"
	    "To: <sip:x@h>\r\n"
	    "Call-ID: c1\r\n"
	    "Contact: <sip:a@10.0.0.1>\r\n"
	    "CSeq: 1 INVITE\r\n"
	    "Content-Type: application/sdp\r\n"
	    "Content-Length: 4\r\n\r\nv=0\n";
	char want[2048];
	const char *tag = tag_of(req);
	char tagc[SL_TAG_LEN + 1];

	snprintf(tagc, sizeof(tagc), "%s", tag);
	/* received/rport go in the first value of the first line only */
	snprintf(want, sizeof(want),
	    "SIP/2.0 180 Ringing\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.1:5070;rport=5070;branch=z9hG4bK-1;"
	    "received=10.0.0.1 , SIP/2.0/TCP 10.0.0.2;branch=b2\r\n"
	    "Record-Route: <sip:rr@1.1.1.1;lr>\r\n"
	    "v: SIP/2.0/UDP 10.0.0.3;branch=b3\r\n"
	    "From: <sip:a@h>;tag=F\r\n"
	    "To: <sip:x@h>;tag=%s\r\n"
	    "Call-ID: c1\r\n"
	    "CSeq: 1 INVITE\r\n"
	    "Content-Length: 0\r\n\r\n", tagc);
	ck_assert_str_eq(reply(req, "10.0.0.1", 5070, 180, "Ringing"), want);
	/* Record-Route only in 180-299 */
	ck_assert_ptr_null(strstr(reply(req, "10.0.0.1", 5070, 486, "Busy"),
	    "Record-Route"));
	ck_assert_ptr_null(strstr(reply(req, "10.0.0.1", 5070, 100,
	    "Trying"), "Record-Route"));
	/* and a 100 carries no To tag */
	ck_assert_ptr_nonnull(strstr(reply(req, "10.0.0.1", 5070, 100,
	    "Trying"), "\r\nTo: <sip:x@h>\r\n"));
	ck_assert_ptr_nonnull(strstr(reply(req, "10.0.0.1", 5070, 200, "OK"),
	    "Record-Route"));
}
END_TEST

START_TEST(t_compact_and_folded)
{
	const char *req =
	    "MESSAGE sip:x@h SIP/2.0\r\n"
	    "v: SIP/2.0/UDP 10.0.0.9:5070;branch=z9hG4bK-c;rport\r\n"
	    "f: <sip:a@h>;tag=F\r\n"
	    "t: \"Bob\"\r\n"
	    "  <sip:b@h>\r\n"
	    "i: c1\r\n"
	    "CSeq: 1 MESSAGE\r\n"
	    "l: 0\r\n\r\n";
	char want[1024], tag[SL_TAG_LEN + 1];

	snprintf(tag, sizeof(tag), "%s", tag_of(req));
	snprintf(want, sizeof(want),
	    "SIP/2.0 202 Accepted\r\n"
	    "v: SIP/2.0/UDP 10.0.0.9:5070;branch=z9hG4bK-c;rport=6000;"
	    "received=127.0.0.1\r\n"
	    "f: <sip:a@h>;tag=F\r\n"
	    "t: \"Bob\"\r\n  <sip:b@h>;tag=%s\r\n"
	    "i: c1\r\n"
	    "CSeq: 1 MESSAGE\r\n"
	    "Content-Length: 0\r\n\r\n", tag);
	ck_assert_str_eq(reply(req, "127.0.0.1", 6000, 202, "Accepted"),
	    want);
}
END_TEST

START_TEST(t_bare_lf_lines)
{
	const char *req = "OPTIONS sip:x@h SIP/2.0\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-lf\n"
	    "From: <sip:a@h>;tag=F\nTo: <sip:x@h>;tag=T\nCall-ID: c\n"
	    "CSeq: 2 OPTIONS\n\n";

	ck_assert_str_eq(reply(req, "127.0.0.1", 5060, 200, "OK"),
	    "SIP/2.0 200 OK\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-lf\r\n"
	    "From: <sip:a@h>;tag=F\r\nTo: <sip:x@h>;tag=T\r\nCall-ID: c\r\n"
	    "CSeq: 2 OPTIONS\r\nContent-Length: 0\r\n\r\n");
}
END_TEST

START_TEST(t_ipv6)
{
	const char *same = OPTIONS(
	    "Via: SIP/2.0/UDP [::1]:5070;branch=z9hG4bK-6\r\n", TO_PLAIN);
	const char *other = OPTIONS(
	    "Via: SIP/2.0/UDP [2001:db8::1];branch=z9hG4bK-6;rport\r\n",
	    TO_PLAIN);
	const char *v4 = OPTIONS(
	    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-6\r\n", TO_PLAIN);
	const char *r;

	r = reply(same, "::1", 7000, 200, "OK");
	ck_assert_ptr_nonnull(strstr(r, "\r\nVia: SIP/2.0/UDP [::1]:5070;"
	    "branch=z9hG4bK-6\r\n"));
	ck_assert_str_eq(dest(same, "::1", 7000), "[::1]:5070");
	/* received holds the address without brackets (RFC 3261 ABNF) */
	r = reply(other, "::1", 7000, 200, "OK");
	ck_assert_ptr_nonnull(strstr(r, "\r\nVia: SIP/2.0/UDP [2001:db8::1];"
	    "branch=z9hG4bK-6;rport=7000;received=::1\r\n"));
	ck_assert_str_eq(dest(other, "::1", 7000), "[::1]:7000");
	/* an IPv4-mapped source is its IPv4 address */
	r = reply(v4, "::ffff:192.0.2.1", 7000, 200, "OK");
	ck_assert_ptr_null(strstr(r, "received="));
}
END_TEST

START_TEST(t_extra_headers_and_server)
{
	const char *req = OPTIONS(VIA_RPORT,
	    "To: <sip:x@127.0.0.1>;tag=T\r\n");
	const char *err = NULL;
	const char *r = reply_ex(req, "10.0.0.1", 5070, 401, "Unauthorized",
	    "WWW-Authenticate: Digest realm=\"h\"\r\nX-B: 2\r\n",
	    "Server: Tandem", &err);

	ck_assert_msg(r != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(r, "CSeq: 7 OPTIONS\r\n"
	    "WWW-Authenticate: Digest realm=\"h\"\r\nX-B: 2\r\n"
	    "Server: Tandem\r\nContent-Length: 0\r\n\r\n"));
	/* nothing of the request's own other headers */
	ck_assert_ptr_null(strstr(r, "Max-Forwards"));
}
END_TEST

START_TEST(t_build_errors)
{
	const char *err = NULL;
	const char *good = OPTIONS(VIA_RPORT, TO_PLAIN);
	static const struct {
		const char *req;
		const char *err;
	} bad[] = {
		{ "OPTIONS sip:x SIP/2.0\r\nFrom: <sip:a@h>;tag=1\r\n"
		  "To: <sip:b@h>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
		  "no Via header" },
		{ "OPTIONS sip:x SIP/2.0\r\n" VIA_RPORT
		  "To: <sip:b@h>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
		  "no From header" },
		{ "OPTIONS sip:x SIP/2.0\r\n" VIA_RPORT
		  "From: <sip:a@h>;tag=1\r\nCall-ID: c\r\n"
		  "CSeq: 1 OPTIONS\r\n\r\n",
		  "no To header" },
		{ "OPTIONS sip:x SIP/2.0\r\n" VIA_RPORT
		  "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCSeq: 1 OPTIONS"
		  "\r\n\r\n", "no Call-ID header" },
		{ "OPTIONS sip:x SIP/2.0\r\n" VIA_RPORT
		  "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\n"
		  "Call-ID: c\r\n\r\n",
		  "no CSeq header" },
		{ "OPTIONS sip:x SIP/2.0\r\nVia: garbage here\r\n"
		  "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: c\r\n"
		  "CSeq: 1 OPTIONS\r\n\r\n", "malformed top Via header" },
		{ "OPTIONS sip:x SIP/2.0\r\n" VIA_RPORT
		  "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h\r\nCall-ID: c\r\n"
		  "CSeq: 1 OPTIONS\r\n\r\n", "malformed To header" },
		{ "OPTIONS sip:x SIP/2.0\r\n" VIA_RPORT "this is no header\r\n"
		  "\r\n", "malformed header line" },
		{ "SIP/2.0 200 OK\r\n" VIA_RPORT "\r\n", "not a request" },
		{ "OPTIONS", "malformed request line" },
		{ "OPTIONS sip:x SIP/2.0", "no header after the request line" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = NULL;
		ck_assert_ptr_null(reply_ex(bad[i].req, "127.0.0.1", 1, 400,
		    "Bad", "", "", &err));
		ck_assert_msg(err && strcmp(err, bad[i].err) == 0,
		    "case %zu: got '%s', want '%s'", i, err, bad[i].err);
	}
	ck_assert_ptr_null(reply_ex(good, "127.0.0.1", 1, 99, "x", "", "",
	    &err));
	ck_assert_str_eq(err, "status code out of range 100-699");
	ck_assert_ptr_null(reply_ex(good, "127.0.0.1", 1, 700, "x", "", "",
	    &err));
	ck_assert_str_eq(err, "status code out of range 100-699");
	ck_assert_ptr_null(reply_ex(good, "127.0.0.1", 1, 403,
	    "No\r\nX-Injected: 1", "", "", &err));
	ck_assert_str_eq(err, "reason phrase holds a line break or NUL");
}
END_TEST

START_TEST(t_build_small_buffer)
{
	const char *req = OPTIONS(VIA_RPORT, TO_PLAIN);
	struct sockaddr_storage src = addr("127.0.0.1", 1);
	str_t r = str_cstr(req);
	struct sl_reply rep = { .code = 200, .reason = STR_LIT("OK"),
	    .to_tag = STR_LIT("t") };
	struct sl_req rq;
	const char *err = NULL;
	char buf[64];

	ck_assert_int_eq(sl_req_scan(&r, &rq, &err), 0);
	ck_assert_int_eq(sl_reply_build(&r, &rq, &src, &rep, buf, sizeof(buf),
	    &err), -1);
	ck_assert_str_eq(err, "reply does not fit its buffer");
}
END_TEST

START_TEST(t_via_parse)
{
	struct sl_via v;
	str_t s;

	s = STR_LIT("SIP / 2.0 / UDP  host.example:5060 ; branch = z9hG4bK-x ;"
	    " RPORT ; ttl=1, SIP/2.0/TCP other");
	ck_assert_int_eq(sl_via_parse(&s, &v), 0);
	ck_assert(str_eq_cstr(&v.transport, "UDP"));
	ck_assert(str_eq_cstr(&v.host, "host.example"));
	ck_assert_int_eq(v.port, 5060);
	ck_assert(str_eq_cstr(&v.branch, "z9hG4bK-x"));
	ck_assert_int_eq(v.has_rport, 1);
	ck_assert_uint_eq(v.rport.len, 0);
	ck_assert(strncmp(v.end - 5, "ttl=1", 5) == 0);
	ck_assert(strncmp(v.rport_end - 5, "RPORT", 5) == 0);

	s = STR_LIT("SIP/2.0/TLS [2001:db8::5]:5061;maddr=\"a;b\"");
	ck_assert_int_eq(sl_via_parse(&s, &v), 0);
	ck_assert(str_eq_cstr(&v.host, "2001:db8::5"));
	ck_assert_int_eq(v.port, 5061);
	ck_assert_int_eq(v.has_rport, 0);
	ck_assert_ptr_null(v.branch.s);

	static const char *const bad[] = {
		"", "SIP/2.0", "SIP/2.0/UDP", "SIP/2.0/UDP :5060",
		"SIP/2.0/UDP h:99999", "SIP/2.0/UDP h:x", "SIP/2.0/UDP [::1",
		"SIP/2.0/UDP h;", "SIP/2.0/UDP h;branch=", "SIP/2.0/UDP h x",
		"SIP/2.0/UDP h;maddr=\"open",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = str_cstr(bad[i]);
		ck_assert_msg(sl_via_parse(&s, &v) == -1, "'%s' accepted",
		    bad[i]);
	}
}
END_TEST

START_TEST(t_addr_tag)
{
	static const struct {
		const char *value;
		int rc;
		const char *tag;
	} cases[] = {
		{ "<sip:a@h>;tag=1", 1, "1" },
		{ "\"A;tag=no\" <sip:a@h>;x=y;TAG=Two", 1, "Two" },
		{ "sip:a@h;tag=3", 1, "3" },
		{ "<sip:a@h;tag=inuri>", 0, NULL },
		{ "sip:a@h", 0, NULL },
		{ "<sip:a@h> ; tag = 4 ", 1, "4" },
		{ "<sip:a@h", -1, NULL },
		{ "\"open <sip:a@h>", -1, NULL },
		{ "<sip:a@h>;tag=", -1, NULL },
		{ "<sip:a@h> junk", -1, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		str_t v = str_cstr(cases[i].value), tag = STR_NULL;
		int rc = sl_addr_tag(&v, &tag);

		ck_assert_msg(rc == cases[i].rc, "'%s': %d", cases[i].value,
		    rc);
		if (rc == 1)
			ck_assert(str_eq_cstr(&tag, cases[i].tag));
	}
}
END_TEST

START_TEST(t_method_list)
{
	const char *err = NULL;
	struct tx_methods *ms = tx_methods_parse("INVITE|MESSAGE | bye",
	    strlen("INVITE|MESSAGE | bye"), &err);
	str_t m;

	ck_assert_ptr_nonnull(ms);
	ck_assert_int_eq(ms->n, 3);
	m = STR_LIT("MESSAGE");
	ck_assert_int_eq(tx_methods_match(ms, &m), 1);
	m = STR_LIT("invite");
	ck_assert_int_eq(tx_methods_match(ms, &m), 1);
	m = STR_LIT("BYE");
	ck_assert_int_eq(tx_methods_match(ms, &m), 1);
	m = STR_LIT("INVITEX");
	ck_assert_int_eq(tx_methods_match(ms, &m), 0);
	m = STR_LIT("OPTIONS");
	ck_assert_int_eq(tx_methods_match(ms, &m), 0);
	tx_methods_free(ms);

	static const struct {
		const char *text;
		const char *err;
	} bad[] = {
		{ "", "empty method list" },
		{ "INVITE||BYE", "empty method name in the list" },
		{ "INVITE|", "empty method name in the list" },
		{ "IN VITE", "a method name holds a character that is not "
		  "allowed in a SIP token" },
		{ "A|A|A|A|A|A|A|A|A|A|A|A|A|A|A|A|A|A|A|A|A|A|A|A|A|A|A|A|A|A|"
		  "A|A|A", "too many methods in the list" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = NULL;
		ck_assert_ptr_null(tx_methods_parse(bad[i].text,
		    strlen(bad[i].text), &err));
		ck_assert_str_eq(err, bad[i].err);
	}
}
END_TEST

START_TEST(t_maxfwd)
{
	static const struct {
		const char *value;      /* NULL: no header */
		int rc, out;
	} cases[] = {
		{ NULL, MF_ADDED, 10 },
		{ "70", MF_DECREMENTED, 69 },
		{ " 5 ", MF_DECREMENTED, 4 },
		{ "1", MF_DECREMENTED, 0 },
		{ "0", MF_ZERO, 0 },
		{ "07", MF_DECREMENTED, 6 },
		{ "255", MF_DECREMENTED, 70 },          /* limit 70 */
		{ "71", MF_DECREMENTED, 70 },
		{ "72", MF_DECREMENTED, 70 },
		{ "65536", MF_DECREMENTED, 70 },
		{ "abc", MF_BAD, -1 },
		{ "-1", MF_BAD, -1 },
		{ "+5", MF_BAD, -1 },
		{ "", MF_BAD, -1 },
		{ "99999999999", MF_BAD, -1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		str_t v = cases[i].value ? str_cstr(cases[i].value) : STR_NULL;
		int out = -1;
		int rc = mf_process(cases[i].value ? &v : NULL, 10, 70, &out);

		ck_assert_msg(rc == cases[i].rc && out == cases[i].out,
		    "'%s': rc %d out %d", cases[i].value ? cases[i].value :
		    "(none)", rc, out);
	}
}
END_TEST


/* Scans and builds; whatever the input, either an error or a reply that
 * starts with a status line and ends with the empty line. */
static void
scan_build(const char *buf, size_t len)
{
	static char out[8192];
	struct sockaddr_storage src = addr("192.0.2.1", 5060);
	str_t r = str_make(buf, len);
	struct sl_reply rep = { .code = 200, .reason = STR_LIT("OK"),
	    .to_tag = STR_LIT("0123456789abcdef0123456789abcdef") };
	struct sl_req rq;
	struct sockaddr_storage dst;
	const char *err = NULL;
	long n;

	if (sl_req_scan(&r, &rq, &err) < 0) {
		ck_assert_ptr_nonnull(err);
		return;
	}
	sl_reply_dest(&rq, &src, &dst);
	ck_assert_uint_le(sl_reply_cap(&r, &rep), sizeof(out));
	n = sl_reply_build(&r, &rq, &src, &rep, out, sl_reply_cap(&r, &rep),
	    &err);
	if (n < 0) {
		ck_assert_ptr_nonnull(err);
		return;
	}
	ck_assert(n >= 20 && memcmp(out, "SIP/2.0 200 OK\r\n", 16) == 0);
	ck_assert(memcmp(out + n - 4, "\r\n\r\n", 4) == 0);
}

START_TEST(t_truncated_and_mutated)
{
	static const char *const reqs[] = {
		OPTIONS(VIA_RPORT, TO_PLAIN),
		"INVITE sip:x@h SIP/2.0\r\n"
		"v: SIP/2.0/UDP [2001:db8::1]:5070;rport;received;branch=b1 ,"
		" SIP/2.0/TCP h2\r\n"
		"f: \"A \\\" <q>\" <sip:a@h>;tag=F\r\n"
		"t: sip:b@h\r\n\t;x=\"y;z\"\r\ni: c\r\nCSeq: 1 INVITE\r\n"
		"Record-Route: <sip:r@h;lr>\r\n\r\nbody",
	};
	unsigned long seed = 12345;
	char buf[1024];

	for (size_t k = 0; k < sizeof(reqs) / sizeof(reqs[0]); k++) {
		size_t len = strlen(reqs[k]);

		ck_assert_uint_lt(len, sizeof(buf));
		/* every prefix, in a buffer of exactly that size (ASan sees
		 * any read past it) */
		for (size_t cut = 0; cut <= len; cut++) {
			char *p = malloc(cut ? cut : 1);

			memcpy(p, reqs[k], cut);
			scan_build(p, cut);
			free(p);
		}
		/* bytes replaced with the separators the readers look for */
		for (int i = 0; i < 20000; i++) {
			static const char pick[] = ";:,=<>\"\\[] \t\r\n\0aZ9/";

			memcpy(buf, reqs[k], len);
			for (int j = 0; j < 3; j++) {
				seed = seed * 1103515245UL + 12345UL;
				buf[(seed >> 8) % len] =
				    pick[(seed >> 20) % (sizeof(pick) - 1)];
			}
			char *p = malloc(len);

			memcpy(p, buf, len);
			scan_build(p, len);
			free(p);
		}
	}
}
END_TEST

static Suite *
sl_suite(void)
{
	Suite *s = suite_create("mod_sl");
	TCase *tc = tcase_create("reply");
	TCase *tp = tcase_create("readers");
	TCase *to = tcase_create("textops_maxfwd");

	tcase_add_test(tc, t_reply_rport_received);
	tcase_add_test(tc, t_reply_address_digits);
	tcase_add_test(tc, t_reply_same_host_no_rport);
	tcase_add_test(tc, t_reply_other_host_and_name);
	tcase_add_test(tc, t_reply_received_and_rport_given);
	tcase_add_test(tc, t_to_tag_kept);
	tcase_add_test(tc, t_to_tag_stable);
	tcase_add_test(tc, t_to_tag_without_branch);
	tcase_add_test(tc, t_multi_via_and_order);
	tcase_add_test(tc, t_compact_and_folded);
	tcase_add_test(tc, t_bare_lf_lines);
	tcase_add_test(tc, t_ipv6);
	tcase_add_test(tc, t_extra_headers_and_server);
	tcase_add_test(tc, t_build_errors);
	tcase_add_test(tc, t_build_small_buffer);
	tcase_add_test(tc, t_truncated_and_mutated);
	suite_add_tcase(s, tc);
	tcase_add_test(tp, t_via_parse);
	tcase_add_test(tp, t_addr_tag);
	suite_add_tcase(s, tp);
	tcase_add_test(to, t_method_list);
	tcase_add_test(to, t_maxfwd);
	suite_add_tcase(s, to);
	return s;
}

int
main(void)
{
	return tcheck_run(sl_suite());
}
