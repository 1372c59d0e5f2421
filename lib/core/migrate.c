/*
 * dc migrate (dc(1), docs/postgresql.md): a whole city from its SQLite file into an empty
 * PostgreSQL database, or from PostgreSQL back into a new SQLite file.  Everything is written
 * in one transaction on the target, then the target's row counts and its audit chain are
 * verified, and only then committed; the source is only read (SQLite opened read-only,
 * PostgreSQL in a read-only snapshot).
 *
 * The tables are SQLite's own minus its FTS5 tables and their shadows: on both engines the
 * search index is filled by triggers on the items, so it is rebuilt by the copy.  They are
 * copied parents first (by their foreign keys), rows as COPY's text format: SQLite's integers
 * and texts as they are, reals with 17 digits (exact), blobs as bytea's \x hex.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dc.h"
#include "core/pg.h"

struct mtable {
	char *name;
	char **col;
	int ncol;
	unsigned char *blob; /* col[i] holds BLOBs */
	long long rows;      /* copied */
};

struct mplan {
	struct mtable *t;
	int n;
};

static void
plan_free(struct mplan *p)
{
	for (int i = 0; i < p->n; i++) {
		for (int j = 0; j < p->t[i].ncol; j++)
			free(p->t[i].col[j]);
		free(p->t[i].col);
		free(p->t[i].blob);
		free(p->t[i].name);
	}
	free(p->t);
	p->t = NULL;
	p->n = 0;
}

/* A name the schema gave: letters, digits and '_' only, so that quoting it is enough. */
static int
plain_name(const char *s)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";

	return *s && !s[strspn(s, ok)];
}

/* The tables of the SQLite database and their columns, parents before children. */
static int
plan_read(struct dc *ctx, struct mplan *p)
{
	struct dc_stmt *st = NULL, *cs = NULL;
	char **deps = NULL;
	int *done = NULL, i, rc, left;

	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT t.name, (SELECT group_concat(f.\"table\", ' ') FROM"
	                     " (SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(t.name)"
	                     " WHERE \"table\" <> t.name) f) FROM sqlite_master t"
	                     " WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
	                     " AND t.sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND NOT EXISTS (SELECT 1"
	                     " FROM sqlite_master v WHERE v.type = 'table'"
	                     " AND v.sql LIKE 'CREATE VIRTUAL TABLE%'"
	                     " AND t.name IN (v.name || '_config', v.name || '_content',"
	                     " v.name || '_data', v.name || '_docsize', v.name || '_idx'))"
	                     " ORDER BY t.name")))
		return rc;
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		struct mtable *t;

		if (!(p->t = realloc(p->t, sizeof *p->t * (size_t)(p->n + 1))) ||
		    !(deps = realloc(deps, sizeof *deps * (size_t)(p->n + 1))))
			abort();
		t = &p->t[p->n];
		memset(t, 0, sizeof *t);
		t->name = dc_strdup(dc_col_text(st, 0));
		deps[p->n++] = dc_printf(" %s ", dc_col_null(st, 1) ? "" : dc_col_text(st, 1));
		if (!plain_name(t->name)) {
			rc = dc_error(ctx, DC_EINTERNAL, "table name '%s' is not plain", t->name);
			break;
		}
	}
	dc_finish(ctx, st);
	if (rc)
		goto done;
	for (i = 0; i < p->n && !rc; i++) {
		struct mtable *t = &p->t[i];

		if ((rc = dc_prepare(ctx, &cs, "SELECT name, upper(type) FROM pragma_table_info(?1)"
		                               " ORDER BY cid")))
			break;
		dc_bind_text_ref(cs, 1, t->name);
		while ((rc = dc_step(ctx, cs)) == DC_ROW) {
			if (!(t->col = realloc(t->col, sizeof *t->col * (size_t)(t->ncol + 1))) ||
			    !(t->blob = realloc(t->blob, (size_t)(t->ncol + 1))))
				abort();
			t->col[t->ncol] = dc_strdup(dc_col_text(cs, 0));
			t->blob[t->ncol] = !strcmp(dc_col_text(cs, 1), "BLOB");
			if (!plain_name(t->col[t->ncol++]))
				rc = dc_error(ctx, DC_EINTERNAL, "column name in '%s' is not plain",
				              t->name);
		}
		dc_finish(ctx, cs);
	}
	if (rc)
		goto done;
	/* parents first: done[i] is table i's place in the order, from 1, given once all the
	 * tables it refers to have theirs; passes repeat until every table has one */
	if (!(done = calloc((size_t)p->n + 1, sizeof *done)))
		abort();
	for (left = p->n; left > 0;) {
		int took = 0;

		for (i = 0; i < p->n; i++) {
			int ready = !done[i];

			for (int j = 0; ready && j < p->n; j++) {
				char *key = dc_printf(" %s ", p->t[j].name);

				ready = done[j] || !strstr(deps[i], key);
				free(key);
			}
			if (ready) {
				done[i] = p->n - left + 1;
				left--, took++;
			}
		}
		if (!took) {
			rc = dc_error(ctx, DC_EINTERNAL, "the tables' foreign keys form a cycle");
			goto done;
		}
	}
	{
		struct mtable *sorted = malloc(sizeof *sorted * (size_t)p->n);

		if (!sorted)
			abort();
		for (i = 0; i < p->n; i++)
			sorted[done[i] - 1] = p->t[i];
		free(p->t);
		p->t = sorted;
	}
