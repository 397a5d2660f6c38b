/*
 * jsonrpcs_json.h - the JSON the jsonrpcs module speaks (RFC 8259): a
 * parser into a small tree, builders for the replies and a writer that
 * prints a tree compact or, for pretty_format, in the tab-indented shape
 * Kamailio's replies have (kamctl's output filter reads that shape).
 *
 * A tree lives in one jsonrpcs_doc: nodes in one vector, addressed by
 * index (so the vector may grow), and every string (member names, string
 * values, number texts) in one text pool, each NUL-terminated.  Strings
 * carry their length: a "\u0000" escape is kept as a byte.
 *
 * Pure code: no I/O, no globals; memory comes from xalloc (pkg).
 */
#ifndef TD_JSONRPCS_JSON_H
#define TD_JSONRPCS_JSON_H

#include <stddef.h>

#define JSONRPCS_DEPTH_MAX  64      /* arrays/objects nested in a request */

enum jsonrpcs_type {
	JSONRPCS_NULL = 0,
	JSONRPCS_FALSE,
	JSONRPCS_TRUE,
	JSONRPCS_NUMBER,
	JSONRPCS_STRING,
	JSONRPCS_ARRAY,
	JSONRPCS_OBJECT,
};

#define JSONRPCS_NONE  ((size_t)-1)     /* no key: not an object member */

struct jsonrpcs_node {
	enum jsonrpcs_type type;
	int      first, last;   /* children (arrays, objects), -1: none  */
	int      next;          /* next sibling, -1: none                */
	int      count;         /* number of children                    */
	size_t   key, key_len;  /* member name in the pool, or NONE      */
	size_t   s, s_len;      /* string bytes / a number's text        */
	double   d;             /* a number's value                      */
};

struct jsonrpcs_doc {
	struct jsonrpcs_node *v;
	int                   n, cap;
	char                 *text;
	size_t                ntext, captext;
	int                   oom;      /* an allocation failed: unusable */
};

/* --- documents ------------------------------------------------------------ */

void jsonrpcs_doc_init(struct jsonrpcs_doc *doc);
/* Forgets every node, keeps the memory for the next document. */
void jsonrpcs_doc_reset(struct jsonrpcs_doc *doc);
void jsonrpcs_doc_free(struct jsonrpcs_doc *doc);

static inline const char *
jsonrpcs_str(const struct jsonrpcs_doc *doc, int i)
{
	return doc->text + doc->v[i].s;
}

static inline const char *
jsonrpcs_key(const struct jsonrpcs_doc *doc, int i)
{
	return doc->v[i].key == JSONRPCS_NONE ? NULL :
	    doc->text + doc->v[i].key;
}

/* The first member called name of object obj, or -1. */
int jsonrpcs_member(const struct jsonrpcs_doc *doc, int obj, const char *name);

/* --- parsing -------------------------------------------------------------- */

enum {
	JSONRPCS_OK = 0,        /* a whole value; root is node 0             */
	JSONRPCS_MORE,          /* the input ends inside the value (or holds
	                         * only white space): more may complete it    */
	JSONRPCS_ERR,           /* not JSON: see err / err_off               */
	JSONRPCS_NOMEM,
};

struct jsonrpcs_perr {
	size_t       off;       /* where the input stopped making sense      */
	const char  *msg;       /* static text                               */
};

/*
 * Parses one JSON value from s (leading white space skipped) into doc,
 * which is reset first.  On JSONRPCS_OK, *used is the offset just past
 * the value (what follows is not looked at).  Control characters inside
 * strings are taken as they are (kamctl sends raw CR LF in its "=" mode);
 * bytes that are not UTF-8 are kept and replaced only on output.
 */
int jsonrpcs_parse(struct jsonrpcs_doc *doc, const char *s, size_t len,
                   size_t *used, struct jsonrpcs_perr *err);

/* Like jsonrpcs_parse, but s must hold exactly one value and white space:
 * anything after it is an error, an unfinished value too. */
int jsonrpcs_parse_all(struct jsonrpcs_doc *doc, const char *s, size_t len,
                       struct jsonrpcs_perr *err);

/* --- building ----------------------------------------------------------------- */

/*
 * A new node with no parent: returns its index, or -1 (doc->oom set).
 * Builders never fail loudly: after an allocation failure every later
 * call returns -1 and the caller checks doc->oom once at the end.
 */
int jsonrpcs_new(struct jsonrpcs_doc *doc, enum jsonrpcs_type t);
int jsonrpcs_new_str(struct jsonrpcs_doc *doc, const char *s, size_t len);
int jsonrpcs_new_int(struct jsonrpcs_doc *doc, long long v);
int jsonrpcs_new_double(struct jsonrpcs_doc *doc, double v);
/* A number from its JSON text (the caller checked it is one). */
int jsonrpcs_new_number(struct jsonrpcs_doc *doc, const char *text,
                        size_t len);
/* Appends child (a node without parent) to array or object parent; the
 * key (a member name) is used for objects only.  0 or -1. */
int jsonrpcs_link(struct jsonrpcs_doc *doc, int parent, const char *key,
                  size_t key_len, int child);
/* Copies node i of src (and what it holds) into dst; its index or -1. */
int jsonrpcs_copy(struct jsonrpcs_doc *dst, const struct jsonrpcs_doc *src,
                  int i);

/* --- writing --------------------------------------------------------------------- */

struct jsonrpcs_buf {
	char   *s;
	size_t  len, cap;
	int     oom;
};

void jsonrpcs_buf_init(struct jsonrpcs_buf *b);
void jsonrpcs_buf_free(struct jsonrpcs_buf *b);
/* Appends bytes (kept NUL-terminated); on failure sets b->oom. */
void jsonrpcs_buf_add(struct jsonrpcs_buf *b, const char *s, size_t n);

/*
 * Appends node i of doc as JSON text.  pretty 0: no white space at all;
 * 1: Kamailio's layout (members one per line, indented with tabs, a tab
 * after the colon, array elements on one line separated by ", ").
 * Bytes that are not UTF-8 are written as \ufffd, so the output is
 * always valid JSON.  0, or -1 when memory ran out.
 */
int jsonrpcs_write(struct jsonrpcs_buf *b, const struct jsonrpcs_doc *doc,
                   int i, int pretty);
/* A JSON string literal for s (quotes included). */
void jsonrpcs_write_str(struct jsonrpcs_buf *b, const char *s, size_t len);

#endif
