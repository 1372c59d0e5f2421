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

	snprintf(msg, sizeof msg, "%s", r ? PQresultErrorMessage(r) : PQerrorMessage(c));
	msg[strcspn(msg, "\n")] = '\0';
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


/* The acting login's role in the city of C (its staff table), as dc_whoami finds it in a
 * SQLite city. */
static int
whoami(struct dc *ctx, PGconn *c)
{
	const char *p[1];
	PGresult *r;
	int rc;

	if (ctx->roles_loaded)
		return 0;
	if ((rc = dc_actor(ctx)))
		return rc;
	p[0] = ctx->actor;
	r = PQexecParams(c, DC_ROLE_SQL, 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		return dc_pg_fail(ctx, c, r, "staff");
	dc_role_set(ctx,
	            !strcmp(PQgetvalue(r, 0, 2), "t") ? "admin"
	            : PQgetisnull(r, 0, 0)            ? ""
	                                              : PQgetvalue(r, 0, 0),
	            PQgetisnull(r, 0, 1) ? NULL : PQgetvalue(r, 0, 1));
	PQclear(r);
	return 0;
}

/* The indexes, by amcheck's bt_index_check where the extension is installed: *ok, and what
 * was checked or why not into DETAIL. */
static int
check_indexes(struct dc *ctx, PGconn *c, int *ok, char **detail)
{
	long long have, n;
	PGresult *r;
	int rc;

	*ok = 1;
	if ((rc = dc_pg_count(ctx, c,
	                      "SELECT count(*) FROM pg_extension WHERE extname = 'amcheck'",
	                      &have)))
		return rc;
	if (!have) {
		*detail = dc_strdup("amcheck is not installed in this database:"
		                    " indexes not checked");
		return 0;
	}
	/* a savepoint: a corrupt index raises an error, which must not end the transaction */
	if ((rc = dc_pg_run(ctx, c, "SAVEPOINT dc_amcheck", "amcheck")))
		return rc;
	r = PQexec(c, "SELECT count(bt_index_check(i.indexrelid)) FROM pg_index i"
	              " JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_am a ON a.oid = x.relam"
	              " JOIN pg_namespace s ON s.oid = x.relnamespace WHERE a.amname = 'btree'"
	              " AND s.nspname = current_schema() AND i.indisvalid AND i.indisready");
	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		*detail = dc_printf("%lld indexes checked (amcheck)", n);
	} else {
		char msg[512];

		snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(r));
		msg[strcspn(msg, "\n")] = '\0';
		*ok = 0;
		*detail = dc_printf("amcheck: %s", msg);
	}
	PQclear(r);
	return dc_pg_run(ctx, c, "ROLLBACK TO SAVEPOINT dc_amcheck", "amcheck");
}

int
dc_pg_check(struct dc *ctx, const char *url, const struct dc_rectype *rt)
{
	PGconn *c = NULL;
	char *idx = NULL, *chain = NULL;
	const char *vals[3];
	long bad = 0, checked = 0;
	int rc, ok = 1;

	if ((rc = dc_pg_connect(ctx, url, &c)) ||
	    (rc = dc_pg_run(ctx, c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "begin")) ||
	    (rc = dc_pg_version_check(ctx, c)) || (rc = whoami(ctx, c)) ||
	    (rc = check_indexes(ctx, c, &ok, &idx)) ||
	    (rc = dc_pg_verify(ctx, c, &bad, &checked)))
		goto done;
	chain = bad ? dc_printf("event %ld breaks the hash chain", bad)
	            : dc_printf("%ld events verified", checked);
	if ((rc = dc_out_begin(ctx, rt)))
		goto done;
	vals[0] = "integrity", vals[1] = ok ? "1" : "0", vals[2] = idx;
	if ((rc = dc_out_row(ctx, vals)))
		goto done;
	vals[0] = "audit-chain", vals[1] = bad ? "0" : "1", vals[2] = chain;
	if (!(rc = dc_out_row(ctx, vals)) && !(rc = dc_out_end(ctx)) && (!ok || bad))
		rc = DC_EPROBLEM;
done:
	if (c)
		PQfinish(c);
	free(idx);
	free(chain);
	return rc;
}

int
dc_pg_backup(struct dc *ctx, const char *url, const char *path)
{
	PGconn *c = NULL;
	pid_t pid;
	int rc, status;

	/* pg_dump runs without the group and would need the password, which its user could
	 * then read in its environment */
	if (dc_priv_db(NULL))
		return dc_error(ctx, DC_EPERM,
		                "the setgid install does not back up a PostgreSQL city: run pg_dump"
		                " as the database's owner (dcity(7))");
	if ((rc = dc_pg_connect(ctx, url, &c)) || (rc = whoami(ctx, c)) ||
	    (rc = dc_require(ctx, "auditor", "make backups"))) {
		if (c)
			PQfinish(c);
		return rc;
	}
	PQfinish(c);
	if (!access(path, F_OK))
		return dc_error(ctx, DC_ECANTCREAT, "'%s' exists", path);
	fflush(NULL);
	if ((pid = fork()) < 0)
		return dc_error(ctx, DC_EINTERNAL, "cannot start pg_dump: %s", strerror(errno));
	if (pid == 0) {
		/* the dump holds the citizens' data: for its owner only */
		umask(077);
		if (dc_priv_drop(1) < 0)
			_exit(126);
		execlp("pg_dump", "pg_dump", "--format=custom", "--no-password", "--file", path,
		       "--dbname", url, (char *)NULL);
		_exit(errno == ENOENT ? 127 : 126);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return dc_error(ctx, DC_EINTERNAL, "pg_dump: %s", strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	unlink(path);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return dc_error(ctx, DC_EDB,
		                "pg_dump is not installed (Debian: postgresql-client): no backup");
	return dc_error(ctx, DC_EIO, "pg_dump failed (%s %d): no backup",
	                WIFEXITED(status) ? "exit" : "signal",
	                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
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
