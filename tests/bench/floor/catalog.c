/*
 * The engine's floor for a catalog import (make bench; tests/bench/run, issue 18): the rows
 * `dc-order catalog import FILE --vendor V` writes for a CSV catalog into an empty one, written
 * the way `sqlite3 .import` would and then indexed in one statement — the items with prepared
 * statements in one transaction, their first price periods and their search entries with one
 * statement each, with dcity's own folding (dc_fold from lib/core, registered as dcity's
 * connections register it) and the same FTS5 table and tokenizer.  Nothing else: no checks
 * of the values beyond what the columns need, no import log, no audit event, no versions.
 *
 *   floor/catalog DB CSV VENDOR NOW
 *
 * DB is a dcity database (the same state dcity's run starts from), CSV has the columns of
 * tests/bench/gen.py (sku,name,unit,price,vat,category,gtin,description), NOW the
 * updated_at of every item.  Prints the number of items written.
 */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "core/dc.h"

#define NCOL 8

struct row {
	sqlite3_stmt *ins;
	char *v[NCOL];
	size_t len[NCOL];
	int col;
	long line, n;
	int err;
};

static void
fold(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	char *f;

	(void)argc;
	if (!s) {
		sqlite3_result_null(c);
		return;
	}
	f = dc_fold(s, (size_t)sqlite3_value_bytes(argv[0]));
	sqlite3_result_text(c, f, -1, free);
}

static void
field(void *s, size_t len, void *arg)
{
	struct row *r = arg;

	if (r->col < NCOL) {
		free(r->v[r->col]);
		r->v[r->col] = malloc(len + 1);
		memcpy(r->v[r->col], s, len);
		r->v[r->col][len] = '\0';
		r->len[r->col] = len;
	}
	r->col++;
}

static void
text(sqlite3_stmt *st, int i, struct row *r, int col)
{
	if (r->len[col])
		sqlite3_bind_text(st, i, r->v[col], (int)r->len[col], SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* sku, name, unit, price (ten-thousandths), vat, category, gtin, description */
static void
record(int c, void *arg)
{
	struct row *r = arg;
	sqlite3_stmt *st = r->ins;

	(void)c;
	if (r->line++ == 0 || r->err) {
		r->col = 0;
		return;
	}
	sqlite3_reset(st);
	text(st, 2, r, 0);
	text(st, 3, r, 1);
	text(st, 4, r, 2);
	sqlite3_bind_int64(st, 5, (long long)(strtod(r->v[3], NULL) * 10000 + 0.5));
	sqlite3_bind_double(st, 6, strtod(r->v[4], NULL));
	text(st, 7, r, 5);
	text(st, 8, r, 6);
	text(st, 9, r, 7);
	if (sqlite3_step(st) != SQLITE_DONE)
		r->err = 1;
	else
		r->n++;
	r->col = 0;
}

int
main(int argc, char **argv)
{
	struct csv_parser p;
	struct row r = {0};
	sqlite3 *db = NULL;
	char buf[65536], *err = NULL;
	size_t n;
	FILE *fp;
	int rc = 1;

	if (argc != 5) {
		fprintf(stderr, "usage: floor/catalog DB CSV VENDOR NOW\n");
		return 64;
	}
	if (!(fp = fopen(argv[2], "rb")) || sqlite3_open(argv[1], &db) != SQLITE_OK ||
	    csv_init(&p, CSV_APPEND_NULL) != 0)
		goto done;
	sqlite3_create_function(db, "dc_fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, fold,
	                        NULL, NULL);
	if (sqlite3_exec(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"
	                     " PRAGMA secure_delete = ON; PRAGMA temp_store = FILE;"
	                     " BEGIN IMMEDIATE; UPDATE catalog_fts_defer SET deferred = 1",
	                 NULL, NULL, &err) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO catalog_item(vendor, sku, name, unit, price, vat,"
	                           " category, gtin, description, updated_at, on_request)"
	                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0)",
	                       -1, &r.ins, NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_text(r.ins, 1, argv[3], -1, SQLITE_STATIC);
	sqlite3_bind_text(r.ins, 10, argv[4], -1, SQLITE_STATIC);
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0 && !r.err)
		if (csv_parse(&p, buf, n, field, record, &r) != n)
			r.err = 1;
	csv_fini(&p, field, record, &r);
	if (r.err)
		goto done;
	sqlite3_finalize(r.ins);
	r.ins = NULL;
	if (sqlite3_exec(db,
	                 "INSERT INTO price_history(item, price, currency, valid_from, import)"
	                 " SELECT id, price, currency, substr(updated_at, 1, 10), NULL"
	                 " FROM catalog_item ORDER BY id;"
	                 "INSERT INTO catalog_fts(rowid, name, description, category, sku, gtin,"
	                 " search_text) SELECT id, dc_fold(name), dc_fold(description),"
	                 " dc_fold(category), dc_fold(sku), gtin, dc_fold(search_text)"
	                 " FROM catalog_item ORDER BY id;"
	                 "UPDATE catalog_fts_defer SET deferred = 0; COMMIT",
	                 NULL, NULL, &err) != SQLITE_OK)
		goto done;
	printf("%ld\n", r.n);
	rc = 0;
done:
	if (rc)
		fprintf(stderr, "floor/catalog: %s\n", err ? err : db ? sqlite3_errmsg(db) : "open");
	sqlite3_free(err);
	sqlite3_finalize(r.ins);
	sqlite3_close(db);
	for (int i = 0; i < NCOL; i++)
		free(r.v[i]);
	csv_free(&p);
	if (fp)
		fclose(fp);
	return rc;
}
