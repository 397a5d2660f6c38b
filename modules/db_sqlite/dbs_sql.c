/*
 * dbs_sql.c - building db_sqlite's statements (dbs_sql.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dbs_sql.h"

void
dbs_sql_init(struct dbs_sql *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

void
dbs_sql_free(struct dbs_sql *b)
{
	free(b->s);
	dbs_sql_init(b);
}

static void
sql_addn(struct dbs_sql *b, const char *s, size_t n)
{
	size_t cap;
	char *p;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 128;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->s, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
sql_add(struct dbs_sql *b, const char *s)
{
	sql_addn(b, s, strlen(s));
}

static void
sql_param(struct dbs_sql *b, int *num)
{
	char tmp[24];

	snprintf(tmp, sizeof(tmp), "?%d", ++*num);
	sql_add(b, tmp);
}

/* A name known to be valid, double-quoted (keywords stay names). */
static void
sql_name(struct dbs_sql *b, const char *name)
{
	sql_add(b, "\"");
	sql_add(b, name);
	sql_add(b, "\"");
}

static int
fail(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, DBS_ERR_MAX, fmt, ap);
	va_end(ap);
	return -1;
}

int
dbs_name_ok(const char *name)
{
	size_t i;

	if (name == NULL || !(isalpha((unsigned char)name[0]) ||
	    name[0] == '_'))
		return 0;
	for (i = 1; name[i] != '\0'; i++) {
		if (i >= DBS_NAME_MAX - 1)     /* with the NUL */
			return 0;
		if (!(isalnum((unsigned char)name[i]) || name[i] == '_'))
			return 0;
	}
	/* isalpha() is ASCII-only in the C locale the daemon runs in, but a
	 * locale could widen it: check the bytes too */
	for (i = 0; name[i] != '\0'; i++)
		if ((unsigned char)name[i] >= 0x80)
			return 0;
	return 1;
}

/* The name, or a refusal that shows it (cut, without control chars). */
static int
check_name(const char *what, const char *name, char *err)
{
	char shown[DBS_NAME_MAX + 1];
	size_t i;

	if (dbs_name_ok(name))
		return 0;
	if (name == NULL)
		return fail(err, "no %s name given", what);
	for (i = 0; name[i] != '\0' && i < DBS_NAME_MAX; i++)
		shown[i] = isprint((unsigned char)name[i]) ? name[i] : '?';
	shown[i] = '\0';
	return fail(err, "bad %s name '%s%s' (a name is [A-Za-z_]"
	    "[A-Za-z0-9_]*, at most %d chars)", what, shown,
	    name[i] != '\0' ? "..." : "", DBS_NAME_MAX - 1);
}

static int
check_names(const char *what, const char *const *names, int n, char *err)
{
	if (n > 0 && names == NULL)
		return fail(err, "no %s names given", what);
	for (int i = 0; i < n; i++)
		if (check_name(what, names[i], err) < 0)
			return -1;
	return 0;
}

int
dbs_cond_binds(const struct db_cond *c)
{
	return !c->val.null;
}

static const char *
op_text(enum db_op op)
{
	switch (op) {
	case DB_OP_EQ: return " = ";
	case DB_OP_NE: return " != ";
	case DB_OP_LT: return " < ";
	case DB_OP_GT: return " > ";
	case DB_OP_LE: return " <= ";
	case DB_OP_GE: return " >= ";
	}
	return NULL;
}

/* " WHERE a = ?k AND b IS NULL ..." (nothing when nconds is 0). */
static int
sql_where(struct dbs_sql *b, const struct db_cond *conds, int nconds,
          int *num, char *err)
{
	const struct db_cond *c;
	const char *op;

	if (nconds < 0 || (nconds > 0 && conds == NULL))
		return fail(err, "bad condition list (%d conditions)", nconds);
	for (int i = 0; i < nconds; i++) {
		c = &conds[i];
		if (check_name("column", c->col, err) < 0)
			return -1;
		if ((op = op_text(c->op)) == NULL)
			return fail(err, "column '%s': unknown operator %d",
			    c->col, (int)c->op);
		sql_add(b, i == 0 ? " WHERE " : " AND ");
		sql_name(b, c->col);
		if (c->val.null) {
			if (c->op == DB_OP_EQ)
				sql_add(b, " IS NULL");
			else if (c->op == DB_OP_NE)
				sql_add(b, " IS NOT NULL");
			else
				return fail(err, "column '%s': NULL can only "
				    "be compared with = or !=", c->col);
			continue;
		}
		sql_add(b, op);
		sql_param(b, num);
	}
	return 0;
}

