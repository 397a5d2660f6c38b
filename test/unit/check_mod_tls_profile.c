/*
 * check_mod_tls_profile.c - the tls module's pure parts: the tls.cfg
 * profile parser (sections, keys, values, comments, quoting, one case
 * per error class with its exact message and line), the lookup of a
 * profile by address, settings merging, methods, booleans, addresses
 * and file name resolution.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "modules/tls/tls_profile.h"
#include "tcheck.h"

static int
parse(const char *text, struct tls_profiles *ps, struct tls_perr *err)
{
	return tls_profile_parse(text, strlen(text), ps, err);
}

/* Asserts text is refused at line with exactly msg. */
static void
refused(const char *text, unsigned line, const char *msg)
{
	struct tls_profiles ps;
	struct tls_perr err;

	ck_assert_int_eq(parse(text, &ps, &err), -1);
	ck_assert_str_eq(err.msg, msg);
	ck_assert_uint_eq(err.line, line);
	ck_assert_ptr_null(ps.v);
	ck_assert_uint_eq(ps.n, 0);
}

static struct sockaddr_storage
v4(const char *ip, int port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *a = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &a->sin_addr);
	return ss;
}

static const char sample[] =
	"# Tandem tls.cfg\n"
	"[server:default]\n"
	"method = TLSv1.2+\n"
	"verify_certificate = no\n"
	"require_certificate = no\n"
	"private_key = /etc/tandem/key.pem\n"
	"certificate = /etc/tandem/cert.pem   # the chain\n"
	"\n"
	"[client:default]\n"
	"verify_certificate = yes\n"
	"ca_list = ca.pem\n"
	"\n"
	"  [ server : 127.0.0.1:5061 ]  \n"
	"tls_method = TLSv1.3\n"
	"require_certificate = on\n"
	"verify_depth = 3\n"
	"crl = crl.pem\n"
	"cipher_list = \"HIGH:!aNULL # not a comment\"\n"
	"\n"
	"[client:[::1]:5062]\r\n"
	"server_name = \"relay.example.org\"\r\n"
	"certificate = \"/a dir/with \\\"quotes\\\".pem\"\r\n";

START_TEST(t_sample)
{
	struct tls_profiles ps;
	struct tls_perr err;
	const struct tls_profile *p;
	struct sockaddr_storage a6;

	ck_assert_int_eq(parse(sample, &ps, &err), 0);
	ck_assert_uint_eq(ps.n, 4);

	p = tls_profile_default(&ps, TLS_SERVER);
	ck_assert_ptr_eq(p, &ps.v[0]);
	ck_assert_uint_eq(p->line, 2);
	ck_assert_int_eq(p->s.method, TLS_M_12_PLUS);
	ck_assert_int_eq(p->s.verify_certificate, 0);
	ck_assert_int_eq(p->s.require_certificate, 0);
	ck_assert_int_eq(p->s.verify_depth, -1);
	ck_assert_str_eq(p->s.private_key, "/etc/tandem/key.pem");
	ck_assert_str_eq(p->s.certificate, "/etc/tandem/cert.pem");
	ck_assert_ptr_null(p->s.ca_list);

	p = tls_profile_default(&ps, TLS_CLIENT);
	ck_assert_ptr_eq(p, &ps.v[1]);
	ck_assert_int_eq(p->s.method, TLS_M_UNSET);
	ck_assert_int_eq(p->s.verify_certificate, 1);
	ck_assert_int_eq(p->s.require_certificate, -1);
	ck_assert_str_eq(p->s.ca_list, "ca.pem");

	struct sockaddr_storage lo = v4("127.0.0.1", 5061);

	p = tls_profile_find(&ps, TLS_SERVER, &lo);
	ck_assert_ptr_eq(p, &ps.v[2]);
	ck_assert_str_eq(p->domain, "127.0.0.1:5061");
	ck_assert_uint_eq(p->line, 13);
	ck_assert_int_eq(p->s.method, TLS_M_13);
	ck_assert_int_eq(p->s.require_certificate, 1);
	ck_assert_int_eq(p->s.verify_depth, 3);
	ck_assert_str_eq(p->s.crl, "crl.pem");
	ck_assert_str_eq(p->s.cipher_list, "HIGH:!aNULL # not a comment");
	/* the same address is not a client profile, another port no match */
	ck_assert_ptr_null(tls_profile_find(&ps, TLS_CLIENT, &lo));
	lo = v4("127.0.0.1", 5060);
	ck_assert_ptr_null(tls_profile_find(&ps, TLS_SERVER, &lo));

	ck_assert_int_eq(tls_addr_parse("[::1]:5062", 10, &a6), 0);
	p = tls_profile_find(&ps, TLS_CLIENT, &a6);
	ck_assert_ptr_eq(p, &ps.v[3]);
	ck_assert_str_eq(p->s.server_name, "relay.example.org");
	ck_assert_str_eq(p->s.certificate, "/a dir/with \"quotes\".pem");
	tls_profiles_free(&ps);
	ck_assert_ptr_null(ps.v);
}
END_TEST

