/*
 * check_mod_tm.c - the pure parts of tm (tm_msg.c: transaction keys and
 * matching, branches, replies, the forwarded request, ACK/CANCEL, t_uac
 * text, timer math) and core/forward.c's URI parsing.
 */
#include "config.h"

#include <string.h>

#include "core/forward.h"
#include "modules/tm/tm_msg.h"
#include "tcheck.h"

#define REQ(method, branch, extra)                                        \
	method " sip:bob@example.com SIP/2.0\r\n"                        \
	"Via: SIP/2.0/UDP 10.0.0.1:5070;branch=" branch "\r\n"           \
	"Via: SIP/2.0/TCP 10.0.0.9\r\n"                                  \
	"From: <sip:alice@example.com>;tag=f1\r\n"                       \
	"To: <sip:bob@example.com>\r\n"                                  \
	"Call-ID: c1@h\r\n"                                              \
	"CSeq: 7 " method "\r\n"                                         \
	extra                                                            \
	"Content-Length: 5\r\n\r\nhello"

static str_t
S(const char *s)
{
	return str_cstr(s);
}

static int
has(const char *buf, long len, const char *needle)
{
	return len > 0 && memmem(buf, (size_t)len, needle, strlen(needle));
}

START_TEST(test_key_scan)
{
	str_t r = S(REQ("INVITE", "z9hG4bKabc", "Max-Forwards: 12\r\n"));
	struct tm_key k;
	const char *err;

	ck_assert_int_eq(tm_key_scan(&r, &k, &err), 0);
	ck_assert(str_eq_cstr(&k.method, "INVITE"));
	ck_assert(str_eq_cstr(&k.ruri, "sip:bob@example.com"));
	ck_assert(str_eq_cstr(&k.branch, "z9hG4bKabc"));
	ck_assert_int_eq(k.rfc3261, 1);
	ck_assert(str_eq_cstr(&k.via_host, "10.0.0.1"));
	ck_assert_int_eq(k.via_port, 5070);
	ck_assert(str_eq_cstr(&k.callid, "c1@h"));
	ck_assert(str_eq_cstr(&k.cseq_num, "7"));
	ck_assert(str_eq_cstr(&k.cseq_method, "INVITE"));
	ck_assert(str_eq_cstr(&k.from_tag, "f1"));
	ck_assert_int_eq((int)k.to_tag.len, 0);
	ck_assert_int_eq(k.max_fwd, 12);

	r = S("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h\r\n\r\n");
	ck_assert_int_eq(tm_key_scan(&r, &k, &err), -1);
	r = S("MESSAGE sip:a@b SIP/2.0\r\nFrom: <sip:a@b>;tag=1\r\n"
	    "To: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 MESSAGE\r\n\r\n");
	ck_assert_int_eq(tm_key_scan(&r, &k, &err), -1);
	ck_assert_str_eq(err, "no Via header");
	r = S("MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n"
	    "From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x\r\n"
	    "CSeq: one MESSAGE\r\n\r\n");
	ck_assert_int_eq(tm_key_scan(&r, &k, &err), -1);
	ck_assert_str_eq(err, "malformed CSeq header");
}
END_TEST

START_TEST(test_key_match_3261)
{
	str_t inv = S(REQ("INVITE", "z9hG4bKabc", ""));
	str_t ack = S(REQ("ACK", "z9hG4bKabc", ""));
	str_t can = S(REQ("CANCEL", "z9hG4bKabc", ""));
	str_t other = S(REQ("INVITE", "z9hG4bKabd", ""));
	str_t m_inv = S("INVITE"), m_can = S("CANCEL");
	struct tm_key ki, ka, kc, ko;
	const char *err;

	ck_assert_int_eq(tm_key_scan(&inv, &ki, &err), 0);
	ck_assert_int_eq(tm_key_scan(&ack, &ka, &err), 0);
	ck_assert_int_eq(tm_key_scan(&can, &kc, &err), 0);
	ck_assert_int_eq(tm_key_scan(&other, &ko, &err), 0);
	/* a retransmission, the ACK and the CANCEL find the INVITE */
	ck_assert_int_eq(tm_key_match(&ki, &ki, &m_inv), 1);
	ck_assert_int_eq(tm_key_match(&ki, &ka, &m_inv), 1);
	ck_assert_int_eq(tm_key_match(&ki, &kc, &m_inv), 1);
	/* but the CANCEL is its own transaction */
	ck_assert_int_eq(tm_key_match(&ki, &kc, &m_can), 0);
	ck_assert_int_eq(tm_key_match(&ki, &ko, &m_inv), 0);
	ck_assert_uint_eq(tm_key_hash(&ki), tm_key_hash(&ka));
	ck_assert_uint_eq(tm_key_hash(&ki), tm_key_hash(&kc));
}
END_TEST