/* "a, b DESC": names each with an optional ASC or DESC. */
static int
sql_order(struct dbs_sql *b, const char *order_by, char *err)
{
	const char *p = order_by, *tok, *end;
	char name[DBS_NAME_MAX + 1];
	size_t n;
	int first = 1;

	sql_add(b, " ORDER BY ");
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		for (tok = p; *p && *p != ',' && *p != ' ' && *p != '\t';)
			p++;
		n = (size_t)(p - tok);
		if (n == 0 || n > DBS_NAME_MAX)
			return fail(err, "bad order_by '%.60s'", order_by);
		memcpy(name, tok, n);
		name[n] = '\0';
		if (check_name("order_by column", name, err) < 0)
			return -1;
		if (!first)
			sql_add(b, ", ");
		first = 0;
		sql_name(b, name);
		while (*p == ' ' || *p == '\t')
			p++;
		for (end = p; *end && *end != ',' && *end != ' ' &&
		    *end != '\t';)
			end++;
		if (end > p) {
			if ((size_t)(end - p) == 3 && !strncasecmp(p, "ASC", 3))
				sql_add(b, " ASC");
			else if ((size_t)(end - p) == 4 &&
			    !strncasecmp(p, "DESC", 4))
				sql_add(b, " DESC");
			else
				return fail(err, "bad order_by '%.60s' (a "
				    "column may be followed by ASC or DESC "
				    "only)", order_by);
			p = end;
			while (*p == ' ' || *p == '\t')
				p++;
		}
		if (*p == '\0')
			return 0;
		if (*p != ',')
			return fail(err, "bad order_by '%.60s'", order_by);
		p++;
	}
}

static int
done(struct dbs_sql *b, char *err)
{
	if (b->oom)
		return fail(err, "out of memory building the statement");
	return 0;
}

int
dbs_sql_insert(struct dbs_sql *b, const char *table,
               const char *const *cols, int n, char *err)
{
	int num = 0;

	if (check_name("table", table, err) < 0)
		return -1;
	if (n <= 0)
		return fail(err, "insert into '%s' without columns", table);
	if (check_names("column", cols, n, err) < 0)
		return -1;
	sql_add(b, "INSERT INTO ");
	sql_name(b, table);
	sql_add(b, " (");
	for (int i = 0; i < n; i++) {
		if (i > 0)
			sql_add(b, ", ");
		sql_name(b, cols[i]);
	}
	sql_add(b, ") VALUES (");
	for (int i = 0; i < n; i++) {
		if (i > 0)
			sql_add(b, ", ");
		sql_param(b, &num);
	}
	sql_add(b, ")");
	return done(b, err);
}

int
dbs_sql_select(struct dbs_sql *b, const char *table,
               const struct db_cond *conds, int nconds,
               const char *const *cols, int ncols,
               const char *order_by, int limit, char *err)
{
	char tmp[24];
	int num = 0;

	if (check_name("table", table, err) < 0)
		return -1;
	if (ncols < 0)
		return fail(err, "query on '%s': bad column count %d", table,
		    ncols);
	if (limit < 0)
		return fail(err, "query on '%s': bad limit %d", table, limit);
	if (check_names("column", cols, ncols, err) < 0)
		return -1;
	sql_add(b, "SELECT ");
	if (ncols == 0)
		sql_add(b, "*");
	for (int i = 0; i < ncols; i++) {
		if (i > 0)
			sql_add(b, ", ");
		sql_name(b, cols[i]);
	}
	sql_add(b, " FROM ");
	sql_name(b, table);
	if (sql_where(b, conds, nconds, &num, err) < 0)
		return -1;
	if (order_by != NULL && order_by[0] != '\0' &&
	    sql_order(b, order_by, err) < 0)
		return -1;
	if (limit > 0) {
		snprintf(tmp, sizeof(tmp), " LIMIT %d", limit);
		sql_add(b, tmp);
	}
	return done(b, err);
}

int
dbs_sql_delete(struct dbs_sql *b, const char *table,
               const struct db_cond *conds, int nconds, char *err)
{
	int num = 0;

	if (check_name("table", table, err) < 0)
		return -1;
	sql_add(b, "DELETE FROM ");
	sql_name(b, table);
	if (sql_where(b, conds, nconds, &num, err) < 0)
		return -1;
	return done(b, err);
}

int
dbs_sql_update(struct dbs_sql *b, const char *table,
               const struct db_cond *conds, int nconds,
               const char *const *cols, int n, char *err)
{
	int num = 0;

	if (check_name("table", table, err) < 0)
		return -1;
	if (n <= 0)
		return fail(err, "update of '%s' without columns", table);
	if (check_names("column", cols, n, err) < 0)
		return -1;
	sql_add(b, "UPDATE ");
	sql_name(b, table);
	sql_add(b, " SET ");
	for (int i = 0; i < n; i++) {
		if (i > 0)
			sql_add(b, ", ");
		sql_name(b, cols[i]);
		sql_add(b, " = ");
		sql_param(b, &num);
	}
	if (sql_where(b, conds, nconds, &num, err) < 0)
		return -1;
	return done(b, err);
}