START_TEST(t_empty_and_comments)
{
	struct tls_profiles ps;
	struct tls_perr err;

	ck_assert_int_eq(parse("", &ps, &err), 0);
	ck_assert_uint_eq(ps.n, 0);
	ck_assert_ptr_null(tls_profile_default(&ps, TLS_SERVER));
	ck_assert_int_eq(parse("# only\n\n   # comments\n\t\n", &ps, &err), 0);
	ck_assert_uint_eq(ps.n, 0);
	/* no final newline, keys in any case, values in any case */
	ck_assert_int_eq(parse("[CLIENT:Default]\nVERIFY_CERTIFICATE=TRUE",
	    &ps, &err), 0);
	ck_assert_uint_eq(ps.n, 1);
	ck_assert_int_eq(ps.v[0].role, TLS_CLIENT);
	ck_assert_int_eq(ps.v[0].is_default, 1);
	ck_assert_int_eq(ps.v[0].s.verify_certificate, 1);
	tls_profiles_free(&ps);
}
END_TEST

START_TEST(t_errors)
{
	refused("certificate = a.pem\n", 1, "'certificate' before the first "
	    "[server:...] or [client:...] section");
	refused("[server:default]\nfoo = bar\n", 2, "unknown key 'foo'");
	refused("[server:default]\n\ncertificate = a\ncertificate = b\n", 4,
	    "'certificate' set twice in this section (first at line 3)");
	refused("[server:default]\nmethod = TLSv1.2\ntls_method = TLSv1.3\n", 3,
	    "'tls_method' set twice in this section (first at line 2)");
	refused("[server:default]\nmethod = TLSv1\n", 2, "method 'TLSv1': "
	    "SSL, TLS 1.0 and TLS 1.1 are not supported (RFC 8996): use "
	    "TLSv1.2+");
	refused("[server:default]\nmethod = TLSv1.1+\n", 2, "method "
	    "'TLSv1.1+': SSL, TLS 1.0 and TLS 1.1 are not supported (RFC "
	    "8996): use TLSv1.2+");
	refused("[server:default]\nmethod = best\n", 2, "method 'best': "
	    "unknown method (TLSv1.2+, TLSv1.2, TLSv1.3 or TLSv1.3+)");
	refused("[server:default]\nverify_certificate = maybe\n", 2,
	    "verify_certificate: 'maybe' is not a boolean (yes/no, on/off, "
	    "true/false, 1/0)");
	refused("[server:default]\nverify_depth = 101\n", 2, "verify_depth: "
	    "'101' is not a number 0..100");
	refused("[server:default]\nverify_depth = -1\n", 2, "verify_depth: "
	    "'-1' is not a number 0..100");
	refused("[server:default]\nca_list =\n", 2, "ca_list: empty value");
	refused("[server:default]\nca_list = \"\"\n", 2, "ca_list: empty "
	    "value");
	refused("[server:default]\nca_list = \"abc\n", 2,
	    "value without a closing quote");
	refused("[server:default]\nca_list = \"a\" b\n", 2,
	    "text after the closing quote");
	refused("[server:default]\njust words\n", 2,
	    "expected 'key = value' or a [section] header");
	refused("[server:default]\n= x\n", 2, "'=' without a key before it");
	refused("[server:default]\nserver_id = x\n", 2,
	    "'server_id' is not supported by Tandem's tls module");
	refused("[server:default]\nserver_name_mode = 1\n", 2,
	    "'server_name_mode' is not supported by Tandem's tls module");
	refused("\n[server:default\n", 2,
	    "section header without a closing ']'");
	refused("[default]\n", 1, "section [default]: expected "
	    "[server:DOMAIN] or [client:DOMAIN]");
	refused("[proxy:default]\n", 1,
	    "section role 'proxy': expected server or client");
	refused("[server:any]\n", 1, "[server:any] (profiles matched by SNI) "
	    "is not supported by Tandem");
	refused("[client:1.2.3.4]\n", 1, "section domain '1.2.3.4': expected "
	    "default or IP:PORT ([IPv6]:PORT)");
	refused("[client:example.org:5061]\n", 1, "section domain "
	    "'example.org:5061': expected default or IP:PORT ([IPv6]:PORT)");
	refused("[client:::1:5061]\n", 1, "section domain '::1:5061': "
	    "expected default or IP:PORT ([IPv6]:PORT)");
	refused("[client:1.2.3.4:0]\n", 1, "section domain '1.2.3.4:0': "
	    "expected default or IP:PORT ([IPv6]:PORT)");
	refused("[server:default]\n[client:default]\n[server:DEFAULT]\n", 3,
	    "duplicate section [server:DEFAULT] (first at line 1)");
	refused("[server:10.0.0.1:5061]\n[server:10.0.0.1:5061]\n", 2,
	    "duplicate section [server:10.0.0.1:5061] (first at line 1)");
}
END_TEST

