/*
 * The PostgreSQL engine behind db.c (docs/postgresql.md "The backend").
 *
 * Every SQL text in dcity is written for SQLite; here it is translated once, when first
 * prepared, into PostgreSQL's dialect: parameters, SQLite's IS as a value compare, INSERT OR
 * IGNORE, LIKE (case-blind in SQLite), NULLs first in ascending orders (of what may be NULL),
 * the two-argument max() and min(), type names, json_object(); the functions SQLite has built
 * in and PostgreSQL has not (date(), strftime(), julianday(), json_each() over text,
 * group_concat()) are in the PostgreSQL schema under the same names
 * (schemas/pg/0016-both-engines.sql).
 *
 * Parameters are first sent as literals in the statement's text, as psycopg2 does: PostgreSQL
 * types a parameter by its first use, and SQLite's idiom "?1 IS NULL OR column = ?1" gives it
 * none, while an untyped literal ('x') takes the type of each place it stands in.  Texts are
 * quoted with their quotes doubled (standard conforming strings, set at connection),
 * integers and reals written out, blobs as bytea's hex form, and the statement goes through
 * the extended protocol, which runs exactly one statement.  A text that runs again and again
 * is prepared on the server (PREPARE_AT), each use of a value a placeholder of its own, typed
 * as its literal would be.
 *
 * A query inside a transaction that returns more than a batch reads through a cursor, BATCH
 * rows at a time (an export of a million rows in constant memory; callers nest statements,
 * which cursors allow and libpq's single-row mode does not); it is first asked for a batch and
 * a row, which most lookups are done with.  Outside a transaction rows are fetched whole.
 * Columns are read back as SQLite would give them: booleans as 1 and 0, reals with 15
 * significant digits, numeric sums as integers.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/dc.h"
#include "core/pgdb.h"
#include "core/pqlib.h"

/* The advisory lock every writer holds for its transaction (dcity's application id, the
 * key of dc init's schema lock too): BEGIN IMMEDIATE's one writer at a time. */
#define WRITE_LOCK "1145260372"

/*
 * Server-side prepared statements: a text that runs again and again is parsed, analysed
 * and (after PostgreSQL's first five custom plans, when a generic one is as good) planned
 * once.  A text is prepared at its PREPARE_AT-th run in the process, as pgjdbc does
 * (prepareThreshold): preparing costs a round trip or three, which a command that runs a
 * statement once or twice would not win back.  Where PostgreSQL cannot type a placeholder
 * that a literal could stand in (a value of concat(), which takes any type), preparing
 * fails, inside a savepoint, and the text runs with literals.
 */
#define PREPARED 1024 /* slots; at most three quarters are taken, then no more are prepared */
#define PREPARE_AT 5

struct prepared {
	char *text, *sig;
	unsigned long hash;
	int runs;
	int name; /* dc_pN's N once prepared; -1: cannot be, runs with literals */
};

struct pgconn {
	PGconn *c;
	struct dc *ctx;
	long long changes;
	unsigned long txn;  /* counts transactions begun and ended: a cursor lives in one */
	int cursors;        /* cursors declared so far, for their names */
	int user_query;     /* serves a user's query (dc-export sql): its errors are the user's */
	struct prepared *prep; /* PREPARED slots, by hash */
	int nprep, named;   /* slots taken; statements prepared so far, for their names */
	char version[32];
};

/* Rows a cursor hands over at a time: an export of a million reads them in constant
 * memory. */
#define BATCH 1000

#define CONN(ctx) ((struct pgconn *)(ctx)->db)

struct param {
	enum dc_coltype type;
	char *s;     /* the value as text (a blob's bytes); NULL for NULL */
	long len;
	int owned;
};

struct dc_pgst {
	struct pgconn *conn;
	char *given;      /* the SQL as the caller gave it */
	char *sql;        /* translated, parameters left out */
	int *at;          /* where parameter use k goes into sql, and which it is (USE) */
	int *which;
	int nuse, nparam;
	int rows, limit;      /* ROWS_… and LIMIT's use, as struct xl has them */
	int many;             /* a query that returned more than BATCH rows: read by cursor */
	struct param *p;
	PGresult *r;
	int row, nrow, ncol;
	int cursor;           /* the open cursor's number (dc_cN), or 0 */
	/* run before its first step, to know its columns: what that step is to return */
	int primed, primed_rc;
	PGresult *perr;       /* a failure met then, or by a step without a context */
	unsigned long txn;    /* the transaction it lives in (pgconn.txn) */
	char **conv;      /* a column's text as SQLite would give it, for this row; or NULL */
	unsigned char **blob;
	size_t *blobn;
};

/* ---- errors ---- */

int
dc_pgdb_code(const char *state)
{
	if (!state)
		return DC_EDB;
	if (!strncmp(state, "23", 2))
		return DC_ECONFLICT;
	if (!strcmp(state, "55P03") || !strcmp(state, "40001") || !strcmp(state, "40P01"))
		return DC_EBUSY;
	if (!strcmp(state, "53100"))
		return DC_EIO;
	if (!strcmp(state, "42501"))
		return DC_EPERM;
	if (!strcmp(state, "22003"))
		return DC_EDATA;
	if (!strcmp(state, "25006"))
		return DC_EDB; /* a read-only transaction: a hot standby */
	/* the server, not the SQL: connection, operator intervention, resources, a database
	 * or login that does not exist */
	if (!strncmp(state, "08", 2) || !strncmp(state, "57", 2) || !strncmp(state, "53", 2) ||
	    !strncmp(state, "3D", 2) || !strncmp(state, "28", 2))
		return DC_EDB;
	return DC_EINTERNAL;
}

void
dc_pgdb_message(PGresult *r, PGconn *c, char *msg, size_t n)
{
	const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	snprintf(msg, n, "%s", primary ? primary : r ? PQresultErrorMessage(r) : PQerrorMessage(c));
	msg[strcspn(msg, "\n")] = '\0';
}

/* What a user's query (dc-export sql) that would write is told, as on SQLite. */
#define READ_ONLY "permission denied: sql exports are read-only"

/* The error of result R (then cleared) or of the connection. */
static int
fail(struct dc *ctx, struct pgconn *pc, PGresult *r)
{
	const char *field = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	char msg[512], state[6] = "";
	int code;

	dc_pgdb_message(r, pc->c, msg, sizeof msg);
	if (field)
		snprintf(state, sizeof state, "%s", field);
	code = r ? dc_pgdb_code(field ? state : NULL) : DC_EDB;
	if (r)
		PQclear(r);
	if (!ctx)
		return code;
	if (pc->user_query && !strcmp(state, "25006"))
		return dc_error(ctx, DC_EPERM, READ_ONLY);
	if (pc->user_query && !strcmp(state, "42501"))
		return dc_error(ctx, DC_EPERM, "permission denied: sql: %s", msg);
	if (pc->user_query && code != DC_EDB && code != DC_EBUSY)
		return dc_error(ctx, DC_EDATA, "sql: %s", msg);
	if (code == DC_EBUSY && !strcmp(state, "55P03"))
		return dc_error(ctx, code, "database is locked (gave up after %d ms); retry later",
		                ctx->busy_ms);
	if (!strcmp(state, "25006"))
		return dc_error(ctx, code,
		                "the PostgreSQL database takes no writes (a hot standby?): write to"
		                " the primary; exports may read from a standby (DC_DB_READ)");
	if (code == DC_EDATA)
		return dc_error(ctx, code, "database: a sum of money or quantities is above the"
		                           " maxima (dcity(7) NUMBERS)");
	return dc_error(ctx, code, "PostgreSQL: %s", msg);
}

/* ---- connecting ---- */

static struct {
	char *url, *password;
} conf;

void
dc_pgdb_password(const char *url, const char *password)
{
	free(conf.url);
	free(conf.password);
	conf.url = dc_strdup(url);
	conf.password = dc_strdup(password);
}

PGconn *
dc_pgdb_connectdb(const char *url)
{
	const char *const keys[] = {"dbname", "password", NULL};
	const char *vals[] = {url, conf.password, NULL};

	if (!conf.password || !conf.url || strcmp(url, conf.url))
		return PQconnectdb(url);
	/* the URL expanded as PQconnectdb would, and the password besides */
	return PQconnectdbParams(keys, vals, 1);
}

static void
quiet(void *arg, const char *message)
{
	(void)arg, (void)message; /* "there is no transaction in progress" and the like */
}

static int
run(struct dc *ctx, struct pgconn *pc, const char *sql)
{
	PGresult *r = PQexec(pc->c, sql);
	ExecStatusType s = PQresultStatus(r);

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		return fail(ctx, pc, r);
	PQclear(r);
	return 0;
}

int
dc_pgdb_open(struct dc *ctx, const char *url, int readonly, long version)
{
	struct pgconn *pc;
	PGresult *r;
	long v;
	int rc;

	if (dc_lazy_open(&dc_pq_lib) < 0)
		return dc_error(ctx, DC_ESCHEMA, "PostgreSQL: %s", dc_pq_lib.err);
	if (!(pc = calloc(1, sizeof *pc)))
		return dc_error(ctx, DC_EINTERNAL, "out of memory");
	pc->ctx = ctx;
	pc->c = dc_pgdb_connectdb(url);
	if (PQstatus(pc->c) != CONNECTION_OK) {
		rc = fail(ctx, pc, NULL);
		PQfinish(pc->c);
		free(pc);
		return rc;
	}
	PQsetNoticeProcessor(pc->c, quiet, NULL);
	ctx->db = (struct dc_conn *)pc;
	/* the literals' quoting relies on standard_conforming_strings; times are dcity's text */
	if ((rc = run(ctx, pc, "SET client_encoding = 'UTF8'; SET standard_conforming_strings = on;"
	                       " SET application_name = 'dcity'")))
		return rc;
	if (readonly && (rc = run(ctx, pc, "SET default_transaction_read_only = on")))
		return rc;
	r = PQexec(pc->c, "SELECT user_version, current_setting('server_version') FROM dc_meta");
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		PQclear(r);
		return dc_error(ctx, DC_EDB, "the PostgreSQL database is not a dcity database:"
		                             " dc init makes one, dc migrate moves a city there");
	}
	v = strtol(PQgetvalue(r, 0, 0), NULL, 10);
	snprintf(pc->version, sizeof pc->version, "postgresql %s", PQgetvalue(r, 0, 1));
	pc->version[strcspn(pc->version, " (")] = ' ';
	pc->version[strcspn(pc->version + 11, " (") + 11] = '\0';
	PQclear(r);
	if (v > version)
		return dc_error(ctx, DC_ESCHEMA, "the PostgreSQL database has schema version %ld;"
		                " this program knows up to %ld: upgrade dcity", v, version);
	if (v < version)
		return dc_error(ctx, DC_ESCHEMA, "the PostgreSQL database has schema version %ld,"
		                " this program %ld: run dc init to migrate it", v, version);
	return 0;
}