done:
	for (i = 0; i < p->n; i++)
		free(deps ? deps[i] : NULL);
	free(deps);
	free(done);
	return rc;
}

/* Start COPY of table T's columns COLS in direction DIR ("FROM STDIN", "TO STDOUT"). */
static int
pg_copy_start(struct dc *ctx, PGconn *c, const struct mtable *t, const char *cols,
              const char *dir, ExecStatusType want)
{
	char *sql = dc_printf("COPY \"%s\" (%s) %s", t->name, cols, dir);
	PGresult *r = PQexec(c, sql);

	free(sql);
	if (PQresultStatus(r) != want)
		return dc_pg_fail(ctx, c, r, t->name);
	PQclear(r);
	return 0;
}

/* The results after a COPY's data; RC, or the first error among them. */
static int
pg_copy_end(struct dc *ctx, PGconn *c, const struct mtable *t, int rc)
{
	PGresult *r;

	while ((r = PQgetResult(c))) {
		if (!rc && PQresultStatus(r) != PGRES_COMMAND_OK) {
			rc = dc_pg_fail(ctx, c, r, t->name);
			continue;
		}
		PQclear(r);
	}
	return rc;
}

/* Has every table of P on the target (PostgreSQL C, or SQLite when C is NULL) the rows that
 * were copied into it? */
static int
check_counts(struct dc *ctx, PGconn *c, const struct mplan *p)
{
	for (int i = 0; i < p->n; i++) {
		char *sql = dc_printf("SELECT count(*) FROM \"%s\"", p->t[i].name);
		struct dc_stmt *st = NULL;
		long long n = -1;
		int rc;

		if (c)
			rc = dc_pg_count(ctx, c, sql, &n);
		else if (!(rc = dc_prepare(ctx, &st, sql)) && (rc = dc_step(ctx, st)) == DC_ROW) {
			n = dc_col_int(st, 0);
			rc = 0;
		}
		dc_finish(ctx, st);
		free(sql);
		if (rc)
			return rc;
		if (n != p->t[i].rows)
			return dc_error(ctx, DC_EPROBLEM, "%s: %lld rows copied, %lld arrived",
			                p->t[i].name, p->t[i].rows, n);
	}
	return 0;
}

/* ---- SQLite to PostgreSQL ---------------------------------------------------------------- */

struct buf {
	char *p;
	size_t n, cap;
};