START_TEST(t_nul_byte)
{
	static const char text[] = "[server:default]\nca_list = a\0b\n";
	struct tls_profiles ps;
	struct tls_perr err;

	ck_assert_int_eq(tls_profile_parse(text, sizeof(text) - 1, &ps, &err),
	    -1);
	ck_assert_uint_eq(err.line, 2);
	ck_assert_str_eq(err.msg, "NUL byte in the line");
}
END_TEST

/* Every prefix of the sample either parses or fails at a line that
 * exists, with a message: a cut file never crashes the parser. */
START_TEST(t_every_prefix)
{
	size_t len = strlen(sample);

	for (size_t k = 0; k <= len; k++) {
		struct tls_profiles ps;
		struct tls_perr err;
		unsigned lines = 1;

		for (size_t i = 0; i < k; i++)
			lines += sample[i] == '\n';
		if (tls_profile_parse(sample, k, &ps, &err) == 0) {
			tls_profiles_free(&ps);
			continue;
		}
		ck_assert_msg(err.line >= 1 && err.line <= lines,
		    "prefix %zu: line %u of %u", k, err.line, lines);
		ck_assert_msg(err.msg[0] != '\0', "prefix %zu: no message", k);
	}
}
END_TEST

START_TEST(t_methods_bools)
{
	enum tls_method m;
	const char *why = NULL;
	int b;

	ck_assert_int_eq(tls_method_parse("TLSv1.2+", 8, &m, NULL), 0);
	ck_assert_int_eq(m, TLS_M_12_PLUS);
	ck_assert_int_eq(tls_method_parse("tlsv1.3+", 8, &m, &why), 0);
	ck_assert_int_eq(m, TLS_M_13_PLUS);
	ck_assert_int_eq(tls_method_parse("SSLv23", 6, &m, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "RFC 8996"));
	ck_assert_int_eq(tls_method_parse("TLSv1.2+x", 9, &m, &why), -1);
	ck_assert_str_eq(tls_method_name(TLS_M_13), "TLSv1.3");
	ck_assert_str_eq(tls_method_name(TLS_M_UNSET), "TLSv1.2+");
	ck_assert_int_eq(tls_bool_parse("Off", 3, &b), 0);
	ck_assert_int_eq(b, 0);
	ck_assert_int_eq(tls_bool_parse("1", 1, &b), 0);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(tls_bool_parse("2", 1, &b), -1);
	ck_assert_int_eq(tls_bool_parse("", 0, &b), -1);
}
END_TEST