void
dc_pgdb_close(struct dc *ctx)
{
	struct pgconn *pc = CONN(ctx);

	if (!pc)
		return;
	PQfinish(pc->c);
	for (int i = 0; pc->prep && i < PREPARED; i++) {
		free(pc->prep[i].text);
		free(pc->prep[i].sig);
	}
	free(pc->prep);
	free(pc);
}

const char *
dc_pgdb_engine(struct dc *ctx)
{
	return ctx->db ? CONN(ctx)->version : "postgresql";
}

/* ---- translating SQLite's SQL ---- */

struct buf {
	char *s;
	size_t n, cap;
};

static void
put(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->s = dc_realloc(b->s, b->cap);
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void
puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* S into B at AT */
static void
insert(struct buf *b, size_t at, const char *s)
{
	size_t n = strlen(s), tail = b->n - at;

	put(b, s, n);
	memmove(b->s + at + n, b->s + at, tail);
	memcpy(b->s + at, s, n);
}

enum tok { T_SPACE, T_WORD, T_STRING, T_IDENT, T_NUM, T_PARAM, T_PUNCT, T_END };

struct token {
	enum tok t;
	const char *s;
	int n;
	int param; /* T_PARAM: its number */
};

/* The tokens of SQL; comments become spaces.  *n gets their number. */
static struct token *
lex(const char *s, int *count)
{
	struct token *v = NULL;
	int n = 0, cap = 0, next = 0;

	for (;;) {
		struct token t = {T_END, s, 0, 0};
		const char *e = s;

		if (!*s) {
			;
		} else if (isspace((unsigned char)*s)) {
			while (isspace((unsigned char)*e))
				e++;
			t.t = T_SPACE;
		} else if (s[0] == '-' && s[1] == '-') {
			e = s + strcspn(s, "\n");
			t.t = T_SPACE;
		} else if (s[0] == '/' && s[1] == '*') {
			const char *end = strstr(s + 2, "*/");

			e = end ? end + 2 : s + strlen(s);
			t.t = T_SPACE;
		} else if (*s == '\'' || *s == '"') {
			/* a quote inside is doubled */
			for (e = s + 1; *e && !(*e == *s && e[1] != *s); e += *e == *s ? 2 : 1)
				;
			e += *e != '\0';
			t.t = *s == '\'' ? T_STRING : T_IDENT;
		} else if ((*s == '?' || *s == '$') && isdigit((unsigned char)s[1])) {
			t.param = (int)strtol(s + 1, (char **)&e, 10);
			t.t = T_PARAM;
		} else if (*s == '?') {
			e = s + 1;
			t.t = T_PARAM;
		} else if (isalpha((unsigned char)*s) || *s == '_' || (unsigned char)*s >= 0x80) {
			while (isalnum((unsigned char)*e) || *e == '_' || (unsigned char)*e >= 0x80)
				e++;
			t.t = T_WORD;
		} else if (isdigit((unsigned char)*s) ||
		           (*s == '.' && isdigit((unsigned char)s[1]))) {
			while (isalnum((unsigned char)*e) || *e == '.' ||
			       ((*e == '+' || *e == '-') && (e[-1] == 'e' || e[-1] == 'E')))
				e++;
			t.t = T_NUM;
		} else {
			e = s + 1;
			/* the operators of two characters */
			if (strchr("=|!<>", s[0]) && s[1] &&
			    (s[1] == '=' || (s[0] == '|' && s[1] == '|') ||
			     (s[0] == '<' && s[1] == '>')))
				e = s + 2;
			t.t = T_PUNCT;
		}
		t.n = (int)(e - s);
		if (t.t == T_PARAM && !t.param)
			t.param = ++next;
		else if (t.t == T_PARAM && t.param > next)
			next = t.param;
		if (n == cap)
			v = dc_realloc(v, sizeof *v * (size_t)(cap = cap ? cap * 2 : 64));
		v[n++] = t;
		if (t.t == T_END)
			break;
		s = e;
	}
	*count = n;
	return v;
}

static int
is(const struct token *t, const char *word)
{
	return t->t == T_WORD && (int)strlen(word) == t->n && !strncasecmp(t->s, word, t->n);
}

static int
is_punct(const struct token *t, char c)
{
	return t->t == T_PUNCT && t->n == 1 && t->s[0] == c;
}

/* Is T one of WORDS (NULL-terminated)? */
static int
listed(const struct token *t, const char *const *words)
{
	for (int i = 0; words[i]; i++)
		if (is(t, words[i]))
			return 1;
	return 0;
}

/* The next token from I on that is not space. */
static int
skip(const struct token *v, int i)
{
	while (v[i].t == T_SPACE)
		i++;
	return i;
}

/* The token closing the parenthesis that opens at I, and the number of commas at its
 * level in *commas. */
static int
closing(const struct token *v, int i, int *commas)
{
	int depth = 0;

	*commas = 0;
	for (; v[i].t != T_END; i++) {
		if (is_punct(&v[i], '('))
			depth++;
		else if (is_punct(&v[i], ')') && --depth == 0)
			return i;
		else if (is_punct(&v[i], ',') && depth == 1)
			(*commas)++;
	}
	return i;
}

/* Words renamed where they call a function: SQLite's name, PostgreSQL's. */
static const char *const renames[][2] = {
	{"instr", "strpos"},
	{"date", "dc_date"},
	{"datetime", "dc_datetime"},
	{"strftime", "dc_strftime"},
	{"julianday", "dc_julianday"},
	{NULL, NULL},
};

/* What a parenthesis closes besides itself: the call json_object became, or a subquery in
 * FROM that may need a name. */
enum { CLOSE_ONE, CLOSE_TWICE, CLOSE_ALIAS, CLOSE_TRUTH };

/* Functions of integers that SQL written for SQLite uses as conditions ("AND instr(a, b)"). */
static const char *const int_functions[] = {"instr", "length", "json_array_length", NULL};

/* Does an ORDER BY term end at token I (at the term's depth)? */
static int
term_ends(const struct token *v, int i)
{
	return v[i].t == T_END || is_punct(&v[i], ',') || is_punct(&v[i], ')') ||
	       is_punct(&v[i], ';') || is(&v[i], "LIMIT") || is(&v[i], "OFFSET") ||
	       is(&v[i], "ROWS") || is(&v[i], "RANGE") || is(&v[i], "GROUPS") ||
	       is(&v[i], "UNION") || is(&v[i], "EXCEPT") || is(&v[i], "INTERSECT");
}

/* What the statement's own LIMIT says about the rows it returns (struct xl.rows). */
enum {
	ROWS_ANY,   /* no LIMIT of its own: any number */
	ROWS_FEW,   /* LIMIT n, n at most BATCH */
	ROWS_PARAM, /* LIMIT ?, as many as the parameter (use xl.limit) says */
	ROWS_MANY,  /* another LIMIT, or a statement the probe cannot take (a ';') */
};

struct xl {
	struct buf out;
	size_t last;     /* where the output's last token that is not space ends */
	int aliases;     /* names given to subqueries */
	int *at, *which, nuse, cap;
	int rows, limit; /* ROWS_…; which use is LIMIT's parameter */
	const char *notnull; /* ",a,b,": columns NOT NULL wherever they are (not_null) */
	struct buf tables;   /* ",a,b,": the tables the statement reads, their aliases */
	struct buf outer;    /* ",a,b,": those of them it outer-joins */
	struct buf named;    /* ",a,b,": the names AS gives */
	int derived;         /* it reads a subquery */
	char *err;
};

/* How a parameter is used: as a value; where PostgreSQL wants a truth value (an integer
 * there is compared with 0, as SQLite reads it); as LIMIT's count (a negative one, SQLite's
 * "no limit", is ALL); as a value of json_object(), which goes to a function of any type
 * and so needs one (a text is cast to text); as what "IS NULL" or "IS NOT NULL" tests (only
 * whether it is NULL matters, and a prepared statement could not type it).  A use is the
 * parameter's number times 8 plus this. */
enum { USE_VALUE, USE_TRUTH, USE_LIMIT, USE_TYPED, USE_NULLTEST };
#define USE(param, how) ((param) << 3 | (how))
#define USE_PARAM(use) ((use) >> 3)
#define USE_HOW(use) ((use) & 7)

/* A use of PARAM: where its literal goes, and HOW. */
static void
use_param(struct xl *x, int param, int how)
{
	if (x->nuse == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 16;
		x->at = dc_realloc(x->at, sizeof *x->at * (size_t)x->cap);
		x->which = dc_realloc(x->which, sizeof *x->which * (size_t)x->cap);
	}
	x->at[x->nuse] = (int)x->out.n;
	x->which[x->nuse++] = USE(param, how);
}

/* The token before I that is not space, or -1. */
static int
before(const struct token *v, int i)
{
	while (--i >= 0 && v[i].t == T_SPACE)
		;
	return i;
}

/* Is the token at I what "IS NULL" or "IS NOT NULL" tests, alone ("x || ?1 IS NULL" tests
 * the concatenation: IS binds more loosely than an operator)? */
static int
null_test(const struct token *v, int i)
{
	static const char *const alone[] = {"AND", "OR", "NOT", "WHERE", "WHEN", "THEN", "ELSE",
	                                    "ON", "SELECT", "HAVING", "CASE", NULL};
	int j = skip(v, i + 1), k = before(v, i);

	if (!is(&v[j], "IS") ||
	    (k >= 0 && !listed(&v[k], alone) && !is_punct(&v[k], '(') && !is_punct(&v[k], ',')))
		return 0;
	j = skip(v, j + 1);
	return is(&v[j], "NULL") || (is(&v[j], "NOT") && is(&v[skip(v, j + 1)], "NULL"));
}

/* Is the token at I a text or NULL that stands alone as a value of json_object() (CLOSE and
 * ARG: what its parenthesis closes and which argument it is)?  dc_jv takes any type, so it
 * needs one. */
static int
untyped_value(const struct token *v, int i, int close, int arg)
{
	int k = before(v, i), j = skip(v, i + 1);

	return (v[i].t == T_STRING || is(&v[i], "NULL")) && close == CLOSE_TWICE && arg % 2 &&
	       k >= 0 && is_punct(&v[k], ',') && (is_punct(&v[j], ',') || is_punct(&v[j], ')'));
}

static const char *const logic[] = {"AND", "OR", "NOT", "WHERE", "WHEN", "THEN", "HAVING", "ON",
                                    NULL};

/* The WHEN at I: of a CASE without an operand ("CASE WHEN cond THEN"), whose conditions are
 * truth values, or of "CASE x WHEN value THEN"? */
static int
searched_case(const struct token *v, int i)
{
	int depth = 0, nest = 0;

	for (; i >= 0; i--) {
		if (is_punct(&v[i], ')'))
			depth++;
		else if (is_punct(&v[i], '(') && --depth < 0)
			return 1;
		else if (depth == 0 && is(&v[i], "END"))
			nest++;
		else if (depth == 0 && is(&v[i], "CASE") && nest-- == 0)
			return is(&v[skip(v, i + 1)], "WHEN");
	}
	return 1;
}

/* Does the operand from I to LAST stand alone between AND, OR, NOT, WHERE, WHEN and THEN (its
 * own parentheses around it or not): "WHERE (?2) OR …", "AND ?3 AND", "WHEN l.flag THEN"? */
static int
boolean_span(const struct token *v, int i, int last)
{
	int p = before(v, i), n = skip(v, last + 1), pw = 0, nw = 0, k;

	if (p >= 0 && is(&v[p], "NOT") && (k = before(v, p)) >= 0 && is(&v[k], "IS"))
		return 0; /* a IS NOT b */

	if (p >= 0 && is_punct(&v[p], '(') && is_punct(&v[n], ')')) {
		int pp = before(v, p);

		if (pp >= 0 && v[pp].t == T_WORD) {
			for (k = 0; logic[k] && !is(&v[pp], logic[k]); k++)
				;
			if (!logic[k])
				return 0; /* a function's one argument */
		}
		p = pp, n = skip(v, n + 1);
	}
	for (k = 0; logic[k]; k++) {
		/* after THEN stands a value; NOT after one is NOT IN, NOT LIKE */
		pw |= p >= 0 && is(&v[p], logic[k]) && !is(&v[p], "THEN");
		nw |= is(&v[n], logic[k]) && !is(&v[n], "NOT");
	}
	if (p >= 0 && is(&v[p], "WHEN") && !searched_case(v, p))
		return 0;
	if (p >= 0 && is(&v[p], "NOT"))
		return 1; /* NOT takes a truth value, whatever follows */
	/* a condition also ends where the next clause begins */
	nw |= pw && (is(&v[n], "ORDER") || is(&v[n], "GROUP") || is(&v[n], "LIMIT") ||
	             is(&v[n], "UNION") || is(&v[n], "EXCEPT") || is(&v[n], "INTERSECT") ||
	             is(&v[n], "RETURNING") || is_punct(&v[n], ';'));
	return (pw || p < 0 || is_punct(&v[p], '(')) &&
	       (nw || v[n].t == T_END || is_punct(&v[n], ')')) && (pw || nw);
}

static int
boolean(const struct token *v, int i)
{
	return boolean_span(v, i, i);
}

/* A column standing alone as a condition ("WHEN l.on_request THEN"): dcity's flags are
 * integers, which PostgreSQL does not take for truth values.  The index of its last token,
 * or -1 when the word at I is not one. */
static int
flag_column(const struct token *v, int i)
{
	static const char *const not_column[] = {
		"NULL", "TRUE", "FALSE", "EXISTS", "NOT", "SELECT", "CASE", "DISTINCT", "LIKE",
		"GLOB", "IN", "IS", "BETWEEN", "MATCH", "REGEXP", "ESCAPE", NULL,
	};
	int last = i, k;

	for (k = 0; not_column[k]; k++)
		if (is(&v[i], not_column[k]))
			return -1;
	for (k = 0; logic[k]; k++)
		if (is(&v[i], logic[k]))
			return -1;
	if (is_punct(&v[i + 1], '.') && v[i + 2].t == T_WORD)
		last = i + 2;
	if (is_punct(&v[skip(v, last + 1)], '(') || is_punct(&v[last + 1], '.'))
		return -1;
	/* after a logic word or an opening parenthesis: not the statement's first word */
	if ((k = before(v, i)) < 0 || (v[k].t != T_WORD && !is_punct(&v[k], '(')))
		return -1;
	return boolean_span(v, i, last) ? last : -1;
}

/* Is the operator at I unary: after a keyword, an opening parenthesis, a comma or another
 * operator, not after an operand? */
static int
unary(const struct token *v, int i)
{
	static const char *const operand_end[] = {"NULL", "END", "TRUE", "FALSE", NULL};
	int p = before(v, i), k;

	if (p < 0)
		return 1;
	if (v[p].t == T_PUNCT)
		return !is_punct(&v[p], ')');
	if (v[p].t != T_WORD)
		return 0; /* a number, a string, a parameter, a quoted name */
	for (k = 0; operand_end[k]; k++)
		if (is(&v[p], operand_end[k]))
			return 0;
	/* a keyword before it, not a column: the words SQL puts before an expression */
	return is(&v[p], "AND") || is(&v[p], "OR") || is(&v[p], "WHERE") || is(&v[p], "ON") ||
	       is(&v[p], "NOT") || is(&v[p], "BY") || is(&v[p], "SELECT") || is(&v[p], "WHEN") ||
	       is(&v[p], "THEN") || is(&v[p], "ELSE") || is(&v[p], "HAVING");
}

/* Is the token at I (after a subquery's closing parenthesis) its name? */
static int
has_alias(const struct token *v, int i)
{
	static const char *const clause[] = {
		"WHERE", "GROUP", "ORDER", "LIMIT", "OFFSET", "JOIN", "LEFT", "RIGHT", "INNER",
		"CROSS", "FULL", "NATURAL", "ON", "USING", "UNION", "EXCEPT", "INTERSECT",
		"HAVING", "WINDOW", "RETURNING", NULL,
	};

	if (v[i].t == T_IDENT)
		return 1;
	if (v[i].t != T_WORD)
		return 0;
	for (int k = 0; clause[k]; k++)
		if (is(&v[i], clause[k]))
			return 0;
	return 1;
}

static void
alias(struct xl *x)
{
	char name[32];

	snprintf(name, sizeof name, " AS dc_sub%d", ++x->aliases);
	puts_(&x->out, name);
}

/* Is WORD in LIST (",a,b," up to its end or a ';')? */
static int
listed_name(const char *list, const struct token *word)
{
	for (const char *p = list; p && *p == ','; p += strcspn(p + 1, ",;") + 1)
		if (!strncasecmp(p + 1, word->s, (size_t)word->n) && p[1 + word->n] == ',')
			return 1;
	return 0;
}

/* Add the name at I to LIST (",a,b,"). */
static void
add_name(struct buf *list, const struct token *v, int i)
{
	put(list, v[i].s, (size_t)v[i].n);
	put(list, ",", 1);
}

/*
 * What tokens V say about which columns may be NULL in the rows however they are declared:
 * the tables the statement reads and their aliases ("FROM cases c", "JOIN dept d") into
 * X->tables, those outer-joined ("LEFT JOIN dept d") into X->outer too, each name that AS
 * gives into X->named; X->derived if it reads a subquery ("FROM (SELECT …)"), whose columns
 * may be anything.  0, or -1 where the statement does not say which (a RIGHT or FULL join, a
 * compound SELECT whose other parts may put NULL in a column, a view: those in X->notnull
 * after its ';').
 */
static int
nullable_names(struct xl *x, const struct token *v)
{
	const char *views = strchr(x->notnull, ';');
	int i, j, k, left;

	put(&x->tables, ",", 1);
	put(&x->outer, ",", 1);
	put(&x->named, ",", 1);
	for (i = 0; v[i].t != T_END; i++) {
		if (is(&v[i], "RIGHT") || is(&v[i], "FULL") || is(&v[i], "NATURAL") ||
		    is(&v[i], "UNION") || is(&v[i], "EXCEPT") || is(&v[i], "INTERSECT") ||
		    (v[i].t == T_WORD && views && listed_name(views + 1, &v[i])))
			return -1;
		if (is(&v[i], "AS") && v[j = skip(v, i + 1)].t == T_WORD)
			add_name(&x->named, v, j);
		if (!is(&v[i], "FROM") && !is(&v[i], "JOIN"))
			continue;
		k = before(v, i);
		left = is(&v[i], "JOIN") && k >= 0 &&
		       (is(&v[k], "LEFT") || (is(&v[k], "OUTER") && is(&v[before(v, k)], "LEFT")));
		j = skip(v, i + 1);
		if (is_punct(&v[j], '(')) {
			x->derived = 1;
			continue;
		}
		if (v[j].t != T_WORD)
			continue;
		add_name(&x->tables, v, j);
		if (left)
			add_name(&x->outer, v, j);
		k = skip(v, j + 1);
		if (is(&v[k], "AS"))
			k = skip(v, k + 1);
		if (!has_alias(v, k))
			continue;
		add_name(&x->tables, v, k);
		if (left)
			add_name(&x->outer, v, k);
	}
	return 0;
}

/* Is the ORDER BY term [FROM, TO] a column that cannot be NULL, so that the order of NULLs
 * need not be said?  Saying it where PostgreSQL's indexes (NULLs last) do not keep it
 * would make it sort instead of walking the index: "ORDER BY id DESC NULLS LAST LIMIT 1"
 * read the whole audit trail for its last event. */
static int
not_null_term(const struct xl *x, const struct token *v, int from, int to)
{
	if (!x->notnull)
		return 0;
	if (is(&v[to], "ASC") || is(&v[to], "DESC"))
		to = before(v, to);
	if (from == to)
		/* a name alone: of a table's column, where no table is outer-joined, no subquery
		 * read and no AS gives the name */
		return v[from].t == T_WORD && listed_name(x->notnull, &v[from]) &&
		       !strcmp(x->outer.s, ",") && !x->derived &&
		       !listed_name(x->named.s, &v[from]);
	/* table.column, of a table read and not outer-joined */
	return to == from + 2 && v[from].t == T_WORD && is_punct(&v[from + 1], '.') &&
	       v[to].t == T_WORD && listed_name(x->notnull, &v[to]) &&
	       listed_name(x->tables.s, &v[from]) && !listed_name(x->outer.s, &v[from]);
}

/*
 * Translate tokens [I, END) into X->out, token by token with what is around it in view; a
 * parenthesis remembers what its closing one must add (CLOSE_*).  ORDER BY terms get
 * SQLite's NULL order; an INSERT OR IGNORE gets ON CONFLICT DO NOTHING at its end (before
 * RETURNING).
 */
static void
translate(struct xl *x, const struct token *v, int i, int end)
{
	int order = 0, order_depth = 0, depth = 0, ignore = 0, term = -1, pending = 0;
	int closes[256] = {0}, args[256] = {0};

	for (; i < end; i++) {
		const struct token *t = &v[i];
		int j, k, commas;

		if (i > 0 && v[i - 1].t != T_SPACE)
			x->last = x->out.n;
		if (order && depth == order_depth && term >= 0 && term_ends(v, i)) {
			/* SQLite sorts NULLs first in ascending order, PostgreSQL last */
			int last = i - 1, nulls = 0;

			for (k = term; k < i; k++)
				nulls |= is(&v[k], "NULLS");
			while (v[last].t == T_SPACE)
				last--;
			if (!nulls && !not_null_term(x, v, term, last))
				insert(&x->out, x->last,
				       is(&v[last], "DESC") ? " NULLS LAST" : " NULLS FIRST");
			term = -1;
			if (!is_punct(t, ','))
				order = 0;
		}
		if (t->t == T_END)
			break;
		if (order && depth == order_depth && term < 0 && t->t != T_SPACE &&
		    !is_punct(t, ','))
			term = i;
		if (t->t == T_PARAM) {
			k = before(v, i);
			if (depth == 0 && k >= 0 && is(&v[k], "LIMIT"))
				x->rows = ROWS_PARAM, x->limit = x->nuse;
			use_param(x, t->param,
			          null_test(v, i)                ? USE_NULLTEST
			          : boolean(v, i)                ? USE_TRUTH
			          : k >= 0 && is(&v[k], "LIMIT") ? USE_LIMIT
			          : depth > 0 && depth < 256 && closes[depth] == CLOSE_TWICE &&
			                  args[depth] % 2
			                  ? USE_TYPED
			                  : USE_VALUE);
			continue;
		}
		if (is_punct(t, ',') && depth > 0 && depth < 256 && closes[depth] == CLOSE_TWICE) {
			/* json_object(key, value, …): each value through dc_jv */
			puts_(&x->out, args[depth] % 2 ? ")," : ",dc_jv(");
			args[depth]++;
			continue;
		}
		if (is_punct(t, '(')) {
			int p = i - 1;

			while (p > 0 && v[p].t == T_SPACE)
				p--;
			k = skip(v, i + 1);
			if (!pending && i > 0 && (is(&v[p], "FROM") || is(&v[p], "JOIN")) &&
			    (is(&v[k], "SELECT") || is(&v[k], "WITH") || is(&v[k], "VALUES")))
				pending = CLOSE_ALIAS;
			depth++;
			if (depth < 256)
				closes[depth] = pending, args[depth] = 0;
			pending = 0;
			puts_(&x->out, "(");
			continue;
		}
		if (is_punct(t, ')')) {
			int close = depth > 0 && depth < 256 ? closes[depth] : 0;

			if (close == CLOSE_TWICE && args[depth] % 2)
				puts_(&x->out, ")");
			puts_(&x->out, close == CLOSE_TWICE   ? "))"
			               : close == CLOSE_TRUTH ? ") <> 0)"
			                                      : ")");
			if (close == CLOSE_ALIAS && !has_alias(v, skip(v, i + 1)))
				/* PostgreSQL (before 16) wants a name for a subquery in FROM */
				alias(x);
			depth--;
			continue;
		}
		if (t->t == T_PUNCT && t->n == 2 && t->s[0] == '=' && t->s[1] == '=') {
			puts_(&x->out, "=");
			continue;
		}
		if (is_punct(t, '+') && v[i + 1].t == T_WORD && unary(v, i)) {
			/* SQLite's "+column", which keeps an index out of a plan: the column */
			continue;
		}
		if (depth == 0 && is_punct(t, ';'))
			x->rows = ROWS_MANY;
		if (depth == 0 && is(t, "LIMIT")) {
			j = skip(v, i + 1);
			x->rows = v[j].t == T_NUM && strtol(v[j].s, NULL, 10) <= BATCH ? ROWS_FEW
			                                                               : ROWS_MANY;
		}
		if (t->t == T_NUM && boolean(v, i)) {
			/* "WHERE 0": SQLite's false */
			put(&x->out, "(", 1);
			put(&x->out, t->s, (size_t)t->n);
			puts_(&x->out, " <> 0)");
			continue;
		}
		if (t->t == T_SPACE && (t->s[0] == '-' || t->s[0] == '/')) {
			/* a comment: a "--" one at the end would swallow what is appended */
			put(&x->out, " ", 1);
			continue;
		}
		if (t->t != T_WORD) {
			put(&x->out, t->s, (size_t)t->n);
			if (depth > 0 && depth < 256 &&
			    untyped_value(v, i, closes[depth], args[depth]))
				puts_(&x->out, "::text");
			continue;
		}
		if ((k = flag_column(v, i)) >= 0) {
			put(&x->out, "(", 1);
			put(&x->out, t->s, (size_t)(v[k].s + v[k].n - t->s));
			puts_(&x->out, " <> 0)");
			i = k;
			continue;
		}
		j = skip(v, i + 1);
		if (is(t, "ORDER") && is(&v[j], "BY")) {
			put(&x->out, t->s, (size_t)(v[j].s + v[j].n - t->s));
			i = j;
			order = 1, order_depth = depth, term = -1;
			continue;
		}
		if (is(t, "IS")) {
			/* SQLite's "a IS b" compares any two values, NULL equal to NULL */
			int neg = is(&v[j], "NOT"), n = neg ? skip(v, j + 1) : j;

			if (is(&v[n], "NULL") || is(&v[n], "TRUE") || is(&v[n], "FALSE") ||
			    is(&v[n], "DISTINCT")) {
				puts_(&x->out, "IS");
				continue;
			}
			puts_(&x->out, neg ? "IS DISTINCT FROM" : "IS NOT DISTINCT FROM");
			i = neg ? j : i;
			continue;
		}
		if (is(t, "INSERT") && is(&v[j], "OR")) {
			k = skip(v, j + 1);
			if (is(&v[k], "IGNORE")) {
				puts_(&x->out, "INSERT");
				ignore = 1;
				i = k;
				continue;
			}
			x->err = dc_printf("INSERT OR %.*s", v[k].n, v[k].s);
		}
		if (is(t, "RETURNING") && ignore && depth == 0) {
			puts_(&x->out, "ON CONFLICT DO NOTHING ");
			ignore = 0;
		}
		if (is(t, "temp") && is_punct(&v[i + 1], '.')) {
			/* the schema of the session's temporary tables */
			puts_(&x->out, "pg_temp");
			continue;
		}
		if (is(t, "IN") && v[j].t == T_WORD && !is_punct(&v[skip(v, j + 1)], '(')) {
			/* SQLite's "x IN table" */
			int last = is_punct(&v[j + 1], '.') && v[j + 2].t == T_WORD ? j + 2 : j;
			const char *from = v[j].s;

			puts_(&x->out, "IN (SELECT * FROM ");
			if (is(&v[j], "temp") && last > j) {
				puts_(&x->out, "pg_temp");
				from = v[j + 1].s;
			}
			put(&x->out, from, (size_t)(v[last].s + v[last].n - from));
			puts_(&x->out, ")");
			i = last;
			continue;
		}
		if (is(t, "COLLATE") && is(&v[j], "NOCASE")) {
			puts_(&x->out, "COLLATE dc_nocase");
			i = j;
			continue;
		}
		if (is(t, "LIMIT") && is_punct(&v[j], '-') && v[j + 1].t == T_NUM) {
			puts_(&x->out, "LIMIT ALL");
			i = j + 1;
			continue;
		}
		if (!x->err && (is(t, "GLOB") || is(t, "MATCH") || is(t, "PRAGMA") ||
		                is(t, "rowid") || is(t, "printf")))
			x->err = dc_printf("%.*s", t->n, t->s);
		if (is(t, "INTEGER") && is(&v[j], "PRIMARY")) {
			/* SQLite's rowid, numbered when not given */
			puts_(&x->out, "bigint GENERATED BY DEFAULT AS IDENTITY");
			continue;
		}
		if (is(t, "INTEGER") || is(t, "REAL") || is(t, "BLOB") || is(t, "LIKE")) {
			/* type names; SQLite's LIKE ignores case */
			puts_(&x->out, is(t, "INTEGER") ? "bigint"
			               : is(t, "REAL")  ? "double precision"
			               : is(t, "BLOB")  ? "bytea"
			                                : "ILIKE");
			continue;
		}
		if (is_punct(&v[j], '(')) {
			int close = closing(v, j, &commas);

			if (listed(t, int_functions) && boolean_span(v, i, close)) {
				put(&x->out, "(", 1);
				pending = CLOSE_TRUTH;
			}
			if ((is(t, "max") || is(t, "min")) && commas > 0) {
				puts_(&x->out, is(t, "max") ? "greatest" : "least");
				continue;
			}
			if (is(t, "json_object")) {
				/* SQLite writes it compact, json_build_object with spaces */
				puts_(&x->out, "dc_json(json_build_object");
				pending = CLOSE_TWICE;
				continue;
			}
			for (k = 0; renames[k][0] && !is(t, renames[k][0]); k++)
				;
			if (renames[k][0]) {
				puts_(&x->out, renames[k][1]);
				continue;
			}
		}
		put(&x->out, t->s, (size_t)t->n);
		if (depth > 0 && depth < 256 && untyped_value(v, i, closes[depth], args[depth]))
			puts_(&x->out, "::text");
	}
	if (ignore)
		puts_(&x->out, " ON CONFLICT DO NOTHING");
}

/* SQL translated into X; its highest parameter number into *nparam.  -1 (X->err set) for
 * what is not translated. */
static int
xlate(const char *sql, struct xl *x, int *nparam)
{
	struct token *v;
	int n, i;

	*nparam = 0;
	v = lex(sql, &n);
	for (i = 0; i < n; i++)
		if (v[i].t == T_PARAM && v[i].param > *nparam)
			*nparam = v[i].param;
	put(&x->out, "", 0);
	if (x->notnull && nullable_names(x, v) < 0)
		x->notnull = NULL;
	translate(x, v, 0, n);
	free(v);
	free(x->tables.s);
	free(x->outer.s);
	free(x->named.s);
	if (!x->err)
		return 0;
	free(x->out.s);
	free(x->at);
	free(x->which);
	return -1;
}

char *
dc_pgdb_translate(const char *sql, const char *notnull, char **err)
{
	struct xl x = {.rows = ROWS_ANY, .notnull = notnull};
	struct buf b = {NULL, 0, 0};
	size_t from = 0;
	int nparam;

	*err = NULL;
	if (xlate(sql, &x, &nparam) < 0) {
		*err = x.err;
		return NULL;
	}
	put(&b, "", 0);
	for (int k = 0; k < x.nuse; k++) {
		char p[24];

		snprintf(p, sizeof p, "$%d%s", USE_PARAM(x.which[k]),
		         USE_HOW(x.which[k]) == USE_TRUTH      ? "?"
		         : USE_HOW(x.which[k]) == USE_NULLTEST ? "!"
		                                               : "");
		put(&b, x.out.s + from, (size_t)x.at[k] - from);
		puts_(&b, p);
		from = (size_t)x.at[k];
	}
	puts_(&b, x.out.s + from);
	free(x.out.s);
	free(x.at);
	free(x.which);
	return b.s;
}

/*
 * The columns NOT NULL in every table of dcity's schema that has a column of their name,
 * then the views (",a,b," then ";,v,w,").  What the catalog says, written here so that a
 * command does not ask it (that took 3–5 ms of each process); the schema is this program's
 * (a city at another version is refused), and tests/unit/test_pgdb.c's test_live_not_null
 * (run by pg-commands.bats) fails when the catalog of a city dc init made says otherwise.
 * A view's columns are never NOT NULL in the catalog, though most are, so a statement that
 * reads a view keeps the NULLs' order (nullable_names).  dcity's temporary tables (batch,
 * touched) have their own names but for an id.
 */
static const char not_null[] =
	",account,action,active,actor,added,all_day,amount,application_id,archive,at,"
	"attempts,attributes,author,body,booked,budget,capacity,case_id,catalog_gen,changed,"
	"code,content,content_type,created_at,created_by,currency,date,day,deferred,"
	"definition,deputy,discontinued,doc,entity,filename,findings,format,from_at,"
	"from_date,gen,gross,handle,hash,id,interests,invoice_id,item,key,key_hash,kind,line,"
	"login,max_value,media,merchant,min_quotes,mode,notify,number,offered_at,on_request,"
	"one,outbox_id,period,pos,post,prev_hash,prices,priority,procedure,process,profile,"
	"qty,received,recipient,rejected,repeat_vendor,replies,role,rule_profile,"
	"rule_version,seller,seq,service,sla,sold,split_suspect,stage,state,status,stock,"
	"subject,template,text,tiers,title,topics,total,type,unchanged,unit_net,until_at,"
	"until_date,updated_at,user_version,uuid,value,version,visibility,window_end,word,"
	"year,"
	";,budget_use,catalog_fold,catalog_live,order_invoiced,product_fold,";

const char *
dc_pgdb_not_null(void)
{
	return not_null;
}

int
dc_pgdb_prepare(struct dc *ctx, const char *sql, struct dc_pgst **out)
{
	struct xl x = {.rows = ROWS_ANY};
	struct dc_pgst *st;
	int nparam;

	*out = NULL;
	x.notnull = not_null;
	if (xlate(sql, &x, &nparam) < 0) {
		int rc = CONN(ctx)->user_query
		                 ? dc_error(ctx, DC_EDATA,
		                            "sql: %s is SQLite's and has no PostgreSQL translation"
		                            " (docs/postgresql.md)",
		                            x.err)
		                 : dc_error(ctx, DC_EINTERNAL,
		                            "PostgreSQL: not translated yet: %s (in: %.200s)", x.err,
		                            sql);

		free(x.err);
		return rc;
	}
	st = dc_calloc(1, sizeof *st);
	st->conn = CONN(ctx);
	st->given = dc_strdup(sql);
	st->sql = x.out.s;
	st->at = x.at;
	st->which = x.which;
	st->nuse = x.nuse;
	st->nparam = nparam;
	st->rows = x.rows;
	st->limit = x.limit;
	st->p = dc_calloc((size_t)nparam + 1, sizeof *st->p);
	*out = st;
	return 0;
}

/* ---- a user's query (dc-export sql) ---- */

static void prime(struct dc_pgst *st);

/* Words that stand before a parenthesis without calling a function. */
static const char *const not_calls[] = {
	"all", "and", "any", "as", "between", "by", "case", "cast", "distinct", "else", "escape",
	"except", "exists", "filter", "from", "group", "having", "in", "intersect", "is", "join",
	"lateral", "like", "limit", "not", "offset", "on", "or", "over", "select", "some", "then",
	"union", "using", "values", "when", "where", "window", "within", NULL,
};
/* SQLite's table-valued functions, which its authorizer lets through as tables read. */
static const char *const table_functions[] = {"json_each", "json_tree", NULL};
/* The first words of statements that are not queries: refused as SQLite's authorizer
 * refuses them; any other first word is a syntax error. */
static const char *const writes[] = {
	"alter", "analyze", "begin", "call", "checkpoint", "cluster", "comment", "commit", "copy",
	"create", "deallocate", "declare", "delete", "discard", "do", "drop", "end", "execute",
	"explain", "grant", "import", "insert", "listen", "load", "lock", "move", "notify",
	"prepare", "reassign", "refresh", "reindex", "release", "replace", "reset", "revoke",
	"rollback", "savepoint", "security", "set", "show", "table", "truncate", "unlisten",
	"update", "vacuum", NULL,
};

/* Does the word at I name a common table expression (or its columns) rather than call a
 * function: "name(columns) AS (" or "AS [NOT] MATERIALIZED"? */
static int
cte_name(const struct token *v, int i)
{
	int commas, close = closing(v, skip(v, i + 1), &commas), as;

	if (close < 0 || !is(&v[as = skip(v, close + 1)], "as"))
		return 0;
	as = skip(v, as + 1);
	return is_punct(&v[as], '(') || is(&v[as], "materialized") || is(&v[as], "not");
}

/* What SQLite's authorizer checks as the statement is prepared, checked on the text: one
 * query, calling only the functions of ALLOWED, no PRAGMA.  The read-only transaction
 * (dc_pgdb_prepare_query) refuses a write hidden inside it. */
static int
check_query(struct dc *ctx, const struct token *v, const char *const *allowed)
{
	int i = skip(v, 0), k;

	if (v[i].t == T_END)
		return dc_error(ctx, DC_EUSAGE, "sql: no statement");
	if (!is(&v[i], "select") && !is(&v[i], "with") && !is(&v[i], "values")) {
		k = skip(v, i + 1);
		if (is(&v[i], "attach") || is(&v[i], "detach"))
			return dc_error(ctx, DC_EPERM,
			                "permission denied: sql exports may not attach databases");
		if (is(&v[i], "pragma"))
			return dc_error(ctx, DC_EPERM,
			                "permission denied: sql exports may not run PRAGMA %.*s",
			                v[k].t == T_WORD ? v[k].n : 0, v[k].s);
		if (listed(&v[i], writes))
			return dc_error(ctx, DC_EPERM, READ_ONLY);
		return dc_error(ctx, DC_EDATA, "sql: syntax error at or near \"%.*s\"", v[i].n,
		                v[i].s);
	}
	for (; v[i].t != T_END; i++) {
		const struct token *t = &v[i];

		if (is_punct(t, ';')) {
			for (k = i; is_punct(&v[k], ';'); k = skip(v, k + 1))
				;
			if (v[k].t != T_END)
				return dc_error(ctx, DC_EUSAGE, "sql: one statement only");
		} else if (is(t, "insert") || is(t, "update") || is(t, "delete")) {
			/* in a WITH: PostgreSQL would refuse it in a cursor, with other words */
			return dc_error(ctx, DC_EPERM, READ_ONLY);
		} else if (t->t == T_WORD && t->n > 7 && !strncasecmp(t->s, "pragma_", 7)) {
			return dc_error(ctx, DC_EPERM,
			                "permission denied: sql exports may not run PRAGMA %.*s",
			                t->n - 7, t->s + 7);
		} else if ((t->t == T_WORD || t->t == T_IDENT) &&
		           is_punct(&v[skip(v, i + 1)], '(') && !listed(t, not_calls) &&
		           !listed(t, table_functions) && !cte_name(v, i)) {
			/* a quoted name calls the function it spells */
			const char *name = t->s + (t->t == T_IDENT);
			int n = t->n - 2 * (t->t == T_IDENT), ok = 0;

			for (k = 0; allowed[k] && !ok; k++)
				ok = (int)strlen(allowed[k]) == n &&
				     !strncasecmp(name, allowed[k], (size_t)n);
			if (!ok)
				return dc_error(ctx, DC_EPERM,
				                "permission denied: sql exports may not call %.*s()",
				                n, name);
		}
	}
	return 0;
}

int
dc_pgdb_prepare_query(struct dc *ctx, const char *sql, const char *const *allowed,
                      struct dc_pgst **out)
{
	struct pgconn *pc = CONN(ctx);
	struct token *v;
	int n, rc;

	*out = NULL;
	v = lex(sql, &n);
	rc = check_query(ctx, v, allowed);
	free(v);
	/* the connection serves this one query, in a transaction that cannot write; a cursor
	 * streams its rows */
	pc->user_query = 1;
	if (rc || (rc = run(ctx, pc, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")))
		return rc;
	pc->txn++;
	if ((rc = dc_pgdb_prepare(ctx, sql, out)))
		return rc;
	/* run now: its columns are asked for first, and an error is the user's to read */
	prime(*out);
	if ((*out)->perr) {
		PGresult *r = (*out)->perr;

		(*out)->perr = NULL;
		(*out)->primed = 0;
		dc_pgdb_finalize(*out);
		*out = NULL;
		return fail(ctx, pc, r);
	}
	return 0;
}

const char *
dc_pgdb_sql(struct dc_pgst *st)
{
	return st->given;
}

int
dc_pgdb_nparam(struct dc_pgst *st)
{
	return st->nparam;
}

/* ---- binding ---- */

static void
unbind(struct param *p)
{
	if (p->owned)
		free(p->s);
	memset(p, 0, sizeof *p);
}

void
dc_pgdb_bind(struct dc_pgst *st, int i, enum dc_coltype type, const char *s, long len, int ref)
{
	struct param *p;

	if (i < 1 || i > st->nparam)
		return;
	p = &st->p[i];
	unbind(p);
	if (!s)
		return;
	p->type = type;
	p->len = len < 0 ? (long)strlen(s) : len;
	if (ref && len < 0) {
		p->s = (char *)s;
		return;
	}
	p->s = dc_malloc((size_t)p->len + 1);
	memcpy(p->s, s, (size_t)p->len);
	p->s[p->len] = '\0';
	p->owned = 1;
}

void
dc_pgdb_bind_int(struct dc_pgst *st, int i, long long v)
{
	char s[24];

	snprintf(s, sizeof s, "%lld", v);
	dc_pgdb_bind(st, i, DC_COL_INT, s, -1, 0);
}

void
dc_pgdb_bind_double(struct dc_pgst *st, int i, double v)
{
	char s[32];

	/* 17 digits: the same double arrives */
	snprintf(s, sizeof s, "%.17g", v);
	dc_pgdb_bind(st, i, DC_COL_REAL, s, -1, 0);
}

/* P as a literal into B. */
static void
literal(struct buf *b, const struct param *p)
{
	static const char hex[] = "0123456789abcdef";
	const char *s = p->s, *q;

	switch (p->s ? p->type : DC_COL_NULL) {
	case DC_COL_NULL:
		puts_(b, "NULL");
		return;
	case DC_COL_INT:
		put(b, "(", 1), puts_(b, s), put(b, ")", 1);
		return;
	case DC_COL_REAL:
		put(b, "(", 1), puts_(b, s), puts_(b, "::float8)");
		return;
	case DC_COL_BLOB:
		puts_(b, "'\\x");
		for (long k = 0; k < p->len; k++) {
			char h[2] = {hex[(unsigned char)s[k] >> 4], hex[(unsigned char)s[k] & 15]};

			put(b, h, 2);
		}
		puts_(b, "'::bytea");
		return;
	case DC_COL_TEXT:
		put(b, "'", 1);
		/* up to a NUL, which no PostgreSQL text can hold */
		while ((q = memchr(s, '\'', strlen(s)))) {
			put(b, s, (size_t)(q - s + 1));
			put(b, "'", 1);
			s = q + 1;
		}
		puts_(b, s);
		put(b, "'", 1);
		return;
	}
}

void
dc_pgdb_clear(struct dc_pgst *st)
{
	for (int i = 1; i <= st->nparam; i++)
		unbind(&st->p[i]);
}

/* ---- running ---- */

/* The current row's converted texts and blobs. */
static void
forget_row(struct dc_pgst *st)
{
	for (int i = 0; st->conv && i < st->ncol; i++) {
		free(st->conv[i]);
		st->conv[i] = NULL;
		if (st->blob[i])
			PQfreemem(st->blob[i]);
		st->blob[i] = NULL;
	}
}

static void
drop_result(struct dc_pgst *st)
{
	forget_row(st);
	if (st->r)
		PQclear(st->r);
	st->r = NULL;
	st->row = st->nrow = 0;
}

/* The statement's cursor, unless the transaction it lived in has ended (and took it along:
 * closing it then would be an error, which ends the transaction there is now). */
static void
close_cursor(struct dc_pgst *st)
{
	char sql[32];

	if (st->cursor && st->txn == st->conn->txn &&
	    PQtransactionStatus(st->conn->c) == PQTRANS_INTRANS) {
		snprintf(sql, sizeof sql, "CLOSE dc_c%d", st->cursor);
		PQclear(PQexec(st->conn->c, sql));
	}
	st->cursor = 0;
}

void
dc_pgdb_reset(struct dc_pgst *st)
{
	close_cursor(st);
	drop_result(st);
	if (st->perr)
		PQclear(st->perr);
	st->perr = NULL;
	st->primed = 0;
}

void
dc_pgdb_finalize(struct dc_pgst *st)
{
	if (!st)
		return;
	dc_pgdb_reset(st);
	dc_pgdb_clear(st);
	free(st->conv);
	free(st->blob);
	free(st->blobn);
	free(st->p);
	free(st->at);
	free(st->which);
	free(st->sql);
	free(st->given);
	free(st);
}

/* BEGIN IMMEDIATE: one writer at a time, as SQLite's write lock; waiting at most the busy
 * timeout for it (exit 75), while readers go on. */
static int
begin_write(struct dc *ctx, struct pgconn *pc)
{
	char sql[160];
	int rc;

	snprintf(sql, sizeof sql,
	         "BEGIN; SET LOCAL lock_timeout = %d; SELECT pg_advisory_xact_lock(" WRITE_LOCK ")",
	         ctx->busy_ms > 0 ? ctx->busy_ms : 1);
	pc->txn++;
	/* a lock not had leaves the transaction begun and failed: end it, as SQLite's BEGIN
	 * IMMEDIATE that gives up leaves none */
	if ((rc = run(ctx, pc, sql))) {
		PQclear(PQexec(pc->c, "ROLLBACK"));
		pc->txn++;
	}
	return rc;
}

/* Take the result in st->r: a query's rows (DC_ROW if there is one), a command's count. */
static int
take(struct dc *ctx, struct dc_pgst *st)
{
	struct pgconn *pc = st->conn;
	const char *cmd;

	switch (PQresultStatus(st->r)) {
	case PGRES_TUPLES_OK:
		st->nrow = PQntuples(st->r);
		if (PQnfields(st->r) != st->ncol || !st->conv) {
			free(st->conv), free(st->blob), free(st->blobn);
			st->ncol = PQnfields(st->r);
			st->conv = dc_calloc((size_t)st->ncol + 1, sizeof *st->conv);
			st->blob = dc_calloc((size_t)st->ncol + 1, sizeof *st->blob);
			st->blobn = dc_calloc((size_t)st->ncol + 1, sizeof *st->blobn);
		}
		cmd = PQcmdStatus(st->r);
		if (!strncmp(cmd, "INSERT", 6) || !strncmp(cmd, "UPDATE", 6) ||
		    !strncmp(cmd, "DELETE", 6))
			pc->changes = strtoll(PQcmdTuples(st->r), NULL, 10);
		st->row = 0;
		if (st->nrow)
			return DC_ROW;
		close_cursor(st);
		return 0;
	case PGRES_COMMAND_OK:
		cmd = PQcmdStatus(st->r);
		if (!strncmp(cmd, "INSERT", 6) || !strncmp(cmd, "UPDATE", 6) ||
		    !strncmp(cmd, "DELETE", 6))
			pc->changes = strtoll(PQcmdTuples(st->r), NULL, 10);
		if (!strcmp(cmd, "BEGIN") || !strcmp(cmd, "COMMIT") || !strcmp(cmd, "ROLLBACK"))
			pc->txn++;
		/* COMMIT of a transaction that failed rolls it back and says only that */
		if (!strcmp(cmd, "ROLLBACK") && !strncasecmp(st->sql, "COMMIT", 6)) {
			drop_result(st);
			if (!ctx)
				return DC_EINTERNAL;
			return dc_error(ctx, DC_EINTERNAL,
			                "PostgreSQL: the transaction failed and was rolled back");
		}
		st->nrow = 0;
		return 0;
	default: {
		PGresult *r = st->r;

		st->r = NULL;
		st->cursor = 0;
		if (!ctx) {
			/* kept for the step that can say it */
			if (st->perr)
				PQclear(st->perr);
			st->perr = r;
			return DC_EINTERNAL;
		}
		return fail(ctx, pc, r);
	}
	}
}

/* The cursor's next rows. */
static int
fetch(struct dc *ctx, struct dc_pgst *st)
{
	char sql[48];

	drop_result(st);
	snprintf(sql, sizeof sql, "FETCH FORWARD %d FROM dc_c%d", BATCH, st->cursor);
	st->r = PQexec(st->conn->c, sql);
	return take(ctx, st);
}

/* Is the statement a query that a cursor can run?  dcity's own begin with SELECT; a user's
 * (dc-export sql) may begin with WITH or VALUES too, and is refused where it writes. */
static int
query(const struct dc_pgst *st)
{
	const char *sql = st->sql + strspn(st->sql, " \t\r\n(");
	size_t n = strspn(sql, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

	return (n == 6 && !strncasecmp(sql, "SELECT", 6)) ||
	       (st->conn->user_query && ((n == 4 && !strncasecmp(sql, "WITH", 4)) ||
	                                 (n == 6 && !strncasecmp(sql, "VALUES", 6))));
}

/* How a statement is sent: as it is; as a cursor's query; as a query with a LIMIT of one
 * row more than a batch, which tells whether the rows it returns fit in one. */
enum { SEND_PLAIN, SEND_CURSOR, SEND_PROBE };

/* The parameters of a statement sent with placeholders ($1, $2, …) in place of literals:
 * a placeholder for each use of a value (a parameter used twice is two, each typed by where
 * it stands, as a literal is); a NULL is written as NULL. */
struct sendp {
	int n, cap;
	const char **values;
	int *lengths, *formats;
	Oid *types;
	struct buf sig; /* the types, a letter each: with the text, what is prepared */
};

/* The types' numbers (pg_type.oid), fixed in PostgreSQL's catalog. */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_TEXT 25
#define OID_OID 26
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

/* P as a placeholder into B, its value into SP; TYPED: a text is typed text (USE_TYPED),
 * else left for the server to type by where it stands, as a literal is. */
static void
placeholder(struct buf *b, const struct param *p, struct sendp *sp, int typed)
{
	char ph[16];
	Oid type = 0;
	char letter = 'u';

	if (sp->n == sp->cap) {
		sp->cap = sp->cap ? sp->cap * 2 : 16;
		sp->values = dc_realloc(sp->values, sizeof *sp->values * (size_t)sp->cap);
		sp->lengths = dc_realloc(sp->lengths, sizeof *sp->lengths * (size_t)sp->cap);
		sp->formats = dc_realloc(sp->formats, sizeof *sp->formats * (size_t)sp->cap);
		sp->types = dc_realloc(sp->types, sizeof *sp->types * (size_t)sp->cap);
	}
	switch (p->type) {
	case DC_COL_INT: {
		long long v = strtoll(p->s, NULL, 10);

		/* as a literal: an integer, bigint only if it needs to be */
		type = v >= -2147483648LL && v <= 2147483647LL ? OID_INT4 : OID_INT8;
		letter = type == OID_INT4 ? 'i' : 'l';
		break;
	}
	case DC_COL_REAL:
		type = OID_FLOAT8, letter = 'f';
		break;
	case DC_COL_BLOB:
		type = OID_BYTEA, letter = 'b';
		break;
	default:
		if (typed)
			type = OID_TEXT, letter = 't';
	}
	sp->values[sp->n] = p->s;
	sp->lengths[sp->n] = (int)p->len;
	sp->formats[sp->n] = p->type == DC_COL_BLOB; /* a blob's bytes as they are */
	sp->types[sp->n] = type;
	put(&sp->sig, &letter, 1);
	snprintf(ph, sizeof ph, "$%d", ++sp->n);
	puts_(b, ph);
}

/* P as a literal, or (SP) a placeholder, into B; TYPED as placeholder() has it. */
static void
value(struct buf *b, const struct param *p, struct sendp *sp, int typed)
{
	if (sp && p->s) {
		placeholder(b, p, sp, typed);
		return;
	}
	literal(b, p);
	if (typed && (!p->s || p->type == DC_COL_TEXT))
		puts_(b, "::text");
}

/* ST's text as sent HOW into B: its parameters as literals or (SP) placeholders. */
static void
compose(struct buf *b, struct dc_pgst *st, int how, struct sendp *sp)
{
	size_t from = 0;
	int k;

	put(b, "", 0);
	if (how == SEND_CURSOR) {
		char declare[64];

		snprintf(declare, sizeof declare, "DECLARE dc_c%d NO SCROLL CURSOR FOR ",
		         st->cursor);
		puts_(b, declare);
	}
	for (k = 0; k < st->nuse; k++) {
		const struct param *p = &st->p[USE_PARAM(st->which[k])];
		int use = USE_HOW(st->which[k]), integer = p->s && p->type == DC_COL_INT;

		put(b, st->sql + from, (size_t)st->at[k] - from);
		if (use == USE_NULLTEST)
			puts_(b, p->s ? "0" : "NULL");
		else if (use == USE_TRUTH && integer)
			put(b, "(", 1), value(b, p, sp, 0), puts_(b, " <> 0)");
		else if (use == USE_LIMIT && integer && p->s[0] == '-')
			puts_(b, "ALL");
		else
			value(b, p, sp, use == USE_TYPED);
		from = (size_t)st->at[k];
	}
	puts_(b, st->sql + from);
	if (how == SEND_PROBE) {
		char limit[24];

		snprintf(limit, sizeof limit, " LIMIT %d", BATCH + 1);
		puts_(b, limit);
	}
}

/* The slot of TEXT and SIG, counted as run once more; NULL when the slots are full. */
static struct prepared *
lookup(struct pgconn *pc, const char *text, const char *sig)
{
	unsigned long h = dc_hash(sig, dc_hash(text, DC_HASH_SEED));
	struct prepared *e;
	size_t i;

	if (!pc->prep)
		pc->prep = dc_calloc(PREPARED, sizeof *pc->prep);
	for (i = h % PREPARED;; i = (i + 1) % PREPARED) {
		e = &pc->prep[i];
		if (!e->text)
			break;
		if (e->hash == h && !strcmp(e->text, text) && !strcmp(e->sig, sig)) {
			e->runs++;
			return e;
		}
	}
	if (pc->nprep >= PREPARED / 4 * 3)
		return NULL;
	pc->nprep++;
	e->text = dc_strdup(text);
	e->sig = dc_strdup(sig);
	e->hash = h;
	e->runs = 1;
	return e;
}

/* Prepare E's text on the server; E->name says how it went.  Inside a transaction a
 * savepoint keeps a failure from ending it. */
static void
prepare(struct pgconn *pc, struct prepared *e, const struct sendp *sp)
{
	int inside = PQtransactionStatus(pc->c) == PQTRANS_INTRANS;
	const char *state;
	char name[24];
	PGresult *r;

	if (inside) {
		ExecStatusType s = PQresultStatus(r = PQexec(pc->c, "SAVEPOINT dc_prepare"));

		PQclear(r);
		if (s != PGRES_COMMAND_OK)
			return;
	}
	snprintf(name, sizeof name, "dc_p%d", pc->named + 1);
	r = PQprepare(pc->c, name, e->text, sp->n, sp->types);
	if (PQresultStatus(r) == PGRES_COMMAND_OK)
		e->name = ++pc->named;
	else if ((state = PQresultErrorField(r, PG_DIAG_SQLSTATE)) && !strncmp(state, "42", 2))
		/* the SQL, not the moment: for good (a class 42 error: syntax, types) */
		e->name = -1;
	if (getenv("DC_PG_TRACE"))
		fprintf(stderr, "pg: prepare %s: %s -> %s", name, e->text,
		        e->name > 0 ? "ok\n" : PQresultErrorMessage(r));
	PQclear(r);
	if (inside)
		PQclear(PQexec(pc->c, e->name > 0 ? "RELEASE dc_prepare"
		                                  : "ROLLBACK TO dc_prepare; RELEASE dc_prepare"));
}

/* Run ST's text as sent HOW: prepared when it has run often enough, else with literals. */
static PGresult *
execute(struct dc_pgst *st, int how)
{
	struct pgconn *pc = st->conn;
	struct sendp sp = {0, 0, NULL, NULL, NULL, NULL, {NULL, 0, 0}};
	struct buf b = {NULL, 0, 0};
	struct prepared *e = NULL;
	PGresult *r;

	put(&sp.sig, "", 0);
	/* a cursor's DECLARE is planned when run, prepared or not; a user's query runs once */
	if (how != SEND_CURSOR && !pc->user_query &&
	    PQtransactionStatus(pc->c) != PQTRANS_INERROR) {
		compose(&b, st, how, &sp);
		if ((e = lookup(pc, b.s, sp.sig.s)) && !e->name && e->runs >= PREPARE_AT)
			prepare(pc, e, &sp);
	}
	if (e && e->name > 0) {
		char name[24];

		snprintf(name, sizeof name, "dc_p%d", e->name);
		r = PQexecPrepared(pc->c, name, sp.n, sp.values, sp.lengths, sp.formats, 0);
	} else {
		free(b.s);
		b.s = NULL, b.n = b.cap = 0;
		compose(&b, st, how, NULL);
		r = PQexecParams(pc->c, b.s, 0, NULL, NULL, NULL, NULL, 0);
	}
	if (getenv("DC_PG_TRACE"))
		fprintf(stderr, "pg: %s%s -> %s\n", e && e->name > 0 ? "prepared: " : "", b.s,
		        PQresStatus(PQresultStatus(r)));
	free(b.s);
	free(sp.values), free(sp.lengths), free(sp.formats), free(sp.types), free(sp.sig.s);
	return r;
}

/* Send ST HOW and take the result. */
static int
send(struct dc *ctx, struct dc_pgst *st, int how)
{
	if (how == SEND_CURSOR) {
		st->cursor = ++st->conn->cursors;
		st->txn = st->conn->txn;
	}
	st->r = execute(st, how);
	if (how != SEND_CURSOR || PQresultStatus(st->r) != PGRES_COMMAND_OK)
		return take(ctx, st);
	return fetch(ctx, st);
}

/* Does the statement's own LIMIT keep its rows to a batch? */
static int
few_rows(const struct dc_pgst *st)
{
	const struct param *p;

	if (st->rows == ROWS_FEW)
		return 1;
	if (st->rows != ROWS_PARAM)
		return 0;
	p = &st->p[USE_PARAM(st->which[st->limit])];
	return p->s && p->type == DC_COL_INT && p->s[0] != '-' && strtol(p->s, NULL, 10) <= BATCH;
}

int
dc_pgdb_step(struct dc *ctx, struct dc_pgst *st)
{
	struct pgconn *pc = st->conn;
	int how = SEND_PLAIN, rc;

	if (st->primed) {
		PGresult *r = st->perr;

		st->primed = 0;
		st->perr = NULL;
		return r ? fail(ctx, pc, r) : st->primed_rc;
	}
	if (st->r) {
		forget_row(st);
		if (++st->row < st->nrow)
			return DC_ROW;
		if (st->cursor && st->nrow == BATCH)
			return fetch(ctx, st);
		close_cursor(st);
		return 0;
	}
	if (!strcmp(st->sql, "BEGIN IMMEDIATE"))
		return begin_write(ctx, pc);
	if (!strcmp(st->sql, "BEGIN")) {
		/* a read transaction: one state of the database for many reads */
		pc->txn++;
		return run(ctx, pc, "BEGIN ISOLATION LEVEL REPEATABLE READ");
	}
	/* A query inside a transaction that may return more rows than a batch reads through a
	 * cursor, in batches (an export of a million rows in constant memory).  A cursor costs
	 * three statements (DECLARE, FETCH, CLOSE) where most queries, lookups of a row or a
	 * few, need one: such a query is first sent with a LIMIT of a batch and a row, and only
	 * when that row comes back does it go through a cursor, then and from then on (a bulk
	 * intake of 200 cases: 0.54 s through cursors, 0.36 s so). */
	if (query(st) && PQtransactionStatus(pc->c) == PQTRANS_INTRANS && !few_rows(st))
		how = st->many || pc->user_query || st->rows != ROWS_ANY ? SEND_CURSOR : SEND_PROBE;
	if ((rc = send(ctx, st, how)) != DC_ROW || how != SEND_PROBE || st->nrow <= BATCH)
		return rc;
	st->many = 1;
	drop_result(st);
	return send(ctx, st, SEND_CURSOR);
}

/* ---- reading ---- */

/* A real as SQLite prints it: 15 significant digits, and a point or an exponent always. */
static char *
sqlite_real(const char *s)
{
	char v[48];
	double d = strtod(s, NULL);
	size_t n;

	snprintf(v, sizeof v, "%.15g", d);
	if (strpbrk(v, ".ein"))
		return strchr(v, 'e') && !strchr(v, '.') ? dc_printf("%.*s.0%s",
		                                                      (int)strcspn(v, "e"), v,
		                                                      v + strcspn(v, "e"))
		                                          : dc_strdup(v);
	n = strlen(v);
	return dc_printf("%.*s.0", (int)n, v);
}

enum dc_coltype
dc_pgdb_col_type(struct dc_pgst *st, int i)
{
	if (!st->r || st->row >= st->nrow || i >= st->ncol || PQgetisnull(st->r, st->row, i))
		return DC_COL_NULL;
	switch (PQftype(st->r, i)) {
	case OID_BOOL:
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID:
		return DC_COL_INT;
	case OID_FLOAT4:
	case OID_FLOAT8:
		return DC_COL_REAL;
	case OID_NUMERIC:
		return strpbrk(PQgetvalue(st->r, st->row, i), ".eN") ? DC_COL_REAL : DC_COL_INT;
	case OID_BYTEA:
		return DC_COL_BLOB;
	default:
		return DC_COL_TEXT;
	}
}

const char *
dc_pgdb_col_text(struct dc_pgst *st, int i)
{
	const char *s;

	if (dc_pgdb_col_type(st, i) == DC_COL_NULL)
		return NULL;
	if (st->conv[i])
		return st->conv[i];
	s = PQgetvalue(st->r, st->row, i);
	switch (PQftype(st->r, i)) {
	case OID_BOOL:
		return *s == 't' ? "1" : "0";
	case OID_FLOAT4:
	case OID_FLOAT8:
		return st->conv[i] = sqlite_real(s);
	case OID_NUMERIC:
		return strpbrk(s, ".eN") ? (st->conv[i] = sqlite_real(s)) : s;
	case OID_BYTEA: {
		size_t n;
		const void *p = dc_pgdb_col_blob(st, i, &n);

		st->conv[i] = dc_malloc(n + 1);
		if (n)
			memcpy(st->conv[i], p, n);
		st->conv[i][n] = '\0';
		return st->conv[i];
	}
	default:
		return s;
	}
}

const void *
dc_pgdb_col_blob(struct dc_pgst *st, int i, size_t *n)
{
	*n = 0;
	if (dc_pgdb_col_type(st, i) == DC_COL_NULL)
		return NULL;
	if (PQftype(st->r, i) != OID_BYTEA) {
		const char *s = dc_pgdb_col_text(st, i);

		*n = strlen(s);
		return *n ? s : NULL;
	}
	if (!st->blob[i])
		st->blob[i] = PQunescapeBytea((const unsigned char *)PQgetvalue(st->r, st->row, i),
		                              &st->blobn[i]);
	*n = st->blobn[i];
	return *n ? st->blob[i] : NULL;
}

/* A statement's columns before its first step, as SQLite knows them once it has prepared
 * one: the statement runs now, and its first step returns what this run found. */
static void
prime(struct dc_pgst *st)
{
	if (st->r || st->primed)
		return;
	st->primed_rc = dc_pgdb_step(NULL, st);
	st->primed = 1;
}

int
dc_pgdb_col_count(struct dc_pgst *st)
{
	prime(st);
	return st->r ? PQnfields(st->r) : st->ncol;
}

const char *
dc_pgdb_col_name(struct dc_pgst *st, int i)
{
	prime(st);
	return st->r && i < PQnfields(st->r) ? PQfname(st->r, i) : NULL;
}

void
dc_pgdb_vacuum(struct dc *ctx)
{
	struct pgconn *pc = CONN(ctx);
	PGresult *r;

	/* the old versions of the removed rows stay in the tables' pages until VACUUM marks
	 * them free (and new rows overwrite them); what the server's WAL archive and earlier
	 * backups hold is the operator's to expire (docs/postgresql.md) */
	if (PQtransactionStatus(pc->c) != PQTRANS_IDLE)
		return;
	r = PQexec(pc->c, "VACUUM");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		char msg[256];

		dc_pgdb_message(r, pc->c, msg, sizeof msg);
		dc_warn(ctx, "warning: VACUUM after removing personal data: %s; the removed rows'"
		             " old versions stay in the tables until the next VACUUM", msg);
	}
	PQclear(r);
}

/* pg_dump of the city URL into the file PATH (custom format), which it truncates: so the
 * file keeps the mode it was made with.  The setgid install does not come here. */
int
dc_pgdb_dump(struct dc *ctx, const char *url, const char *path)
{
	pid_t pid;
	int status;

	fflush(NULL);
	if ((pid = fork()) < 0)
		return dc_error(ctx, DC_EINTERNAL, "cannot start pg_dump: %s", strerror(errno));
	if (pid == 0) {
		execlp("pg_dump", "pg_dump", "--format=custom", "--no-password", "--file", path,
		       "--dbname", url, (char *)NULL);
		_exit(errno == ENOENT ? 127 : 126);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return dc_error(ctx, DC_EINTERNAL, "pg_dump: %s", strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return dc_error(ctx, DC_EDB,
		                "pg_dump is not installed (Debian: postgresql-client): no backup");
	return dc_error(ctx, DC_EIO, "pg_dump failed (%s %d): no backup",
	                WIFEXITED(status) ? "exit" : "signal",
	                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

/* PostgreSQL's counterpart of PRAGMA integrity_check: the B-tree indexes of the city's schema
 * by amcheck's bt_index_check where the extension is installed, *RESULT "ok" or amcheck's
 * complaint; without amcheck "ok" and a warning that the indexes were not checked. */
int
dc_pgdb_integrity(struct dc *ctx, char **result)
{
	struct pgconn *pc = CONN(ctx);
	PGresult *r = PQexec(pc->c, "SELECT 1 FROM pg_extension WHERE extname = 'amcheck'");
	char msg[512];

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return fail(ctx, pc, r);
	if (!PQntuples(r)) {
		PQclear(r);
		dc_warn(ctx, "warning: amcheck is not installed in this database (CREATE EXTENSION"
		             " amcheck): its indexes were not checked");
		*result = dc_strdup("ok");
		return 0;
	}
	PQclear(r);
	/* outside a transaction: a corrupt index raises an error, which ends nothing else */
	r = PQexec(pc->c, "SELECT count(bt_index_check(i.indexrelid)) FROM pg_index i"
	                  " JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_am a ON a.oid = x.relam"
	                  " JOIN pg_namespace s ON s.oid = x.relnamespace WHERE a.amname = 'btree'"
	                  " AND s.nspname = current_schema() AND i.indisvalid AND i.indisready");
	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		*result = dc_strdup("ok");
	} else {
		dc_pgdb_message(r, pc->c, msg, sizeof msg);
		*result = dc_printf("amcheck: %s", msg);
	}
	PQclear(r);
	return 0;
}

int
dc_pgdb_in_transaction(struct dc *ctx)
{
	return PQtransactionStatus(CONN(ctx)->c) != PQTRANS_IDLE;
}

long long
dc_pgdb_changes(struct dc *ctx)
{
	return CONN(ctx)->changes;
}

long long
dc_pgdb_last_id(struct dc *ctx)
{
	PGresult *r = PQexec(CONN(ctx)->c, "SELECT dc_lastval()");
	long long id = 0;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return id;
}