static void
put(struct buf *b, const char *s, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		if (!(b->p = realloc(b->p, b->cap)))
			abort();
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

/* One value in COPY's text format. */
static void
put_value(struct buf *b, struct dc_stmt *st, int i)
{
	static const char hex[] = "0123456789abcdef";
	char num[32];

	switch (dc_col_type(st, i)) {
	case DC_COL_NULL:
		put(b, "\\N", 2);
		return;
	case DC_COL_INT:
		put(b, num, (size_t)snprintf(num, sizeof num, "%lld", dc_col_int(st, i)));
		return;
	case DC_COL_REAL:
		put(b, num, (size_t)snprintf(num, sizeof num, "%.17g", dc_col_double(st, i)));
		return;
	case DC_COL_BLOB: {
		size_t n;
		const unsigned char *p = dc_col_blob(st, i, &n);

		put(b, "\\\\x", 3);
		for (size_t k = 0; k < n; k++) {
			char h[2] = {hex[p[k] >> 4], hex[p[k] & 15]};

			put(b, h, 2);
		}
		return;
	}
	default:
		for (const char *s = dc_col_text(st, i); *s; s++) {
			const char *esc = *s == '\\'   ? "\\\\"
			                  : *s == '\t' ? "\\t"
			                  : *s == '\n' ? "\\n"
			                  : *s == '\r' ? "\\r"
			                               : NULL;

			if (esc)
				put(b, esc, 2);
			else
				put(b, s, 1);
		}
	}
}

/* "a, b, c" of T's columns, quoted */
static char *
col_list(const struct mtable *t)
{
	struct buf b = {0};

	for (int i = 0; i < t->ncol; i++) {
		if (i)
			put(&b, ", ", 2);
		put(&b, "\"", 1);
		put(&b, t->col[i], strlen(t->col[i]));
		put(&b, "\"", 1);
	}
	put(&b, "", 1);
	return b.p;
}

static int
copy_to_pg(struct dc *ctx, PGconn *c, struct mtable *t)
{
	struct dc_stmt *st = NULL;
	struct buf b = {0};
	char *cols = col_list(t), *sql;
	int rc;

	/* what the schema put in (a row of catalog_fts_defer) makes way for the source's */
	sql = dc_printf("DELETE FROM \"%s\"", t->name);
	rc = dc_pg_run(ctx, c, sql, t->name);
	free(sql);
	if (rc || (rc = pg_copy_start(ctx, c, t, cols, "FROM STDIN", PGRES_COPY_IN)))
		goto done;
	sql = dc_printf("SELECT %s FROM \"%s\"", cols, t->name);
	rc = dc_prepare(ctx, &st, sql);
	free(sql);
	while (!rc && (rc = dc_step(ctx, st)) == DC_ROW) {
		rc = 0;
		for (int i = 0; i < t->ncol; i++) {
			if (i)
				put(&b, "\t", 1);
			put_value(&b, st, i);
		}
		put(&b, "\n", 1);
		t->rows++;
		if (b.n >= 1 << 16) {
			if (PQputCopyData(c, b.p, (int)b.n) != 1)
				rc = dc_pg_fail(ctx, c, NULL, t->name);
			b.n = 0;
		}
	}
	dc_finish(ctx, st);
	if (!rc && b.n && PQputCopyData(c, b.p, (int)b.n) != 1)
		rc = dc_pg_fail(ctx, c, NULL, t->name);
	if (PQputCopyEnd(c, rc ? "dc migrate stopped" : NULL) != 1 && !rc)
		rc = dc_pg_fail(ctx, c, NULL, t->name);
	rc = pg_copy_end(ctx, c, t, rc);
done:
	free(b.p);
	free(cols);
	return rc;
}

/* Each identity column's sequence goes on after the largest id copied. */
static int
pg_sequences(struct dc *ctx, PGconn *c)
{
	PGresult *r = PQexec(c, "SELECT table_name, column_name FROM information_schema.columns"
	                        " WHERE table_schema = current_schema() AND is_identity = 'YES'");
	int rc = 0;

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return dc_pg_fail(ctx, c, r, "identity columns");
	for (int i = 0; i < PQntuples(r) && !rc; i++) {
		const char *t = PQgetvalue(r, i, 0), *col = PQgetvalue(r, i, 1);
		char *sql;

		if (!plain_name(t) || !plain_name(col))
			continue;
		sql = dc_printf("SELECT setval(pg_get_serial_sequence('\"%s\"', '%s'),"
		                " coalesce((SELECT max(\"%s\") FROM \"%s\"), 0) + 1, false)",
		                t, col, col, t);
		rc = dc_pg_run(ctx, c, sql, t);
		free(sql);
	}
	PQclear(r);
	return rc;
}

static int
to_pg(struct dc *ctx, const char *url, struct mplan *p, long *events)
{
	PGconn *c = NULL;
	long long tables;
	long bad = 0, from;
	int rc, i;

	if ((rc = dc_db_open_readonly(ctx)) ||
	    (rc = dc_require(ctx, "admin", "migrate the city")) || (rc = plan_read(ctx, p)) ||
	    (rc = dc_pg_connect(ctx, url, &c)))
		goto done;
	/* the whole copy is one transaction: a failure leaves the target as empty as it was */
	if ((rc = dc_pg_run(ctx, c, "BEGIN", "begin")) || (rc = dc_pg_lock(ctx, c)) ||
	    (rc = dc_pg_tables(ctx, c, &tables)))
		goto done;
	if (tables) {
		rc = dc_error(ctx, DC_ECONFLICT,
		              "the PostgreSQL database is not empty (%lld tables): dc migrate"
		              " writes only into an empty one",
		              tables);
		goto done;
	}
	if ((rc = dc_pg_schema_up(ctx, c, &from)))
		goto done;
	/* the source's state as of one moment, while writers may go on */
	if ((rc = dc_exec(ctx, "BEGIN", 0)))
		goto done;
	for (i = 0; i < p->n && !rc; i++)
		rc = copy_to_pg(ctx, c, &p->t[i]);
	dc_exec(ctx, "COMMIT", 0);
	if (rc || (rc = pg_sequences(ctx, c)) || (rc = check_counts(ctx, c, p)) ||
	    (rc = dc_pg_verify(ctx, c, &bad, events)))
		goto done;
	if (bad) {
		rc = dc_error(ctx, DC_EPROBLEM,
		              "the audit chain breaks at event %ld on the target: nothing migrated",
		              bad);
		goto done;
	}
	/* the planner's statistics of the tables, which a copy does not bring along and which
	 * autovacuum gathers only later: without them the first queries on the target picked
	 * the wrong index (the Open311 page of 10,000 cases 262 ms, after ANALYZE 0.4 ms) */
	if (!(rc = dc_pg_run(ctx, c, "ANALYZE", "analyze")))
		rc = dc_pg_run(ctx, c, "COMMIT", "commit");
done:
	if (c) {
		if (rc)
			PQclear(PQexec(c, "ROLLBACK"));
		PQfinish(c);
	}
	return rc;
}

/* ---- PostgreSQL to SQLite ---------------------------------------------------------------- */

/* Undo COPY's text escapes of field S (NUL-terminated in place); *len its length. */
static void
unescape(char *s, size_t *len)
{
	char *o = s;

	for (char *p = s; *p; p++) {
		if (*p != '\\' || !p[1]) {
			*o++ = *p;
			continue;
		}
		switch (*++p) {
		case 't':
			*o++ = '\t';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'v':
			*o++ = '\v';
			break;
		default:
			*o++ = *p;
		}
	}
	*o = '\0';
	*len = (size_t)(o - s);
}

static int
hexval(char h)
{
	return h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : -1;
}

/* One line of COPY TO's text format into ST's parameters. */
static int
bind_line(struct dc *ctx, struct dc_stmt *st, const struct mtable *t, char *line)
{
	char *p = line;

	for (int i = 0; i < t->ncol; i++) {
		char *f = p, *end = strchr(p, i + 1 < t->ncol ? '\t' : '\n');
		size_t n;

		if (!end && i + 1 == t->ncol)
			end = p + strlen(p);
		if (!end)
			return dc_error(ctx, DC_EDATA, "%s: a row with too few fields", t->name);
		*end = '\0';
		p = end + 1;
		if (!strcmp(f, "\\N")) {
			dc_bind_null(st, i + 1);
			continue;
		}
		unescape(f, &n);
		if (t->blob[i]) {
			unsigned char *bytes;
			size_t k;

			if (strncmp(f, "\\x", 2) || (n - 2) % 2)
				return dc_error(ctx, DC_EDATA, "%s.%s: not a bytea in hex", t->name,
				                t->col[i]);
			if (!(bytes = malloc((n - 2) / 2 + 1)))
				abort();
			for (k = 0; k < (n - 2) / 2; k++) {
				int hi = hexval(f[2 + 2 * k]), lo = hexval(f[3 + 2 * k]);

				if (hi < 0 || lo < 0) {
					free(bytes);
					return dc_error(ctx, DC_EDATA, "%s.%s: not a bytea in hex",
					                t->name, t->col[i]);
				}
				bytes[k] = (unsigned char)(hi << 4 | lo);
			}
			dc_bind_blob(st, i + 1, bytes, k);
			free(bytes);
		} else
			dc_bind_textn(st, i + 1, f, (int)n);
	}
	return 0;
}

static int
copy_from_pg(struct dc *ctx, PGconn *c, struct mtable *t)
{
	struct dc_stmt *st = NULL;
	struct buf b = {0};
	char *cols = col_list(t), *sql, *line = NULL;
	int rc, n;

	/* what the migrations put in (a row of catalog_fts_defer, settings) makes way */
	sql = dc_printf("DELETE FROM \"%s\"", t->name);
	rc = dc_exec(ctx, sql, 0);
	free(sql);
	if (rc)
		goto done;
	for (int i = 0; i < t->ncol; i++) {
		char num[16];

		put(&b, i ? ", ?" : "?", i ? 3 : 1);
		put(&b, num, (size_t)snprintf(num, sizeof num, "%d", i + 1));
	}
	put(&b, "", 1);
	sql = dc_printf("INSERT INTO \"%s\" (%s) VALUES (%s)", t->name, cols, b.p);
	rc = dc_prepare(ctx, &st, sql);
	free(sql);
	if (rc || (rc = pg_copy_start(ctx, c, t, cols, "TO STDOUT", PGRES_COPY_OUT)))
		goto done;
	/* one row per call; the rest is drained even after a failure, so the connection stays
	 * usable for the rollback */
	while ((n = PQgetCopyData(c, &line, 0)) > 0) {
		if (!rc && !(rc = bind_line(ctx, st, t, line)) && !(rc = dc_step(ctx, st))) {
			dc_reset(st);
			t->rows++;
		}
		PQfreemem(line);
	}
	if (n == -2 && !rc)
		rc = dc_pg_fail(ctx, c, NULL, t->name);
	rc = pg_copy_end(ctx, c, t, rc);
done:
	dc_finish(ctx, st);
	free(b.p);
	free(cols);
	return rc;
}

static int
to_sqlite(struct dc *ctx, const char *url, const char *path, struct mplan *p, long *events)
{
	PGconn *c = NULL;
	long bad = 0;
	int rc, i, fd, made = 0;

	if ((rc = dc_pg_connect(ctx, url, &c)))
		return rc;
	/* a new file, for its owner only as a backup is: the whole city's personal data */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		rc = errno == EEXIST ? dc_error(ctx, DC_ECONFLICT,
		                                "'%s' exists: dc migrate makes a new file", path)
		                     : dc_error(ctx, DC_ECANTCREAT, "cannot create '%s': %s", path,
		                                strerror(errno));
		goto done;
	}
	close(fd);
	made = 1;
	if ((rc = dc_pg_run(ctx, c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "begin")) ||
	    (rc = dc_pg_version_check(ctx, c)))
		goto done;
	free(ctx->db_path);
	ctx->db_path = dc_strdup(path);
	if ((rc = dc_db_open(ctx)) || (rc = plan_read(ctx, p)) || (rc = dc_tx_begin(ctx)))
		goto done;
	for (i = 0; i < p->n && !rc; i++)
		rc = copy_from_pg(ctx, c, &p->t[i]);
	/* whose city it is says the copy's staff table: an admin of it moves it */
	if (!rc && !(rc = dc_require(ctx, "admin", "migrate the city")) &&
	    !(rc = check_counts(ctx, NULL, p)) && !(rc = dc_audit_verify(ctx, &bad, events)) &&
	    bad)
		rc = dc_error(ctx, DC_EPROBLEM,
		              "the audit chain breaks at event %ld on the target: nothing migrated",
		              bad);
	rc = dc_tx_end(ctx, rc);
done:
	if (c) {
		PQclear(PQexec(c, "ROLLBACK"));
		PQfinish(c);
	}
	if (rc && made) {
		/* nothing half made stays behind */
		dc_db_close(ctx);
		for (const char *const *sfx = (const char *const[]){"", "-wal", "-shm", NULL}; *sfx;
		     sfx++) {
			char *f = dc_printf("%s%s", path, *sfx);

			if (unlink(f) && errno != ENOENT)
				dc_warn(ctx, "warning: cannot remove '%s': %s", f, strerror(errno));
			free(f);
		}
	}
	return rc;
}

