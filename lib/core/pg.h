/* PostgreSQL through libpq (pg.c): what lib/core's PostgreSQL code shares; not part of the
 * commands' interface, which names no libpq type (dc.h). */
#ifndef DC_PG_H
#define DC_PG_H

#include "core/dc.h"
#include "core/pqlib.h"

/* Connect to URL (libpq loaded first: exit 78 without it); NOTICEs silenced. */
int dc_pg_connect(struct dc *ctx, const char *url, PGconn **out);
/* The error of result R (cleared) or of the connection, said with WHAT, as dcity's exit
 * status. */
int dc_pg_fail(struct dc *ctx, PGconn *c, PGresult *r, const char *what);
/* Run SQL whose rows nobody wants. */
int dc_pg_run(struct dc *ctx, PGconn *c, const char *sql, const char *what);
/* The one value SQL selects, as a number. */
int dc_pg_count(struct dc *ctx, PGconn *c, const char *sql, long long *out);
/* Make or change the schema one process at a time: two first runs at once would both find
 * the database empty.  For the rest of the transaction. */
int dc_pg_lock(struct dc *ctx, PGconn *c);
/* How many tables the database's schema (current_schema()) has. */
int dc_pg_tables(struct dc *ctx, PGconn *c, long long *n);
/* Its schema version must be this program's (exit 78). */
int dc_pg_version_check(struct dc *ctx, PGconn *c);
/* Bring the database (in a transaction) to this program's schema: all of schemas/pg into an
 * empty one, the twin migrations newer than its dc_meta.user_version into a dcity database;
 * *from is the version it had (0: empty).  Exit 78 for a newer one, 69 for a foreign one. */
int dc_pg_schema_up(struct dc *ctx, PGconn *c, long *from);
/* The audit chain, as dc_audit_verify, read through a cursor (inside a transaction). */
int dc_pg_verify(struct dc *ctx, PGconn *c, long *bad_id, long *checked);

#endif