START_TEST(test_key_match_2543)
{
	str_t inv = S(REQ("INVITE", "1", ""));
	str_t ack = S(REQ("ACK", "1", ""));
	str_t other = S("INVITE sip:bob@example.com SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.1:5070;branch=1\r\n"
	    "From: <sip:alice@example.com>;tag=f2\r\n"
	    "To: <sip:bob@example.com>\r\nCall-ID: c1@h\r\n"
	    "CSeq: 7 INVITE\r\n\r\n");
	str_t m_inv = S("INVITE");
	struct tm_key ki, ka, ko;
	const char *err;

	ck_assert_int_eq(tm_key_scan(&inv, &ki, &err), 0);
	ck_assert_int_eq(ki.rfc3261, 0);
	ck_assert_int_eq(tm_key_scan(&ack, &ka, &err), 0);
	ck_assert_int_eq(tm_key_scan(&other, &ko, &err), 0);
	ck_assert_int_eq(tm_key_match(&ki, &ka, &m_inv), 1);
	ck_assert_int_eq(tm_key_match(&ki, &ko, &m_inv), 0);  /* From tag */
	ck_assert_uint_eq(tm_key_hash(&ki), tm_key_hash(&ka));
}
END_TEST

START_TEST(test_branch)
{
	char b[TM_BRANCH_MAX];
	uint32_t slot;
	uint64_t id;
	size_t n = tm_branch_make(1023, 0x1234567890ULL, b);
	str_t s = str_make(b, n);

	ck_assert(strncmp(b, "z9hG4bK", 7) == 0);
	ck_assert_int_eq(tm_branch_parse(&s, &slot, &id), 0);
	ck_assert_uint_eq(slot, 1023);
	ck_assert(id == 0x1234567890ULL);
	s = S("z9hG4bKother");
	ck_assert_int_eq(tm_branch_parse(&s, &slot, &id), -1);
	s = S("z9hG4bKtd12.");
	ck_assert_int_eq(tm_branch_parse(&s, &slot, &id), -1);
	s = S("z9hG4bKtd12.5x");
	ck_assert_int_eq(tm_branch_parse(&s, &slot, &id), -1);
}
END_TEST

START_TEST(test_reply_scan_strip)
{
	str_t r = S("SIP/2.0 486 Busy Here\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKtd1.10\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKu\r\n"
	    "To: <sip:b@h>;tag=t9\r\nCSeq: 3 INVITE\r\n"
	    "Content-Length: 0\r\n\r\n");
	str_t c = S("SIP/2.0 200 OK\r\n"
	    "v: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKtd1.10 , "
	    "SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKu\r\n"
	    "t: <sip:b@h>\r\nCSeq: 3 MESSAGE\r\n\r\n");
	struct tm_rpl p;
	const char *err;
	char buf[512];
	long n;

	ck_assert_int_eq(tm_rpl_scan(&r, &p, &err), 0);
	ck_assert_int_eq(p.code, 486);
	ck_assert(str_eq_cstr(&p.branch, "z9hG4bKtd1.10"));
	ck_assert(str_eq_cstr(&p.cseq_method, "INVITE"));
	ck_assert(str_eq_cstr(&p.to_tag, "t9"));
	n = tm_rpl_strip_via(&r, &p, buf, sizeof(buf));
	ck_assert(n > 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "SIP/2.0 486 Busy Here\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKu\r\n"
	    "To: <sip:b@h>;tag=t9\r\nCSeq: 3 INVITE\r\n"
	    "Content-Length: 0\r\n\r\n");
	/* two values on one line: only the first goes */
	ck_assert_int_eq(tm_rpl_scan(&c, &p, &err), 0);
	n = tm_rpl_strip_via(&c, &p, buf, sizeof(buf));
	ck_assert(n > 0);
	buf[n] = '\0';
	ck_assert(strstr(buf, "v: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKu\r\n"));
	ck_assert(strstr(buf, "td1.10") == NULL);

	r = S("SIP/2.0 99 x\r\n\r\n");
	ck_assert_int_eq(tm_rpl_scan(&r, &p, &err), -1);
	r = S("SIP/2.0 200 OK\r\nCSeq: 1 A\r\nTo: <sip:a@b>\r\n\r\n");
	ck_assert_int_eq(tm_rpl_scan(&r, &p, &err), -1);
	ck_assert_str_eq(err, "no Via header");
}
END_TEST