/* ---- the verb ---------------------------------------------------------------------------- */

int
dc_migrate(struct dc *ctx, const char *to, const struct dc_rectype *rt)
{
	struct mplan p = {0};
	long events = 0;
	long long rows = 0;
	int rc, i;

	if (dc_db_is_pg(ctx->db_path) == dc_db_is_pg(to))
		return dc_error(ctx, DC_EUSAGE,
		                "--to: migrate goes from SQLite to PostgreSQL or back: give a"
		                " postgresql:// URL for a city in a file, a file for one in"
		                " PostgreSQL");
	rc = dc_db_is_pg(to) ? to_pg(ctx, to, &p, &events)
	                          : to_sqlite(ctx, ctx->db_path, to, &p, &events);
	if (!rc && !(rc = dc_out_begin(ctx, rt))) {
		for (i = 0; i < p.n && !rc; i++) {
			char n[24];
			const char *vals[2] = {p.t[i].name, n};

			snprintf(n, sizeof n, "%lld", p.t[i].rows);
			rows += p.t[i].rows;
			rc = dc_out_row(ctx, vals);
		}
		if (!rc)
			rc = dc_out_end(ctx);
		dc_note(ctx, "%d tables, %lld rows copied; the audit chain of %ld events verified"
		        " on the target",
		        p.n, rows, events);
	}
	plan_free(&p);
	return rc;
}
