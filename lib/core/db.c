/* The database: open, migrate, statements, transactions, sequences. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/dc.h"
#include "core/pgdb.h"

/* The engine's handles behind the interface's opaque types. */
#define DB(ctx) ((sqlite3 *)(ctx)->db)
#define ST(st) ((sqlite3_stmt *)(st))
#define PST(st) ((struct dc_pgst *)(st))

/* The city is on PostgreSQL (pgdb.c): every call below goes there.  A process opens one
 * city, so one flag says which engine its statements belong to. */
static int on_pg;

/* Waiting for a lock: try again every millisecond until the busy timeout.  A long catalog
 * import gives the write lock up for a few milliseconds between its short transactions;
 * SQLite's own handler sleeps up to 100 ms between tries and would keep missing those pauses,
 * so a clerk's note could still wait out the whole import. */
static int
busy_wait(void *arg, int tries)
{
	struct dc *ctx = arg;
	struct timespec ms = {0, 1000000};

	if (tries == 0)
		ctx->busy_since = dc_mono();
	if ((dc_mono() - ctx->busy_since) * 1000 >= ctx->busy_ms)
		return 0;
	nanosleep(&ms, NULL);
	return 1;
}

static int
db_error(struct dc *ctx, int rc, const char *what)
{
	const char *msg = ctx->db ? sqlite3_errmsg(DB(ctx)) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return dc_error(ctx, DC_EBUSY,
		                "database is locked (gave up after %d ms); retry later",
		                ctx->busy_ms);
	case SQLITE_FULL:
	case SQLITE_IOERR:
		/* "disk I/O error" alone does not tell a full disk from a failing one */
		if (ctx->db && sqlite3_system_errno(DB(ctx)))
			return dc_error(ctx, DC_EIO, "%s: %s (%s)", what, msg,
			                strerror(sqlite3_system_errno(DB(ctx))));
		return dc_error(ctx, DC_EIO, "%s: %s", what, msg);
	case SQLITE_NOTADB:
	case SQLITE_CANTOPEN:
	case SQLITE_CORRUPT:
		return dc_error(ctx, DC_EDB, "'%s': %s", ctx->db_path ? ctx->db_path : "", msg);
	case SQLITE_READONLY:
		return dc_error(ctx, DC_EPERM, "%s: %s", what, msg);
	case SQLITE_ERROR:
		/* sum() of integers fails instead of wrapping: money beyond the maxima is bad
		 * data */
		if (!strcmp(msg, "integer overflow"))
			return dc_error(ctx, DC_EDATA, "%s: a sum of money or quantities is above "
			                "the maxima (dcity(7) NUMBERS)", what);
		return dc_error(ctx, DC_EINTERNAL, "%s: %s", what, msg);
	default:
		return dc_error(ctx, DC_EINTERNAL, "%s: %s", what, msg);
	}
}

/* The default location's directories are made, private to the user (the database holds
 * personal data); a --db or DC_DB names a file in a directory that must exist already, so
 * that a mistyped one is an error, not a new, empty city somewhere else. */
static int
mkdir_parents(struct dc *ctx, const char *path)
{
	char *dir = dc_strdup(path), *p;
	int rc = 0;

	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			rc = dc_error(ctx, DC_EDB, "cannot create directory '%s': %s", dir, strerror(errno));
			break;
		}
		*p = '/';
	}
	free(dir);
	return rc;
}

static int
dir_exists(struct dc *ctx, const char *path)
{
	char *dir = dc_strdup(path), *slash = strrchr(dir, '/');
	struct stat sb;
	int rc = 0;

	if (slash) {
		slash[slash == dir] = '\0';
		if (stat(dir, &sb) ? errno == ENOENT || errno == ENOTDIR : !S_ISDIR(sb.st_mode))
			rc = dc_error(ctx, DC_EDB, "cannot open database '%s': no directory '%s'",
			              path, dir);
	}
	free(dir);
	return rc;
}

static char *
default_path(void)
{
	const char *x = getenv("XDG_DATA_HOME"), *h = getenv("HOME");

	if (x && *x)
		return dc_printf("%s/dcity/city.db", x);
	return dc_printf("%s/.local/share/dcity/city.db", h && *h ? h : ".");
}

static int
pragma_int(struct dc *ctx, const char *sql, long *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = sqlite3_prepare_v2(DB(ctx), sql, -1, &st, NULL)) != SQLITE_OK)
		return db_error(ctx, rc, "opening the database");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = (long)sqlite3_column_int64(st, 0);
		rc = 0;
	} else
		rc = db_error(ctx, rc, "opening the database");
	sqlite3_finalize(st);
	return rc;
}