START_TEST(test_fwd_build)
{
	str_t r = S(REQ("MESSAGE", "z9hG4bKabc", "Max-Forwards: 12\r\n"));
	str_t r2 = S(REQ("MESSAGE", "z9hG4bKabc", ""));
	str_t via = S("Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKtd1.0\r\n");
	str_t ruri = S("sip:bob@10.1.1.1:5080");
	char buf[1024];
	long n;

	n = tm_fwd_build(&r, &ruri, &via, 11, buf, sizeof(buf));
	ck_assert(n > 0);
	buf[n] = '\0';
	ck_assert(strncmp(buf, "MESSAGE sip:bob@10.1.1.1:5080 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKtd1.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bKabc\r\n", 140) == 0);
	ck_assert(strstr(buf, "Max-Forwards: 11\r\n"));
	ck_assert(strstr(buf, "Max-Forwards: 12") == NULL);
	ck_assert(strstr(buf, "Content-Length: 5\r\n\r\nhello") != NULL);
	ck_assert_int_eq((int)(strlen(buf) - strlen(strstr(buf, "\r\n\r\n")))
	    + 4 + 5, (int)n);
	/* no Max-Forwards: added; empty ruri: kept */
	n = tm_fwd_build(&r2, &(str_t){ NULL, 0 }, &via, 70, buf, sizeof(buf));
	ck_assert(n > 0);
	ck_assert(has(buf, n, "MESSAGE sip:bob@example.com SIP/2.0\r\n"));
	ck_assert(has(buf, n, "Max-Forwards: 70\r\n\r\nhello"));
	/* too small a buffer */
	ck_assert_int_eq(tm_fwd_build(&r, &ruri, &via, 11, buf, 40), -1);
}
END_TEST

/* the upstream hop's Via marked as RFC 3261 18.2.1 / RFC 3581 say */
START_TEST(test_fwd_build_src)
{
	str_t r = S("MESSAGE sip:bob@example.com SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bKabc;rport\r\n"
	    "From: <sip:alice@example.com>;tag=f1\r\n"
	    "To: <sip:bob@example.com>\r\nCall-ID: c1@h\r\n"
	    "CSeq: 7 MESSAGE\r\nContent-Length: 0\r\n\r\n");
	str_t same = S("MESSAGE sip:bob@example.com SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 192.0.2.7:5070;branch=z9hG4bKabc\r\n"
	    "From: <sip:alice@example.com>;tag=f1\r\n"
	    "To: <sip:bob@example.com>\r\nCall-ID: c1@h\r\n"
	    "CSeq: 7 MESSAGE\r\nContent-Length: 0\r\n\r\n");
	str_t via = S("Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKtd1.0\r\n");
	struct tm_src src = { "192.0.2.7", 40000, 0 };
	char buf[1024];
	long n;

	n = tm_fwd_build_src(&r, &(str_t){ NULL, 0 }, &via, 70, &src, buf,
	    sizeof(buf));
	ck_assert(n > 0);
	ck_assert(has(buf, n, "Via: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bKabc;"
	    "rport=40000;received=192.0.2.7\r\n") ||
	    has(buf, n, "Via: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bKabc;"
	    "received=192.0.2.7;rport=40000\r\n"));
	ck_assert(has(buf, n, "Via: SIP/2.0/UDP 127.0.0.1:5060;branch="
	    "z9hG4bKtd1.0\r\n"));
	/* sent-by is the source address and no rport asked: unchanged */
	n = tm_fwd_build_src(&same, &(str_t){ NULL, 0 }, &via, 70, &src, buf,
	    sizeof(buf));
	ck_assert(n > 0);
	ck_assert(has(buf, n, "Via: SIP/2.0/UDP 192.0.2.7:5070;branch="
	    "z9hG4bKabc\r\n"));
	ck_assert(!has(buf, n, "received="));
	/* force_rport(): rport= and received= though the Via has neither */
	src.force_rport = 1;
	n = tm_fwd_build_src(&same, &(str_t){ NULL, 0 }, &via, 70, &src, buf,
	    sizeof(buf));
	ck_assert(n > 0);
	ck_assert(has(buf, n, "Via: SIP/2.0/UDP 192.0.2.7:5070;branch="
	    "z9hG4bKabc;rport=40000;received=192.0.2.7\r\n"));
	src.force_rport = 0;
	/* src NULL: exactly tm_fwd_build() */
	n = tm_fwd_build_src(&r, &(str_t){ NULL, 0 }, &via, 70, NULL, buf,
	    sizeof(buf));
	ck_assert(n > 0);
	ck_assert(has(buf, n, "branch=z9hG4bKabc;rport\r\n"));
}
END_TEST

