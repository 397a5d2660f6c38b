/*
 * ast.h - the parsed config.  The parser builds it from tokens alone; the
 * resolver then fills the "resolved" fields (functions, PVs, routes,
 * fixed-up arguments) and the route engine executes the result.
 */
#ifndef TD_CFG_AST_H
#define TD_CFG_AST_H

#include <regex.h>
#include <stddef.h>

#include "core/module_api.h"
#include "src.h"

struct cmd_entry;
struct fmt;
struct route_def;

/* --- expressions ---------------------------------------------------------- */
enum expr_op {
	E_INT,          /* n                                                 */
	E_STR,          /* s, slen (string literal or address)               */
	E_PV,           /* s = text as written; pv after resolve             */
	E_KW,           /* core keyword: s = "method", "uri", ...; pv after  */
	E_MYSELF,       /* `myself`: only as an operand of == / !=           */
	E_CALL,         /* a function call used as a condition               */
	E_IDENT,        /* bare word (UDP, TCP, INET, ...): constant string  */
	/* unary: l */
	E_NOT, E_NEG, E_BNOT, E_CAST_INT, E_CAST_STR,
	/* binary: l, r */
	E_ADD, E_SUB, E_MUL, E_DIV, E_MOD,
	E_BAND, E_BOR, E_BXOR, E_SHL, E_SHR,
	E_EQ, E_NE, E_LT, E_GT, E_LE, E_GE,
	E_MATCH, E_NMATCH,
	E_LAND, E_LOR,
};

struct call;

struct expr {
	enum expr_op     op;
	struct cfg_pos   pos;
	struct expr     *l, *r;
	long long        n;
	char            *s;
	size_t           slen;
	struct call     *call;
	/* resolved */
	struct pv_ref   *pv;            /* E_PV, E_KW                        */
	regex_t         *re;            /* E_MATCH/E_NMATCH, literal right   */
	struct fmt      *fmt;           /* E_STR naming a route per message  */
};

/* --- function calls --------------------------------------------------------- */
enum call_arg_kind { CA_STR, CA_INT, CA_PV, CA_IDENT };

struct call_arg {
	enum call_arg_kind kind;
	char            *s;             /* CA_STR, CA_PV, CA_IDENT           */
	size_t           slen;
	long long        n;             /* CA_INT                            */
	struct cfg_pos   pos;
};

struct call {
	char            *name;
	struct cfg_pos   pos;
	int              nargs;
	struct call_arg  args[MOD_MAX_ARGS];
	/* resolved */
	const struct cmd_entry *cmd;
	void            *fixed[MOD_MAX_ARGS + 1];  /* what fn gets (NULL end) */
	int              fixed_core[MOD_MAX_ARGS]; /* 1: fixed[i] is still the
	                                           * core's struct arg        */
};

/* --- statements ------------------------------------------------------------- */
enum stmt_kind {
	S_BLOCK,        /* body: first child                                 */
	S_IF,           /* cond, body, els                                   */
	S_WHILE,        /* cond, body                                        */
	S_SWITCH,       /* cond, cases                                       */
	S_EXIT,
	S_DROP,
	S_RETURN,       /* cond: value or NULL                               */
	S_BREAK,        /* in a loop or switch                               */
	S_ROUTE,        /* route(NAME): name, or cond when the name has a $  */
	S_CALL,         /* call                                              */
	S_ASSIGN,       /* pvtext = cond                                     */
	S_NOP,          /* a lone ';'                                        */
};

struct case_clause {
	struct expr        *val;        /* NULL for default                 */
	struct cfg_pos      pos;
	struct stmt        *body;       /* statements up to the next label  */
	struct case_clause *next;
};

struct stmt {
	enum stmt_kind      kind;
	struct cfg_pos      pos;
	struct stmt        *next;
	struct expr        *cond;
	struct stmt        *body, *els;
	struct case_clause *cases;
	struct call        *call;
	char               *name;       /* S_ROUTE target, S_ASSIGN pv text */
	int                 colon_assign;   /* := (ignored: same as =)      */
	/* resolved */
	struct pv_ref      *pv;         /* S_ASSIGN                          */
	struct route_def   *target;     /* S_ROUTE                           */
};

/* --- routes ------------------------------------------------------------------ */
enum route_kind {
	R_REQUEST,      /* route {} / request_route {}                       */
	R_NAMED,        /* route[NAME]                                       */
	R_REPLY,        /* reply_route {} and onreply_route {} (no name)      */
	R_ONREPLY,      /* onreply_route[NAME]                               */
	R_FAILURE,
	R_BRANCH,
	R_EVENT,
	R_ONSEND,
	R_KIND_MAX
};

struct route_def {
	enum route_kind     kind;
	char               *name;       /* NULL for the unnamed ones        */
	struct cfg_pos      pos;
	struct stmt        *body;
	struct route_def   *next;
	/* resolved: the RT_* types this route runs as (its callers') */
	unsigned            rt_mask;
	int                 called;
};

/* --- top level ---------------------------------------------------------------- */
enum top_kind { TOP_GLOBAL, TOP_LOADMODULE, TOP_MODPARAM };

struct top_value {
	int             is_int;
	long long       n;
	char           *s;              /* as written when !is_int           */
	int             quoted;
	struct cfg_pos  pos;
};

#define TOP_MAX_EXTRA 6

struct top_item {
	enum top_kind       kind;
	struct cfg_pos      pos;
	char               *name;       /* global name / module path / module */
	char               *param;      /* modparam's parameter               */
	struct top_value    val;
	/* listen=... advertise X name "Y": extra words, as written */
	int                 nextra;
	struct top_value    extra[TOP_MAX_EXTRA];
	struct top_item    *next;
};

struct cfg_tree {
	struct top_item    *items;      /* in file order                     */
	struct route_def   *routes;     /* in file order                     */
};

struct expr *ast_expr_new(enum expr_op op, struct cfg_pos pos);
struct stmt *ast_stmt_new(enum stmt_kind kind, struct cfg_pos pos);
struct call *ast_call_new(const char *name, struct cfg_pos pos);
void ast_expr_free(struct expr *e);
void ast_stmt_free(struct stmt *s);     /* s and its siblings            */
void ast_call_free(struct call *c);
void ast_tree_free(struct cfg_tree *t);

const char *route_kind_name(enum route_kind k);   /* "failure_route" ... */

/*
 * Writes a compact, deterministic s-expression of the tree (tests):
 *   (route request (if (== (kw method) "MESSAGE") (block (call f "a" 1)) ))
 */
int ast_dump(const struct cfg_tree *t, char *buf, size_t len);
int ast_dump_expr(const struct expr *e, char *buf, size_t len);

#endif