START_TEST(t_addresses)
{
	struct sockaddr_storage ss, want = v4("192.0.2.7", 65535);
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;

	ck_assert_int_eq(tls_addr_parse("192.0.2.7:65535", 15, &ss), 0);
	ck_assert_mem_eq(&ss, &want, sizeof(struct sockaddr_in));
	ck_assert_int_eq(tls_addr_parse("[2001:db8::1]:5061", 18, &ss), 0);
	ck_assert_int_eq(a6->sin6_family, AF_INET6);
	ck_assert_int_eq(ntohs(a6->sin6_port), 5061);
	ck_assert_int_eq(tls_addr_parse("192.0.2.7:65536", 15, &ss), -1);
	ck_assert_int_eq(tls_addr_parse("192.0.2.7:+1", 12, &ss), -1);
	ck_assert_int_eq(tls_addr_parse("192.0.2.7:", 10, &ss), -1);
	ck_assert_int_eq(tls_addr_parse(":5061", 5, &ss), -1);
	ck_assert_int_eq(tls_addr_parse("[::1]5061", 9, &ss), -1);
	ck_assert_int_eq(tls_addr_parse("[::1]:", 6, &ss), -1);
	ck_assert_int_eq(tls_addr_parse("[]:1", 4, &ss), -1);
	ck_assert_int_eq(tls_addr_parse("[1.2.3.4]:1", 11, &ss), -1);
	ck_assert_int_eq(tls_addr_parse("999.1.1.1:1", 11, &ss), -1);
}
END_TEST

START_TEST(t_paths)
{
	char out[64];

	ck_assert_int_eq(tls_path_resolve("/etc/tandem", "cert.pem", out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "/etc/tandem/cert.pem");
	ck_assert_int_eq(tls_path_resolve("/etc/tandem/", "tls/c.pem", out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "/etc/tandem/tls/c.pem");
	ck_assert_int_eq(tls_path_resolve("/etc", "/abs.pem", out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "/abs.pem");
	ck_assert_int_eq(tls_path_resolve("/etc", "./here.pem", out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "./here.pem");
	ck_assert_int_eq(tls_path_resolve(NULL, "c.pem", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "c.pem");
	ck_assert_int_eq(tls_path_resolve("/a/very/long/directory/name/that",
	    "does/not/fit/in/sixty/four/bytes.pem", out, sizeof(out)), -1);
}
END_TEST

START_TEST(t_merge)
{
	struct tls_settings base, over, out, copy;

	tls_settings_init(&base);
	tls_settings_init(&over);
	base.certificate = strdup("base.pem");
	base.ca_list = strdup("ca.pem");
	base.verify_certificate = 1;
	base.method = TLS_M_13;
	over.certificate = strdup("over.pem");
	over.verify_certificate = 0;
	over.verify_depth = 4;
	ck_assert_int_eq(tls_settings_merge(&out, &over, &base), 0);
	ck_assert_str_eq(out.certificate, "over.pem");
	ck_assert_str_eq(out.ca_list, "ca.pem");
	ck_assert_ptr_null(out.crl);
	ck_assert_int_eq(out.verify_certificate, 0);
	ck_assert_int_eq(out.require_certificate, -1);
	ck_assert_int_eq(out.verify_depth, 4);
	ck_assert_int_eq(out.method, TLS_M_13);
	ck_assert_int_eq(tls_settings_copy(&copy, &out), 0);
	ck_assert_str_eq(copy.certificate, "over.pem");
	ck_assert_ptr_ne(copy.certificate, out.certificate);
	tls_settings_free(&copy);
	tls_settings_free(&out);
	tls_settings_free(&over);
	tls_settings_free(&base);
	ck_assert_ptr_null(base.certificate);
	ck_assert_int_eq(base.verify_certificate, -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mod_tls_profile");
	TCase *tc = tcase_create("profile");

	tcase_add_test(tc, t_sample);
	tcase_add_test(tc, t_empty_and_comments);
	tcase_add_test(tc, t_errors);
	tcase_add_test(tc, t_nul_byte);
	tcase_add_test(tc, t_every_prefix);
	tcase_add_test(tc, t_methods_bools);
	tcase_add_test(tc, t_addresses);
	tcase_add_test(tc, t_paths);
	tcase_add_test(tc, t_merge);
	suite_add_tcase(s, tc);
	return tcheck_run(s);
}