/* a reply must have parsable From/To and a Call-ID to be relayed */
START_TEST(test_rpl_check)
{
	const char *err = NULL;
	str_t ok = S("SIP/2.0 200 OK\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKtd1.1\r\n"
	    "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\n"
	    "Call-ID: c\r\nCSeq: 1 MESSAGE\r\n\r\n");
	str_t nocid = S("SIP/2.0 200 OK\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKtd1.1\r\n"
	    "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\n"
	    "CSeq: 1 MESSAGE\r\n\r\n");
	str_t badfrom = S("SIP/2.0 200 OK\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKtd1.1\r\n"
	    "From: <sip:a@h\r\nTo: <sip:b@h>;tag=2\r\n"
	    "Call-ID: c\r\nCSeq: 1 MESSAGE\r\n\r\n");

	ck_assert_int_eq(tm_rpl_check(&ok, &err), 0);
	ck_assert_int_eq(tm_rpl_check(&nocid, &err), -1);
	ck_assert_ptr_nonnull(err);
	err = NULL;
	ck_assert_int_eq(tm_rpl_check(&badfrom, &err), -1);
	ck_assert_ptr_nonnull(err);
}
END_TEST

START_TEST(test_hop_build)
{
	str_t fwd = S(REQ("INVITE", "z9hG4bKtd5.20",
	    "Route: <sip:p1;lr>\r\nMax-Forwards: 69\r\nContact: <sip:a@x>\r\n"));
	str_t to = S("To: <sip:bob@example.com>;tag=t9");
	char buf[1024];
	long n;

	n = tm_hop_build(&fwd, "ACK", &to, buf, sizeof(buf));
	ck_assert(n > 0);
	buf[n] = '\0';
	ck_assert(strncmp(buf, "ACK sip:bob@example.com SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bKtd5.20\r\n", 85)
	    == 0);
	ck_assert(strstr(buf, "10.0.0.9") == NULL);     /* one Via only */
	ck_assert(strstr(buf, "To: <sip:bob@example.com>;tag=t9\r\n"));
	ck_assert(strstr(buf, "CSeq: 7 ACK\r\n"));
	ck_assert(strstr(buf, "Route: <sip:p1;lr>\r\n"));
	ck_assert(strstr(buf, "Contact") == NULL);
	ck_assert(strstr(buf, "Content-Length: 0\r\n\r\n"));
	ck_assert(strstr(buf, "hello") == NULL);
	n = tm_hop_build(&fwd, "CANCEL", NULL, buf, sizeof(buf));
	ck_assert(n > 0);
	buf[n] = '\0';
	ck_assert(strstr(buf, "CSeq: 7 CANCEL\r\n"));
	ck_assert(strstr(buf, "To: <sip:bob@example.com>\r\n"));
}
END_TEST

START_TEST(test_uac_build)
{
	struct tm_uac_text u = {
		.method = S("MESSAGE"), .ruri = S("sip:bob@h"),
		.from = S("sip:reg@h"), .to = S("\"Bob\" <sip:bob@h>"),
		.hdrs = S("Content-Type: text/plain\r\n"), .body = S("hi"),
		.via = S("Via: SIP/2.0/UDP 1.2.3.4:5060;branch=z9hG4bKtd1.0\r\n"),
		.callid = S("abc@1.2.3.4"), .from_tag = S("ft"), .cseq = 1,
	};
	char buf[1024];
	long n = tm_uac_build(&u, buf, tm_uac_cap(&u));

	ck_assert(n > 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "MESSAGE sip:bob@h SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 1.2.3.4:5060;branch=z9hG4bKtd1.0\r\n"
	    "Max-Forwards: 70\r\n"
	    "From: <sip:reg@h>;tag=ft\r\n"
	    "To: \"Bob\" <sip:bob@h>\r\n"
	    "Call-ID: abc@1.2.3.4\r\n"
	    "CSeq: 1 MESSAGE\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: 2\r\n\r\nhi");
	ck_assert_int_eq(tm_uac_build(&u, buf, 20), -1);
}
END_TEST

