/* check_str.c - str_t helpers, the arena and value conversions. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/str.h"
#include "core/val.h"
#include "tcheck.h"

START_TEST(t_str_eq)
{
	str_t a = STR_LIT("Via"), b = STR_LIT("via");

	ck_assert(str_eq_cstr(&a, "Via"));
	ck_assert(!str_eq(&a, &b));
	ck_assert(str_casecmp_eq(&a, &b));
	ck_assert(str_caseeq_cstr(&b, "VIA"));
	ck_assert(!str_eq_cstr(&a, "Vi"));
}
END_TEST

START_TEST(t_str_cmp)
{
	str_t a = STR_LIT("abc"), b = STR_LIT("abd"), c = STR_LIT("ab");

	ck_assert_int_lt(str_cmp(&a, &b), 0);
	ck_assert_int_gt(str_cmp(&a, &c), 0);
	ck_assert_int_eq(str_cmp(&a, &a), 0);
}
END_TEST

START_TEST(t_str_to_ll)
{
	long long n;
	str_t s;

	s = str_cstr(" 42 ");
	ck_assert_int_eq(str_to_ll(&s, &n), 0);
	ck_assert_int_eq(n, 42);
	s = str_cstr("-7");
	ck_assert_int_eq(str_to_ll(&s, &n), 0);
	ck_assert_int_eq(n, -7);
	s = str_cstr("9223372036854775807");
	ck_assert_int_eq(str_to_ll(&s, &n), 0);
	s = str_cstr("9223372036854775808");
	ck_assert_int_eq(str_to_ll(&s, &n), -1);
	s = str_cstr("-9223372036854775808");
	ck_assert_int_eq(str_to_ll(&s, &n), 0);
	s = str_cstr("12a");
	ck_assert_int_eq(str_to_ll(&s, &n), -1);
	s = str_cstr("");
	ck_assert_int_eq(str_to_ll(&s, &n), -1);
	s = str_cstr("-");
	ck_assert_int_eq(str_to_ll(&s, &n), -1);
}
END_TEST

START_TEST(t_str_token)
{
	str_t rest = STR_LIT("a;bb;;c"), tok;

	ck_assert(str_token(&rest, ';', &tok) && str_eq_cstr(&tok, "a"));
	ck_assert(str_token(&rest, ';', &tok) && str_eq_cstr(&tok, "bb"));
	ck_assert(str_token(&rest, ';', &tok) && str_eq_cstr(&tok, ""));
	ck_assert(str_token(&rest, ';', &tok) && str_eq_cstr(&tok, "c"));
	ck_assert(!str_token(&rest, ';', &tok));
}
END_TEST

START_TEST(t_str_trim)
{
	str_t s = STR_LIT(" \t x y \r\n");

	str_trim(&s);
	ck_assert(str_eq_cstr(&s, "x y"));
}
END_TEST

START_TEST(t_arena)
{
	struct arena a;
	char *p;

	arena_init(&a, 0);
	for (int i = 0; i < 1000; i++) {
		p = arena_alloc(&a, 100);
		ck_assert_ptr_nonnull(p);
		ck_assert_int_eq((uintptr_t)p % _Alignof(max_align_t), 0);
		memset(p, 'x', 100);
	}
	p = arena_alloc(&a, 100000);            /* larger than a chunk */
	ck_assert_ptr_nonnull(p);
	memset(p, 'y', 100000);
	arena_reset(&a);
	ck_assert_int_eq(a.used, 0);
	ck_assert_ptr_nonnull(arena_strndup(&a, "abc", 3));
	arena_free(&a);

	arena_init(&a, 1000);
	ck_assert_ptr_nonnull(arena_alloc(&a, 500));
	ck_assert_ptr_null(arena_alloc(&a, 600));       /* over the limit */
	arena_free(&a);
}
END_TEST

START_TEST(t_val)
{
	struct arena a;
	struct val v;
	long long n;
	str_t s;

	arena_init(&a, 0);
	val_set_int(&v, -12);
	ck_assert_int_eq(val_to_str(&a, &v, &s), 0);
	ck_assert(str_eq_cstr(&s, "-12"));
	ck_assert(val_truth(&v));
	val_set_str(&v, str_cstr("15"));
	ck_assert_int_eq(val_to_int(&v, &n), 0);
	ck_assert_int_eq(n, 15);
	val_set_str(&v, str_cstr("abc"));
	ck_assert_int_eq(val_to_int(&v, &n), -1);
	ck_assert_int_eq(n, 0);
	ck_assert(val_truth(&v));               /* non-empty text */
	val_set_str(&v, str_cstr("0"));
	ck_assert(!val_truth(&v));
	val_set_null(&v);
	ck_assert(!val_truth(&v));
	ck_assert_int_eq(val_to_str(&a, &v, &s), 0);
	ck_assert_int_eq(s.len, 0);
	arena_free(&a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("str");
	TCase *tc = tcase_create("str");

	tcase_add_test(tc, t_str_eq);
	tcase_add_test(tc, t_str_cmp);
	tcase_add_test(tc, t_str_to_ll);
	tcase_add_test(tc, t_str_token);
	tcase_add_test(tc, t_str_trim);
	tcase_add_test(tc, t_arena);
	tcase_add_test(tc, t_val);
	suite_add_tcase(s, tc);
	return tcheck_run(s);
}