long
dc_schema_version(void)
{
	const struct dc_blob *m;
	long v = 0;

	for (m = dc_migrations; m->name; m++)
		v = atol(m->name);
	return v;
}

/* Bring the schema up to date in one transaction; a concurrent first use waits for the lock
 * and then finds the work done.  Foreign keys are off meanwhile, as SQLite's procedure for
 * rebuilding a table requires (a DROP TABLE would otherwise delete every row first), and are
 * checked before the commit instead. */
static int
migrate(struct dc *ctx, long have)
{
	const struct dc_blob *m;
	char *err = NULL, sql[96];
	long bad = 0;
	int rc;

	sqlite3_exec(DB(ctx), "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
	if ((rc = dc_exec(ctx, "BEGIN IMMEDIATE", 0)))
		goto done;
	if ((rc = pragma_int(ctx, "PRAGMA user_version", &have)))
		goto done;
	for (m = dc_migrations; m->name; m++) {
		if (atol(m->name) <= have)
			continue;
		if (sqlite3_exec(DB(ctx), m->text, NULL, NULL, &err) != SQLITE_OK) {
			rc = dc_error(ctx, DC_EINTERNAL, "migration %s: %s", m->name, err);
			sqlite3_free(err);
			goto done;
		}
	}
	if ((rc = pragma_int(ctx, "SELECT count(*) FROM pragma_foreign_key_check", &bad)))
		goto done;
	if (bad) {
		rc = dc_error(ctx, DC_EINTERNAL, "migrating: %ld rows break a foreign key", bad);
		goto done;
	}
	snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %ld",
	         DC_APPLICATION_ID, dc_schema_version());
	if (sqlite3_exec(DB(ctx), sql, NULL, NULL, NULL) != SQLITE_OK)
		rc = db_error(ctx, sqlite3_errcode(DB(ctx)), "migrating");
	if (!rc)
		rc = dc_exec(ctx, "COMMIT", 0);
done:
	if (rc && ctx->db && !sqlite3_get_autocommit(DB(ctx)))
		sqlite3_exec(DB(ctx), "ROLLBACK", NULL, NULL, NULL);
	sqlite3_exec(DB(ctx), "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	return rc;
}

/* dc_fold(X) for SQL: the search folding of schema 9's views, in C (a bulk index, the queries). */
static void
sql_fold(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	char *f;

	(void)argc;
	if (!s) {
		sqlite3_result_null(cx);
		return;
	}
	f = dc_fold(s, (size_t)sqlite3_value_bytes(argv[0]));
	sqlite3_result_text(cx, f, -1, free);
}

/* dc_name_key(X) and dc_digits(X) for SQL: how dc-subject matches a name and a phone. */
static void
sql_key(sqlite3_context *cx, sqlite3_value *v, char *(*key)(const char *))
{
	const char *s = (const char *)sqlite3_value_text(v);

	if (!s)
		sqlite3_result_null(cx);
	else
		sqlite3_result_text(cx, key(s), -1, free);
}

static void
sql_name_key(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sql_key(cx, argv[0], dc_name_key);
}

static void
sql_digits(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sql_key(cx, argv[0], dc_digits);
}

int
dc_db_is_pg(const char *s)
{
	return s && (!strncmp(s, "postgresql://", 13) || !strncmp(s, "postgres://", 11) ||
	             !strncmp(s, "service=", 8));
}

static int
open_db(struct dc *ctx, int flags)
{
	long app = 0, ver = 0, objects = 0;
	sqlite3 *db = NULL;
	int rc;

	if (ctx->db)
		return 0;
	if (dc_db_is_pg(ctx->db_path)) {
		on_pg = 1;
		return dc_pgdb_open(ctx, ctx->db_path, !(flags & SQLITE_OPEN_READWRITE),
		                    dc_schema_version());
	}
	if (ctx->db_path)
		rc = dir_exists(ctx, ctx->db_path);
	else {
		ctx->db_path = default_path();
		rc = flags & SQLITE_OPEN_CREATE ? mkdir_parents(ctx, ctx->db_path) : 0;
	}
	if (rc)
		return rc;
	rc = sqlite3_open_v2(ctx->db_path, &db, flags, NULL);
	ctx->db = (struct dc_conn *)db;
	if (rc != SQLITE_OK) {
		rc = dc_error(ctx, DC_EDB, "cannot open database '%s': %s", ctx->db_path,
		              db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		ctx->db = NULL;
		return rc;
	}
	sqlite3_extended_result_codes(DB(ctx), 1);
	sqlite3_busy_handler(DB(ctx), busy_wait, ctx);
	/* fts3_tokenizer(NAME, PTR) installs a code pointer from SQL: nothing here needs it */
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0, NULL);
	if (sqlite3_create_function(DB(ctx), "dc_fold", 1,
	                            SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
	                            sql_fold, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(DB(ctx), "dc_name_key", 1,
	                            SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
	                            NULL, sql_name_key, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(DB(ctx), "dc_digits", 1,
	                            SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
	                            NULL, sql_digits, NULL, NULL) != SQLITE_OK)
		return db_error(ctx, sqlite3_errcode(DB(ctx)), "opening the database");
	if ((rc = pragma_int(ctx, "PRAGMA application_id", &app)) ||
	    (rc = pragma_int(ctx, "PRAGMA user_version", &ver)) ||
	    (rc = pragma_int(ctx, "SELECT count(*) FROM sqlite_schema", &objects)))
		return rc == DC_EINTERNAL ? dc_error(ctx, DC_EDB, "'%s' is not a dcity database",
		                                     ctx->db_path)
		                          : rc;
	if (app != DC_APPLICATION_ID && (app != 0 || objects != 0))
		return dc_error(ctx, DC_EDB, "'%s' is not a dcity database", ctx->db_path);
	if (ver > dc_schema_version())
		return dc_error(ctx, DC_ESCHEMA,
		                "'%s' has schema version %ld; this program knows up to %ld: upgrade dcity",
		                ctx->db_path, ver, dc_schema_version());
	/* secure_delete: purged personal data must not linger in free pages (dc-case(1) purge). */
	if (sqlite3_exec(DB(ctx),
	                 "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"
	                 "PRAGMA secure_delete = ON; PRAGMA temp_store = FILE",
	                 NULL, NULL, NULL) != SQLITE_OK)
		return db_error(ctx, sqlite3_errcode(DB(ctx)), "opening the database");
	if (flags & SQLITE_OPEN_READONLY)
		return ver == dc_schema_version()
		           ? 0
		           : dc_error(ctx, DC_EDB, "'%s' is not an up-to-date dcity database", ctx->db_path);
	if (objects == 0) {
		/* WAL cannot be switched on inside a transaction; it sticks to the file. */
		sqlite3_exec(DB(ctx), "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
	}
	if (ver < dc_schema_version())
		return migrate(ctx, ver);
	return 0;
}

void
dc_db_config(void)
{
	/* each command is one thread with one connection; fails harmlessly once SQLite is up */
	sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int
dc_db_open(struct dc *ctx)
{
	return open_db(ctx, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
}

int
dc_db_open_readonly(struct dc *ctx)
{
	return open_db(ctx, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
}

/*
 * Prepared statements are kept and reused.  A bulk intake runs the same two dozen statements for
 * every record, and preparing them afresh each time was 60 % of its instructions (callgrind).
 * The cache is keyed by the SQL text, so statements built at run time are found again too; a
 * statement in use is never handed out twice (a nested caller gets a fresh one), and when the
 * cache is full an idle entry makes room, round robin.
 */
#define DC_STMT_CACHE 64

struct dc_stmt_cache {
	struct {
		struct dc_stmt *st;
		const char *text; /* the SQL as the caller gave it, looked for first by address */
		unsigned long hash;
		int busy;
	} slot[DC_STMT_CACHE];
	int n, next;
};

static const char *
stmt_sql(struct dc_stmt *st)
{
	return on_pg ? dc_pgdb_sql(PST(st)) : sqlite3_sql(ST(st));
}

static void
stmt_finalize(struct dc_stmt *st)
{
	if (on_pg)
		dc_pgdb_finalize(PST(st));
	else
		sqlite3_finalize(ST(st));
}

int
dc_prepare(struct dc *ctx, struct dc_stmt **st, const char *sql)
{
	struct dc_stmt_cache *c;
	unsigned long h;
	int i, rc;

	if (!ctx->db && (rc = dc_db_open(ctx)))
		return rc;
	if (!ctx->stmts && !(ctx->stmts = calloc(1, sizeof *ctx->stmts)))
		return dc_error(ctx, DC_EINTERNAL, "out of memory");
	c = ctx->stmts;
	/* most SQL is a constant, at the same address every time: comparing it costs less than
	 * hashing it (perf, bulk intake); text built at run time may reuse an address, so the
	 * text is compared all the same */
	for (i = 0; i < c->n; i++)
		if (c->slot[i].text == sql && !c->slot[i].busy &&
		    strcmp(stmt_sql(c->slot[i].st), sql) == 0) {
			c->slot[i].busy = 1;
			*st = c->slot[i].st;
			return 0;
		}
	h = dc_hash(sql, DC_HASH_SEED);
	for (i = 0; i < c->n; i++)
		if (c->slot[i].hash == h && !c->slot[i].busy &&
		    strcmp(stmt_sql(c->slot[i].st), sql) == 0) {
			c->slot[i].busy = 1;
			c->slot[i].text = sql;
			*st = c->slot[i].st;
			return 0;
		}
	if (on_pg) {
		if ((rc = dc_pgdb_prepare(ctx, sql, (struct dc_pgst **)st)))
			return rc;
	} else if ((rc = sqlite3_prepare_v3(DB(ctx), sql, -1, SQLITE_PREPARE_PERSISTENT,
	                                    (sqlite3_stmt **)st, NULL)) != SQLITE_OK)
		return db_error(ctx, rc, "preparing a statement");
	if (c->n < DC_STMT_CACHE)
		i = c->n++;
	else {
		for (i = 0; i < DC_STMT_CACHE && c->slot[(c->next + i) % DC_STMT_CACHE].busy; i++)
			;
		if (i == DC_STMT_CACHE)
			return 0; /* every entry in use: this one stays uncached */
		i = (c->next + i) % DC_STMT_CACHE;
		c->next = (i + 1) % DC_STMT_CACHE;
		stmt_finalize(c->slot[i].st);
	}
	c->slot[i].st = *st;
	c->slot[i].text = sql;
	c->slot[i].hash = h;
	c->slot[i].busy = 1;
	return 0;
}

void
dc_finish(struct dc *ctx, struct dc_stmt *st)
{
	struct dc_stmt_cache *c = ctx->stmts;
	int i;

	if (!st)
		return;
	for (i = 0; c && i < c->n; i++)
		if (c->slot[i].st == st) {
			/* reset ends the statement's read of the database, as finalize would */
			dc_reset(st);
			dc_clear_bindings(st);
			c->slot[i].busy = 0;
			return;
		}
	stmt_finalize(st);
}

void
dc_stmt_cache_free(struct dc *ctx)
{
	int i;

	if (!ctx->stmts)
		return;
	for (i = 0; i < ctx->stmts->n; i++)
		stmt_finalize(ctx->stmts->slot[i].st);
	free(ctx->stmts);
	ctx->stmts = NULL;
}

int
dc_step(struct dc *ctx, struct dc_stmt *st)
{
	int rc;

	if (on_pg)
		return dc_pgdb_step(ctx, PST(st));
	rc = sqlite3_step(ST(st));

	if (rc == SQLITE_ROW)
		return DC_ROW;
	if (rc == SQLITE_DONE)
		return 0;
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return dc_error(ctx, DC_ECONFLICT, "%s", sqlite3_errmsg(DB(ctx)));
	return db_error(ctx, rc, "database");
}

int
dc_exec(struct dc *ctx, const char *sql, int nparam, ...)
{
	struct dc_stmt *st = NULL;
	va_list ap;
	int i, rc;

	if ((rc = dc_prepare(ctx, &st, sql)))
		return rc;
	va_start(ap, nparam);
	for (i = 1; i <= nparam; i++)
		dc_bind_text(st, i, va_arg(ap, const char *));
	va_end(ap);
	while ((rc = dc_step(ctx, st)) == DC_ROW)
		;
	dc_finish(ctx, st);
	return rc;
}

/* Roll back whatever is open, when it cannot matter whether that works. */
static void
rollback(struct dc *ctx)
{
	if (on_pg) {
		int err = ctx->err;

		dc_exec(ctx, "ROLLBACK", 0);
		ctx->err = err;
	} else
		sqlite3_exec(DB(ctx), "ROLLBACK", NULL, NULL, NULL);
}

int
dc_tx_split(struct dc *ctx, const char *leave, const char *enter, int pause_us)
{
	struct timespec pause = {0, (long)pause_us * 1000};
	int rc;

	if (ctx->dry_run || ctx->intx == 0)
		return 0;
	ctx->txgen++;
	if (leave && (rc = dc_exec(ctx, leave, 0)))
		return rc;
	if ((rc = dc_exec(ctx, "COMMIT", 0))) {
		rollback(ctx);
		return rc;
	}
	if (pause_us)
		nanosleep(&pause, NULL);
	/* dc_tx_end rolls back (nothing) if this fails: the parts committed stay */
	if ((rc = dc_exec(ctx, "BEGIN IMMEDIATE", 0)) || (enter && (rc = dc_exec(ctx, enter, 0))))
		return rc;
	return ctx->record_sp ? dc_savepoint(ctx, "SAVEPOINT") : 0;
}

int
dc_tx_begin(struct dc *ctx)
{
	int rc;

	if (ctx->intx++ > 0)
		return 0;
	ctx->txgen++;
	if ((rc = dc_exec(ctx, "BEGIN IMMEDIATE", 0)))
		ctx->intx = 0;
	return rc;
}

int
dc_tx_end(struct dc *ctx, int rc)
{
	int r;

	if (ctx->intx == 0 || --ctx->intx > 0)
		return rc;
	ctx->txgen++;
	if (rc == 0 && !ctx->dry_run) {
		if ((r = dc_exec(ctx, "COMMIT", 0))) {
			rollback(ctx);
			return r;
		}
		return 0;
	}
	rollback(ctx);
	return rc;
}

int
dc_read_begin(struct dc *ctx, int *began)
{
	int rc;

	*began = 0;
	if (ctx->intx)
		return 0;
	/* a read transaction already (a listing inside report()'s): that one goes on */
	if (ctx->db && (on_pg ? dc_pgdb_in_transaction(ctx) : !sqlite3_get_autocommit(DB(ctx))))
		return 0;
	if (!(rc = dc_exec(ctx, "BEGIN", 0)))
		*began = 1;
	return rc;
}

void
dc_read_end(struct dc *ctx, int began)
{
	/* nothing was written: ending it cannot fail in a way that matters */
	if (!began)
		return;
	if (on_pg) {
		int err = ctx->err;

		dc_exec(ctx, "COMMIT", 0);
		ctx->err = err;
	} else
		sqlite3_exec(DB(ctx), "COMMIT", NULL, NULL, NULL);
}

int
dc_savepoint(struct dc *ctx, const char *verb)
{
	char sql[64];
	int err = ctx->err, rc;

	snprintf(sql, sizeof sql, "%s dc_record", verb);
	if (!strcmp(verb, "ROLLBACK TO"))
		ctx->txgen++;
	/* rolling back must work while an error is pending, so run it with a clean slate */
	ctx->err = 0;
	rc = dc_exec(ctx, sql, 0);
	if (!rc)
		ctx->err = err;
	return rc;
}

int
dc_next_seq(struct dc *ctx, const char *name, long *out)
{
	struct dc_stmt *st = NULL;
	int rc;

	/* within one transaction only this process writes: the value it wrote last is the value
	 * (bulk intake counts 100,000 ids in one; reading each back was 2 % of it: perf) */
	if (ctx->intx && ctx->seq_gen == ctx->txgen && !strcmp(ctx->seq_name, name)) {
		char v[24];

		snprintf(v, sizeof v, "%ld", ctx->seq_value + 1);
		if ((rc = dc_exec(ctx, "UPDATE seq SET value = ?2 WHERE name = ?1", 2, name, v)))
			return rc;
		*out = ++ctx->seq_value;
		return 0;
	}
	/* two statements: RETURNING would build a temporary b-tree each time (SQLite 3.40) */
	if ((rc = dc_exec(ctx, "INSERT INTO seq(name, value) VALUES (?1, 1) "
	                       "ON CONFLICT(name) DO UPDATE SET value = seq.value + 1", 1, name)) ||
	    (rc = dc_prepare(ctx, &st, "SELECT value FROM seq WHERE name = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, name);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		*out = (long)dc_col_int(st, 0);
		rc = 0;
		if (ctx->intx && strlen(name) < sizeof ctx->seq_name) {
			strcpy(ctx->seq_name, name);
			ctx->seq_value = *out;
			ctx->seq_gen = ctx->txgen;
		}
	} else if (rc == 0)
		rc = dc_error(ctx, DC_EINTERNAL, "sequence '%s' returned nothing", name);
	dc_finish(ctx, st);
	return rc;
}

int
dc_must_exist(struct dc *ctx, const char *sql, const char *what, const char *key)
{
	int rc, found;

	if ((rc = dc_exists(ctx, sql, key, &found)))
		return rc;
	return found ? 0 : dc_error(ctx, DC_ENOTFOUND, "no %s '%s'", what, key);
}

int
dc_must_not_exist(struct dc *ctx, const char *sql, const char *what, const char *key)
{
	int rc, found;

	if ((rc = dc_exists(ctx, sql, key, &found)))
		return rc;
	return found ? dc_error(ctx, DC_ECONFLICT, "%s '%s' exists", what, key) : 0;
}

int
dc_exists(struct dc *ctx, const char *sql, const char *key, int *found)
{
	struct dc_stmt *st = NULL;
	int rc;

	*found = 0;
	if ((rc = dc_prepare(ctx, &st, sql)))
		return rc;
	dc_bind_text_ref(st, 1, key);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		*found = 1;
		rc = 0;
	}
	dc_finish(ctx, st);
	return rc;
}

int
dc_step_row(struct dc_stmt *st)
{
	if (on_pg)
		return dc_pgdb_step(NULL, PST(st)) == DC_ROW;
	return sqlite3_step(ST(st)) == SQLITE_ROW;
}

void
dc_reset(struct dc_stmt *st)
{
	if (on_pg)
		dc_pgdb_reset(PST(st));
	else
		sqlite3_reset(ST(st));
}

void
dc_clear_bindings(struct dc_stmt *st)
{
	if (on_pg)
		dc_pgdb_clear(PST(st));
	else
		sqlite3_clear_bindings(ST(st));
}

void
dc_bind_text(struct dc_stmt *st, int i, const char *s)
{
	if (on_pg)
		dc_pgdb_bind(PST(st), i, DC_COL_TEXT, s, -1, 0);
	else
		sqlite3_bind_text(ST(st), i, s, -1, SQLITE_TRANSIENT);
}

void
dc_bind_text_ref(struct dc_stmt *st, int i, const char *s)
{
	if (on_pg)
		dc_pgdb_bind(PST(st), i, DC_COL_TEXT, s, -1, 1);
	else
		sqlite3_bind_text(ST(st), i, s, -1, SQLITE_STATIC);
}

void
dc_bind_textn(struct dc_stmt *st, int i, const char *s, int len)
{
	if (on_pg)
		dc_pgdb_bind(PST(st), i, DC_COL_TEXT, s, len, 0);
	else
		sqlite3_bind_text(ST(st), i, s, len, SQLITE_TRANSIENT);
}

void
dc_bind_blob(struct dc_stmt *st, int i, const void *p, size_t n)
{
	if (on_pg)
		dc_pgdb_bind(PST(st), i, DC_COL_BLOB, p ? p : "", (long)n, 0);
	else
		sqlite3_bind_blob64(ST(st), i, p, (sqlite3_uint64)n, SQLITE_TRANSIENT);
}

void
dc_bind_int(struct dc_stmt *st, int i, long long v)
{
	if (on_pg)
		dc_pgdb_bind_int(PST(st), i, v);
	else
		sqlite3_bind_int64(ST(st), i, v);
}

void
dc_bind_double(struct dc_stmt *st, int i, double v)
{
	if (on_pg)
		dc_pgdb_bind_double(PST(st), i, v);
	else
		sqlite3_bind_double(ST(st), i, v);
}

void
dc_bind_null(struct dc_stmt *st, int i)
{
	if (on_pg)
		dc_pgdb_bind(PST(st), i, DC_COL_NULL, NULL, -1, 0);
	else
		sqlite3_bind_null(ST(st), i);
}

int
dc_param_count(struct dc_stmt *st)
{
	return on_pg ? dc_pgdb_nparam(PST(st)) : sqlite3_bind_parameter_count(ST(st));
}

const char *
dc_col_text(struct dc_stmt *st, int i)
{
	if (on_pg)
		return dc_pgdb_col_text(PST(st), i);
	return (const char *)sqlite3_column_text(ST(st), i);
}

const void *
dc_col_blob(struct dc_stmt *st, int i, size_t *n)
{
	const void *p;

	if (on_pg)
		return dc_pgdb_col_blob(PST(st), i, n);
	p = sqlite3_column_blob(ST(st), i);
	*n = (size_t)sqlite3_column_bytes(ST(st), i);
	return p;
}

long long
dc_col_int(struct dc_stmt *st, int i)
{
	const char *s;

	if (!on_pg)
		return sqlite3_column_int64(ST(st), i);
	s = dc_pgdb_col_text(PST(st), i);
	return s ? strtoll(s, NULL, 10) : 0;
}

double
dc_col_double(struct dc_stmt *st, int i)
{
	const char *s;

	if (!on_pg)
		return sqlite3_column_double(ST(st), i);
	s = dc_pgdb_col_text(PST(st), i);
	return s ? strtod(s, NULL) : 0.0;
}

int
dc_col_null(struct dc_stmt *st, int i)
{
	return dc_col_type(st, i) == DC_COL_NULL;
}

enum dc_coltype
dc_col_type(struct dc_stmt *st, int i)
{
	if (on_pg)
		return dc_pgdb_col_type(PST(st), i);
	switch (sqlite3_column_type(ST(st), i)) {
	case SQLITE_INTEGER:
		return DC_COL_INT;
	case SQLITE_FLOAT:
		return DC_COL_REAL;
	case SQLITE_TEXT:
		return DC_COL_TEXT;
	case SQLITE_BLOB:
		return DC_COL_BLOB;
	default:
		return DC_COL_NULL;
	}
}

int
dc_col_count(struct dc_stmt *st)
{
	return on_pg ? dc_pgdb_col_count(PST(st)) : sqlite3_column_count(ST(st));
}

const char *
dc_col_name(struct dc_stmt *st, int i)
{
	return on_pg ? dc_pgdb_col_name(PST(st), i) : sqlite3_column_name(ST(st), i);
}

long long
dc_changes(struct dc *ctx)
{
	return on_pg ? dc_pgdb_changes(ctx) : sqlite3_changes(DB(ctx));
}

long long
dc_last_id(struct dc *ctx)
{
	return on_pg ? dc_pgdb_last_id(ctx) : sqlite3_last_insert_rowid(DB(ctx));
}

/*
 * A user's query (dc-export sql) reads and computes, nothing else.  sqlite3_stmt_readonly
 * alone lets ATTACH, DETACH, BEGIN and some PRAGMAs through, and any function: the authorizer
 * allows SELECT, reading columns, recursive common table expressions and the plain functions
 * below, and denies the rest while the statement is prepared (and prepared again after a
 * schema change).  Left out on purpose: fts3_tokenizer() and fts5() (they hand out and take
 * code addresses), load_extension(), and randomblob() and zeroblob() (a gigabyte in one call).
 */
static const char *const query_functions[] = {
	/* core */
	"abs", "changes", "char", "coalesce", "format", "glob", "hex", "ifnull", "iif", "instr",
	"last_insert_rowid", "length", "like", "likelihood", "likely", "lower", "ltrim", "max",
	"min", "nullif", "printf", "quote", "random", "replace", "round", "rtrim", "sign",
	"soundex", "sqlite_version", "substr", "substring", "total_changes", "trim", "typeof",
	"unicode", "unlikely", "upper",
	/* date and time */
	"current_date", "current_time", "current_timestamp", "date", "datetime", "julianday",
	"strftime", "time", "unixepoch",
	/* aggregates and windows */
	"avg", "count", "group_concat", "sum", "total", "cume_dist", "dense_rank", "first_value",
	"lag", "last_value", "lead", "nth_value", "ntile", "percent_rank", "rank", "row_number",
	/* mathematics */
	"acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "ceiling", "cos",
	"cosh", "degrees", "exp", "floor", "ln", "log", "log10", "log2", "mod", "pi", "pow",
	"power", "radians", "sin", "sinh", "sqrt", "tan", "tanh", "trunc",
	/* JSON */
	"->", "->>", "json", "json_array", "json_array_length", "json_extract",
	"json_group_array", "json_group_object", "json_insert", "json_object", "json_patch",
	"json_quote", "json_remove", "json_replace", "json_set", "json_type", "json_valid",
	/* full-text search in the catalog and shop tables */
	"match", "bm25", "highlight", "snippet",
	NULL,
};
/* PRAGMAs that only describe: the schema (also as pragma_table_info(...)), and the one a
 * full-text index runs when it opens. */
static const char *const query_pragmas[] = {
	"data_version", "foreign_key_list", "index_info", "index_list", "index_xinfo",
	"table_info", "table_xinfo", NULL,
};

static int
query_auth(void *arg, int action, const char *a, const char *b, const char *db, const char *in)
{
	struct dc *ctx = arg;
	int i;

	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_UPDATE:
		/* a virtual table (json_each, a full-text index) declaring its columns */
		if (!sqlite3_stricmp(a, "sqlite_master"))
			return SQLITE_OK;
		break;
	case SQLITE_FUNCTION:
		for (i = 0; query_functions[i]; i++)
			if (!sqlite3_stricmp(b, query_functions[i]))
				return SQLITE_OK;
		dc_error(ctx, DC_EPERM, "permission denied: sql exports may not call %s()", b);
		return SQLITE_DENY;
	case SQLITE_PRAGMA:
		for (i = 0; query_pragmas[i]; i++)
			if (!sqlite3_stricmp(a, query_pragmas[i]))
				return SQLITE_OK;
		dc_error(ctx, DC_EPERM, "permission denied: sql exports may not run PRAGMA %s", a);
		return SQLITE_DENY;
	case SQLITE_ATTACH:
	case SQLITE_DETACH:
		dc_error(ctx, DC_EPERM, "permission denied: sql exports may not attach databases");
		return SQLITE_DENY;
	}
	dc_error(ctx, DC_EPERM, "permission denied: sql exports are read-only");
	return SQLITE_DENY;
}

int
dc_prepare_query(struct dc *ctx, struct dc_stmt **out, const char *sql)
{
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	int rc;

	*out = NULL;
	if (!ctx->db && (rc = dc_db_open(ctx)))
		return rc;
	if (on_pg)
		return dc_pgdb_prepare_query(ctx, sql, query_functions, (struct dc_pgst **)out);
	/* the connection stays locked down: it serves this one query (a second call finds
	 * the authorizer of the first in place) */
	sqlite3_set_authorizer(DB(ctx), NULL, NULL);
	if ((rc = sqlite3_exec(DB(ctx), "PRAGMA query_only = ON", NULL, NULL, NULL)) != SQLITE_OK)
		return db_error(ctx, rc, "opening the database");
	sqlite3_db_config(DB(ctx), SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_set_authorizer(DB(ctx), query_auth, ctx);
	if (sqlite3_prepare_v2(DB(ctx), sql, -1, &st, &tail) != SQLITE_OK)
		return dc_error(ctx, DC_EDATA, "sql: %s", sqlite3_errmsg(DB(ctx)));
	if (!st)
		return dc_error(ctx, DC_EUSAGE, "sql: no statement");
	if (tail && tail[strspn(tail, " \t\r\n;")])
		rc = dc_error(ctx, DC_EUSAGE, "sql: one statement only");
	else if (!sqlite3_stmt_readonly(st))
		rc = dc_error(ctx, DC_EPERM, "permission denied: sql exports are read-only");
	else {
		*out = (struct dc_stmt *)st;
		return 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- maintenance ---- */

const char *
dc_db_engine(void)
{
	static char v[32];

	snprintf(v, sizeof v, "sqlite %s", sqlite3_libversion());
	return v;
}

void
dc_db_close(struct dc *ctx)
{
	dc_stmt_cache_free(ctx);
	if (on_pg)
		dc_pgdb_close(ctx);
	else if (ctx->db)
		sqlite3_close_v2(DB(ctx));
	ctx->db = NULL;
}

void
dc_db_read_replica(struct dc *ctx)
{
	const char *r = getenv("DC_DB_READ");

	if (ctx->db || !r || !*r || !dc_db_is_pg(r) || !dc_db_is_pg(ctx->db_path))
		return;
	free(ctx->db_path);
	ctx->db_path = dc_strdup(r);
}

int
dc_db_cache(struct dc *ctx, int kib)
{
	char sql[48];

	if (on_pg)
		return 0;
	snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", kib);
	return dc_exec(ctx, sql, 0);
}

int
dc_db_integrity(struct dc *ctx, char **result)
{
	struct dc_stmt *st = NULL;
	int rc;

	*result = NULL;
	if (on_pg)
		return dc_pgdb_integrity(ctx, result);
	if ((rc = dc_prepare(ctx, &st, "PRAGMA integrity_check")))
		return rc;
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		*result = dc_strdup(dc_col_text(st, 0));
		rc = 0;
	}
	dc_finish(ctx, st);
	return rc;
}

long long
dc_db_wal_bytes(struct dc *ctx)
{
	sqlite3_file *wal = NULL;
	sqlite3_int64 size = -1;

	/* through SQLite's open handle: a setgid install cannot open the WAL by name */
	if (on_pg ||
	    sqlite3_file_control(DB(ctx), "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal) !=
	        SQLITE_OK ||
	    !wal || !wal->pMethods || wal->pMethods->xFileSize(wal, &size) != SQLITE_OK)
		return -1;
	return size;
}

int
dc_db_backup(struct dc *ctx, const char *path)
{
	char *tmp = NULL;
	int rc, fd;

	if (access(path, F_OK) == 0)
		return dc_error(ctx, DC_ECANTCREAT, "'%s' exists; will not overwrite it", path);
	/* VACUUM INTO (pg_dump's custom format on PostgreSQL) reads one snapshot, so writers may
	 * go on; rename makes it appear whole.  It writes into the empty file made first, which
	 * holds everyone's personal data: 0600 whatever the umask (dc_file_mode). */
	if ((rc = dc_file_tmp(ctx, path, DC_PRIVATE, &tmp, &fd)))
		return rc;
	close(fd);
	if (on_pg) {
		rc = dc_pgdb_dump(ctx, ctx->db_path, tmp);
	} else if ((rc = dc_exec(ctx, "VACUUM INTO ?1", 1, tmp))) {
		dc_error_clear(ctx); /* the engine's words, said better below */
		rc = dc_error(ctx, DC_ECANTCREAT, "cannot write backup '%s': %s", path,
		              sqlite3_errmsg(DB(ctx)));
	}
	if (rc) {
		unlink(tmp);
	} else if (rename(tmp, path) < 0) {
		unlink(tmp);
		rc = dc_error(ctx, DC_ECANTCREAT, "cannot create '%s': %s", path, strerror(errno));
	}
	free(tmp);
	return rc;
}

void
dc_db_scrub_wal(struct dc *ctx)
{
	if (ctx->dry_run)
		return;
	if (on_pg) {
		dc_pgdb_vacuum(ctx);
		return;
	}
	if (!sqlite3_wal_checkpoint_v2(DB(ctx), NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL))
		return;
	dc_warn(ctx,
	        "warning: could not truncate the write-ahead log (%s): old copies of the removed"
	        " data stay in '%s-wal' until the next purge",
	        sqlite3_errmsg(DB(ctx)), ctx->db_path);
}
