/* check_mod_xlog.c - xlog's level names and its buffer limit. */
#include "config.h"

#include <limits.h>

#include "core/log.h"
#include "core/str.h"
#include "modules/xlog/xlog_level.h"
#include "tcheck.h"

static int
parse(const char *s, int *level)
{
	str_t t = str_cstr(s);

	return xlog_level_parse(&t, level);
}

START_TEST(t_level_names)
{
	static const struct { const char *name; int level; } tab[] = {
		{ "L_ALERT", L_ALERT }, { "L_BUG", L_BUG },
		{ "L_CRIT", L_CRIT },   { "L_CRIT2", L_CRIT },
		{ "L_ERR", L_ERR },     { "L_WARN", L_WARN },
		{ "L_NOTICE", L_NOTICE }, { "L_INFO", L_INFO },
		{ "L_DBG", L_DBG },
		/* Kamailio decides by the letter after "L_" */
		{ "L_ERROR", L_ERR },   { "L_DEBUG", L_DBG },
		{ "l_info", L_INFO },
	};
	int level;

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		level = 99;
		ck_assert_msg(parse(tab[i].name, &level) == 0, "%s",
		    tab[i].name);
		ck_assert_int_eq(level, tab[i].level);
	}
}
END_TEST

START_TEST(t_level_numbers)
{
	int level = 99;

	ck_assert_int_eq(parse("2", &level), 0);
	ck_assert_int_eq(level, L_INFO);
	ck_assert_int_eq(parse("-1", &level), 0);
	ck_assert_int_eq(level, L_ERR);
	ck_assert_int_eq(parse(" 3 ", &level), 0);
	ck_assert_int_eq(level, L_DBG);
	/* below alert is alert: a script cannot make a line silent that way */
	ck_assert_int_eq(parse("-100", &level), 0);
	ck_assert_int_eq(level, L_ALERT);
	ck_assert_int_eq(parse("9", &level), 0);
	ck_assert_int_eq(level, 9);
	ck_assert_int_eq(parse("99999999999", &level), 0);
	ck_assert_int_eq(level, INT_MAX);
}
END_TEST

START_TEST(t_level_bad)
{
	int level = 42;

	ck_assert_int_eq(parse("", &level), -1);
	ck_assert_int_eq(parse("L_", &level), -1);
	ck_assert_int_eq(parse("L_X", &level), -1);
	ck_assert_int_eq(parse("ERR", &level), -1);
	ck_assert_int_eq(parse("LXERR", &level), -1);
	ck_assert_int_eq(parse("2x", &level), -1);
	ck_assert_int_eq(level, 42);
}
END_TEST

START_TEST(t_clamp)
{
	ck_assert_int_eq(xlog_level_clamp(LLONG_MIN), L_ALERT);
	ck_assert_int_eq(xlog_level_clamp(L_ALERT - 1), L_ALERT);
	ck_assert_int_eq(xlog_level_clamp(L_BUG), L_BUG);
	ck_assert_int_eq(xlog_level_clamp(LLONG_MAX), INT_MAX);
}
END_TEST

START_TEST(t_fits)
{
	ck_assert_int_eq(xlog_fits(0, 16), 0);
	ck_assert_int_eq(xlog_fits(15, 16), 0);
	ck_assert_int_eq(xlog_fits(16, 16), -1);
	ck_assert_int_eq(xlog_fits(1, 0), -1);
	ck_assert_int_eq(xlog_fits(1, -5), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mod_xlog");
	TCase *tc = tcase_create("level");

	tcase_add_test(tc, t_level_names);
	tcase_add_test(tc, t_level_numbers);
	tcase_add_test(tc, t_level_bad);
	tcase_add_test(tc, t_clamp);
	tcase_add_test(tc, t_fits);
	suite_add_tcase(s, tc);
	return tcheck_run(s);
}
