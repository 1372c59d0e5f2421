/*
 * PostgreSQL through libpq, for what runs there so far (docs/postgresql.md): connecting,
 * errors as dcity's exit statuses, the role of the acting login, the audit chain's check
 * (dc migrate, dc check) and backups with pg_dump (dc backup).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/dc.h"
#include "core/pg.h"
#include "core/pgdb.h"

static void
quiet(void *arg, const char *message)
{
	(void)arg, (void)message; /* NOTICEs (an extension that exists) are not the user's */
}

/* The error of result R (or of the connection), as dcity's exit code (dc_pgdb_code). */
int
dc_pg_fail(struct dc *ctx, PGconn *c, PGresult *r, const char *what)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	char msg[512];
	int code = r ? dc_pgdb_code(state) : DC_EDB;

	dc_pgdb_message(r, c, msg, sizeof msg);
	if (r)
		PQclear(r);
	return dc_error(ctx, code, "PostgreSQL: %s: %s", what, msg);
}

/* Run SQL whose rows nobody wants. */
int
dc_pg_run(struct dc *ctx, PGconn *c, const char *sql, const char *what)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType s = PQresultStatus(r);

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		return dc_pg_fail(ctx, c, r, what);
	PQclear(r);
	return 0;
}

/* The one value SQL selects, as a number. */
int
dc_pg_count(struct dc *ctx, PGconn *c, const char *sql, long long *out)
{
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		return dc_pg_fail(ctx, c, r, sql);
	*out = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return 0;
}

int
dc_pg_connect(struct dc *ctx, const char *url, PGconn **out)
{
	PGconn *c;

	*out = NULL;
	if (dc_lazy_open(&dc_pq_lib) < 0)
		return dc_error(ctx, DC_ESCHEMA, "PostgreSQL: %s", dc_pq_lib.err);
	c = dc_pgdb_connectdb(url);
	if (PQstatus(c) != CONNECTION_OK) {
		int rc = dc_pg_fail(ctx, c, NULL, "cannot connect");

		PQfinish(c);
		return rc;
	}
	PQsetNoticeProcessor(c, quiet, NULL);
	*out = c;
	return 0;
}

/* Its schema version, which must be this program's. */
int
dc_pg_version_check(struct dc *ctx, PGconn *c)
{
	long long v;
	int rc;

	if ((rc = dc_pg_count(ctx, c, "SELECT user_version FROM dc_meta", &v)))
		return rc;
	if (v != dc_schema_version())
		return dc_error(ctx, DC_ESCHEMA,
		                "the PostgreSQL database has schema version %lld, this program %ld",
		                v, dc_schema_version());
	return 0;
}

struct pgwalk {
	struct dc *ctx;
	PGconn *c;
};

static int
pg_purged_later(void *arg, const char *entity, const char *ref, const char *id, int *later)
{
	struct pgwalk *w = arg;
	const char *p[3] = {entity, ref, id};
	PGresult *r = PQexecParams(w->c,
	                           "SELECT 1 FROM event WHERE entity = $1 AND ref = $2"
	                           " AND kind = 'purged' AND id > $3 LIMIT 1",
	                           3, NULL, p, NULL, NULL, 0);

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return dc_pg_fail(w->ctx, w->c, r, "the audit trail");
	*later = PQntuples(r) > 0;
	PQclear(r);
	return 0;
}

/* The audit chain of the PostgreSQL database, read through a cursor (constant memory). */
int
dc_pg_verify(struct dc *ctx, PGconn *c, long *bad_id, long *checked)
{
	struct pgwalk pw = {ctx, c};
	struct dc_audit_walk w = {pg_purged_later, &pw, "", 0};
	int rc;

	*bad_id = 0;
	if ((rc = dc_pg_run(ctx, c,
	                    "DECLARE dc_chain NO SCROLL CURSOR FOR SELECT " DC_AUDIT_COLUMNS
	                    " FROM event ORDER BY id",
	                    "the audit trail")))
		return rc;
	while (!*bad_id) {
		PGresult *r = PQexec(c, "FETCH FORWARD 10000 FROM dc_chain");
		int n, i;

		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			return dc_pg_fail(ctx, c, r, "the audit trail");
		if (!(n = PQntuples(r))) {
			PQclear(r);
			break;
		}
		for (i = 0; i < n && !*bad_id && !rc; i++) {
			const char *col[DC_AUDIT_NCOLUMNS];

			for (int k = 0; k < DC_AUDIT_NCOLUMNS; k++)
				col[k] = PQgetisnull(r, i, k) ? NULL : PQgetvalue(r, i, k);
			rc = dc_audit_check(&w, col, bad_id);
		}
		PQclear(r);
		if (rc)
			return rc;
	}
	*checked = w.checked;
	return dc_pg_run(ctx, c, "CLOSE dc_chain", "the audit trail");
}


int
dc_pg_lock(struct dc *ctx, PGconn *c)
{
	/* dcity's application id as the key; held until the transaction ends */
	return dc_pg_run(ctx, c, "SELECT pg_advisory_xact_lock(1145260372)", "schema lock");
}

int
dc_pg_tables(struct dc *ctx, PGconn *c, long long *n)
{
	return dc_pg_count(ctx, c,
	                   "SELECT count(*) FROM pg_catalog.pg_tables"
	                   " WHERE schemaname = current_schema()",
	                   n);
}

int
dc_pg_schema_up(struct dc *ctx, PGconn *c, long *from)
{
	long long tables, meta, v = 0;
	int rc;

	*from = 0;
	if ((rc = dc_pg_lock(ctx, c)) ||
	    (rc = dc_pg_tables(ctx, c, &tables)) ||
	    (rc = dc_pg_count(ctx, c,
	                      "SELECT count(*) FROM pg_catalog.pg_tables"
	                      " WHERE schemaname = current_schema()"
	                      " AND tablename = 'dc_meta'",
	                      &meta)))
		return rc;
	if (tables && !meta)
		return dc_error(ctx, DC_EDB, "the PostgreSQL database is not a dcity database");
	if (meta && (rc = dc_pg_count(ctx, c, "SELECT user_version FROM dc_meta", &v)))
		return rc;
	if (v > dc_schema_version())
		return dc_error(ctx, DC_ESCHEMA,
		                "the PostgreSQL database has schema version %lld; this program"
		                " knows up to %ld: upgrade dcity",
		                v, dc_schema_version());
	/* the baseline (13) into an empty database, then every twin migration after it */
	for (const struct dc_blob *s = dc_pg_schema; s->name && !rc; s++)
		if (strtol(s->name, NULL, 10) > v)
			rc = dc_pg_run(ctx, c, s->text, s->name);
	*from = (long)v;
	return rc ? rc : dc_pg_version_check(ctx, c);
}

int
dc_pg_init(struct dc *ctx, const char *url)
{
	PGconn *c = NULL;
	long from;
	int rc;

	if ((rc = dc_pg_connect(ctx, url, &c)))
		return rc;
	if (!(rc = dc_pg_run(ctx, c, "BEGIN", "begin")) &&
	    !(rc = dc_pg_schema_up(ctx, c, &from)) && !(rc = dc_pg_run(ctx, c, "COMMIT", "commit")))
		fprintf(stderr, "%s: the PostgreSQL database is ready (schema %ld%s)\n", ctx->prog,
		        dc_schema_version(),
		        !from ? ", made"
		        : from < dc_schema_version() ? ", migrated"
		                                    : "");
	PQfinish(c);
	return rc;
}
