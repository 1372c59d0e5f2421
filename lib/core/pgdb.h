/*
 * The PostgreSQL engine behind db.c's interface (pgdb.c, docs/postgresql.md): what db.c
 * calls when DC_DB names a PostgreSQL database.  Private to lib/core; the commands see only
 * dc.h's dc_prepare, dc_step, dc_bind_*, dc_col_*.
 */
#ifndef DC_PGDB_H
#define DC_PGDB_H

#include <stddef.h>

#include "core/dc.h"

struct dc_pgst; /* a statement: its translated SQL, bound values and current result */
struct pg_conn;   /* libpq's PGconn and PGresult */
struct pg_result;

/* The exit status for SQLSTATE STATE (NULL: a connection failure): integrity violations 3,
 * lock timeouts, serialization failures and deadlocks 75, disk full 74, privileges 77, a
 * number out of range 65, the server's state (connection, resources, no such database) 69,
 * else (the SQL failed) 70. */
int dc_pgdb_code(const char *state);

/* The setgid install's PostgreSQL database and the password its configuration gives for it
 * (priv.c): a connection to exactly URL sends PASSWORD, one to any other URL does not.
 * libpq itself ignores a password file that a group may read. */
void dc_pgdb_password(const char *url, const char *password);
/* PQconnectdb(URL), with that password where it belongs; libpq must be loaded. */
struct pg_conn *dc_pgdb_connectdb(const char *url);
/* Into MSG (N bytes) the first line of the server's words about result R, without its
 * "ERROR:  ", or of connection C's error when R is NULL. */
void dc_pgdb_message(struct pg_result *r, struct pg_conn *c, char *msg, size_t n);

/* Connect to URL (libpq loaded first) and check that it holds a city at schema VERSION (this
 * program's); the connection goes into ctx->db. */
int dc_pgdb_open(struct dc *ctx, const char *url, int readonly, long version);
void dc_pgdb_close(struct dc *ctx);
const char *dc_pgdb_engine(struct dc *ctx); /* "postgresql 15.8" */

/* SQL in SQLite's dialect, as every SQL text of dcity is written, made PostgreSQL's (pgdb.c
 * says which parts); an error names what PostgreSQL cannot run. */
int dc_pgdb_prepare(struct dc *ctx, const char *sql, struct dc_pgst **out);
/* The translation alone, parameters shown as $N ($N? where an integer is read as a truth
 * value, $N! where only whether it is NULL counts), NOTNULL the columns NOT NULL wherever they are (",a,b,") or NULL; NULL and *err
 * (caller frees both) for what is not translated.  For the tests. */
char *dc_pgdb_translate(const char *sql, const char *notnull, char **err);
/* The NOT NULL columns and the views of dcity's schema that the translation knows (",a,b,"
 * then ";,v,"), for the test that compares them with a city's catalog. */
const char *dc_pgdb_not_null(void);
const char *dc_pgdb_sql(struct dc_pgst *st); /* the text as given */
void dc_pgdb_finalize(struct dc_pgst *st);
int dc_pgdb_step(struct dc *ctx, struct dc_pgst *st); /* DC_ROW, 0 or an error code */
void dc_pgdb_reset(struct dc_pgst *st);
void dc_pgdb_clear(struct dc_pgst *st);
int dc_pgdb_nparam(struct dc_pgst *st);
/* A user's query (dc-export sql): SQLite's SQL, one query that calls only the functions of
 * ALLOWED, checked and run at once in a read-only transaction (its columns known). */
int dc_pgdb_prepare_query(struct dc *ctx, const char *sql, const char *const *allowed,
                          struct dc_pgst **out);

/* A parameter's value: S (LEN bytes; -1 up to its NUL) as the type says; S NULL binds NULL.
 * The text is copied unless REF. */
void dc_pgdb_bind(struct dc_pgst *st, int i, enum dc_coltype type, const char *s, long len,
                  int ref);
void dc_pgdb_bind_int(struct dc_pgst *st, int i, long long v);
void dc_pgdb_bind_double(struct dc_pgst *st, int i, double v);

const char *dc_pgdb_col_text(struct dc_pgst *st, int i);
const void *dc_pgdb_col_blob(struct dc_pgst *st, int i, size_t *n);
enum dc_coltype dc_pgdb_col_type(struct dc_pgst *st, int i);
int dc_pgdb_col_count(struct dc_pgst *st);
const char *dc_pgdb_col_name(struct dc_pgst *st, int i);

long long dc_pgdb_changes(struct dc *ctx);
int dc_pgdb_in_transaction(struct dc *ctx);
/* VACUUM the city's tables after personal data was removed; a warning if it cannot. */
void dc_pgdb_vacuum(struct dc *ctx);
int dc_pgdb_dump(struct dc *ctx, const char *url, const char *path); /* pg_dump into PATH */
int dc_pgdb_integrity(struct dc *ctx, char **result); /* amcheck: "ok" or its complaint */
long long dc_pgdb_last_id(struct dc *ctx);

#endif