START_TEST(test_timer_math)
{
	unsigned v = 500;
	int secs;

	/* timer E: 500, 1000, 2000, 4000, 4000 */
	v = tm_retr_next(v, 4000, 1);
	ck_assert_uint_eq(v, 1000);
	v = tm_retr_next(tm_retr_next(v, 4000, 1), 4000, 1);
	ck_assert_uint_eq(v, 4000);
	ck_assert_uint_eq(tm_retr_next(v, 4000, 1), 4000);
	/* timer A keeps doubling */
	ck_assert_uint_eq(tm_retr_next(4000, 4000, 0), 8000);
	ck_assert_uint_eq(tm_param_ms(10, &secs), 10000);
	ck_assert_int_eq(secs, 1);
	ck_assert_uint_eq(tm_param_ms(99, &secs), 99000);
	ck_assert_uint_eq(tm_param_ms(100, &secs), 100);
	ck_assert_int_eq(secs, 0);
	ck_assert_uint_eq(tm_param_ms(30000, &secs), 30000);
}
END_TEST

START_TEST(test_uri_parse)
{
	struct fwd_uri u;
	const char *err;
	str_t s;

	s = S("sip:alice@10.0.0.1:5080;transport=tcp;lr");
	ck_assert_int_eq(fwd_uri_parse(&s, &u, &err), 0);
	ck_assert(str_eq_cstr(&u.host, "10.0.0.1"));
	ck_assert_int_eq(u.port, 5080);
	ck_assert_int_eq(fwd_uri_proto(&u), PROTO_TCP);
	s = S("sips:bob@example.com");
	ck_assert_int_eq(fwd_uri_parse(&s, &u, &err), 0);
	ck_assert_int_eq(fwd_uri_proto(&u), PROTO_TLS);
	ck_assert_int_eq(fwd_uri_port(&u), 5061);
	s = S("<sip:[::1]:5070>");
	ck_assert_int_eq(fwd_uri_parse(&s, &u, &err), 0);
	ck_assert(str_eq_cstr(&u.host, "::1"));
	ck_assert_int_eq(fwd_uri_port(&u), 5070);
	ck_assert_int_eq(fwd_uri_proto(&u), PROTO_UDP);
	s = S("sip:u:pw@h?subject=x");
	ck_assert_int_eq(fwd_uri_parse(&s, &u, &err), 0);
	ck_assert(str_eq_cstr(&u.host, "h"));
	ck_assert_int_eq(fwd_uri_port(&u), 5060);
	s = S("tel:+123");
	ck_assert_int_eq(fwd_uri_parse(&s, &u, &err), -1);
	s = S("sip:h:99999");
	ck_assert_int_eq(fwd_uri_parse(&s, &u, &err), -1);
	s = S("sip:h;transport=sctp");
	ck_assert_int_eq(fwd_uri_parse(&s, &u, &err), -1);
	s = S("sip:@");
	ck_assert_int_eq(fwd_uri_parse(&s, &u, &err), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mod_tm");
	TCase *tc = tcase_create("all");

	tcase_add_test(tc, test_key_scan);
	tcase_add_test(tc, test_key_match_3261);
	tcase_add_test(tc, test_key_match_2543);
	tcase_add_test(tc, test_branch);
	tcase_add_test(tc, test_reply_scan_strip);
	tcase_add_test(tc, test_fwd_build);
	tcase_add_test(tc, test_fwd_build_src);
	tcase_add_test(tc, test_rpl_check);
	tcase_add_test(tc, test_hop_build);
	tcase_add_test(tc, test_uac_build);
	tcase_add_test(tc, test_timer_math);
	tcase_add_test(tc, test_uri_parse);
	suite_add_tcase(s, tc);
	return tcheck_run(s);
}
