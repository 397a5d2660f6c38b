/*
 * cnt_decl.c - parsing and keeping script_counter declarations.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/xalloc.h"
#include "cnt_decl.h"

static struct {
	struct cnt_decl *v;
	int              n, cap;
} decls;

int
cnt_ref_split(const str_t *ref, const char *def_group,
    char group[CNT_GROUP_MAX + 1], char name[CNT_NAME_MAX + 1], char *err,
    size_t errlen)
{
	const char *dot = memchr(ref->s, '.', ref->len);
	str_t g = str_cstr(def_group), n = *ref;

	if (dot != NULL) {
		g = str_make(ref->s, (size_t)(dot - ref->s));
		n = str_make(dot + 1, ref->len - g.len - 1);
	}
	if (g.len == 0 || n.len == 0) {
		snprintf(err, errlen, "counter '%.*s' has an empty %s",
		    STR_FMT(ref), g.len == 0 ? "group" : "name");
		return -1;
	}
	if (g.len > CNT_GROUP_MAX || n.len > CNT_NAME_MAX) {
		snprintf(err, errlen, "counter '%.*s': a group is at most %d "
		    "characters, a name at most %d", STR_FMT(ref),
		    CNT_GROUP_MAX, CNT_NAME_MAX);
		return -1;
	}
	if (memchr(g.s, '\0', g.len) || memchr(n.s, '\0', n.len)) {
		snprintf(err, errlen, "counter name with a NUL byte");
		return -1;
	}
	memcpy(group, g.s, g.len);
	group[g.len] = '\0';
	memcpy(name, n.s, n.len);
	name[n.len] = '\0';
	return 0;
}

const struct cnt_decl *
cnt_decl_find(const char *group, const char *name)
{
	for (int i = 0; i < decls.n; i++)
		if (strcmp(decls.v[i].group, group) == 0 &&
		    strcmp(decls.v[i].name, name) == 0)
			return &decls.v[i];
	return NULL;
}

int
cnt_decl_add(const str_t *text, const char *def_group, char *err,
    size_t errlen)
{
	str_t t = *text, ref, desc = STR_NULL;
	struct cnt_decl d;
	size_t k;

	memset(&d, 0, sizeof(d));
	str_trim(&t);
	/* the name ends at the first blank or ':'; the rest describes it */
	for (k = 0; k < t.len && t.s[k] != ' ' && t.s[k] != ':'; k++)
		;
	ref = str_make(t.s, k);
	if (k < t.len) {
		desc = str_make(t.s + k + 1, t.len - k - 1);
		str_trim(&desc);
	}
	if (ref.len == 0) {
		snprintf(err, errlen, "script_counter '%.*s' has no name",
		    STR_FMT(text));
		return -1;
	}
	if (cnt_ref_split(&ref, def_group, d.group, d.name, err, errlen) != 0)
		return -1;
	if (cnt_decl_find(d.group, d.name) != NULL) {
		snprintf(err, errlen, "counter %s.%s already registered",
		    d.group, d.name);
		return -1;
	}
	if (decls.n == decls.cap) {
		int cap = decls.cap ? decls.cap * 2 : 16;
		struct cnt_decl *nv = xrealloc(decls.v,
		    (size_t)cap * sizeof(*nv));

		if (nv == NULL)
			goto oom;
		decls.v = nv;
		decls.cap = cap;
	}
	d.desc = desc.len ? xstrndup(desc.s, desc.len) :
	    xstrndup(CNT_DEFAULT_DESC, strlen(CNT_DEFAULT_DESC));
	if (d.desc == NULL)
		goto oom;
	decls.v[decls.n++] = d;
	return 0;

oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int
cnt_decl_count(void)
{
	return decls.n;
}

const struct cnt_decl *
cnt_decl_at(int i)
{
	return i >= 0 && i < decls.n ? &decls.v[i] : NULL;
}

void
cnt_decl_free_all(void)
{
	for (int i = 0; i < decls.n; i++)
		xfree(decls.v[i].desc);
	xfree(decls.v);
	memset(&decls, 0, sizeof(decls));
}
