/*
 * The engine's floor for a write that dcity measures (tests/bench/run): write exactly the rows
 * the dcity operation wrote, with prepared statements in one transaction, into a copy of the
 * database that dcity's run started from, with the connection set up as dcity sets up its own
 * (lib/core/db.c).  What dcity does besides writing those rows (reading and checking its
 * input, routing, the SLA, the hash chain, the templates, printing what it made) is not here,
 * so dcity's time over this program's is what dcity costs above the engine.
 *
 *   floor DB ROWS
 *
 * ROWS is made by tests/bench/run from the difference between the database before and after
 * dcity's run (rows added, columns changed), in dcity's order, as fields ended by NUL bytes:
 *
 *   S SQL              a statement, numbered from 0 in the order given
 *   R K V1 ... Vn      one execution of statement K with its n parameters; each value is
 *                      its type ('-' NULL, 'i' integer, 'r' real, 't' text) and its text
 *
 * This is a bench tool, not part of dcity: it names SQLite directly (scripts/check-layers
 * reads lib/ and cmd/ only).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#define MAXSTMT 64
#define MAXPARAM 64

struct field {
	char *buf;
	size_t cap;
	ssize_t len;
};

static const char *rows_path;
static long rows_read;

static void
die(const char *what, const char *detail)
{
	fprintf(stderr, "floor: %s: %s (after %ld rows)\n", what, detail, rows_read);
	exit(1);
}

static void
dbdie(sqlite3 *db, const char *what)
{
	die(what, sqlite3_errmsg(db));
}

/* The next field of ROWS into f; 0 at the end of the file. */
static int
next(FILE *fp, struct field *f)
{
	f->len = getdelim(&f->buf, &f->cap, '\0', fp);
	if (f->len < 0) {
		if (ferror(fp))
			die(rows_path, strerror(errno));
		return 0;
	}
	f->len--; /* the NUL */
	return 1;
}

static void
need(FILE *fp, struct field *f)
{
	if (!next(fp, f))
		die(rows_path, "ends inside a record");
}

int
main(int argc, char **argv)
{
	static struct field v[MAXPARAM];
	sqlite3_stmt *st[MAXSTMT];
	struct field tag = {0}, k = {0};
	int nst = 0, i;
	sqlite3 *db;
	FILE *fp;

	if (argc != 3) {
		fprintf(stderr, "usage: floor DB ROWS\n");
		return 64;
	}
	rows_path = argv[2];
	if (!(fp = fopen(rows_path, "rb")))
		die(rows_path, strerror(errno));
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		dbdie(db, argv[1]);
	/* the connection as lib/core/db.c opens dcity's */
	if (sqlite3_exec(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"
	                     " PRAGMA secure_delete = ON; PRAGMA temp_store = FILE;"
	                     " BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		dbdie(db, "set-up");
	while (next(fp, &tag)) {
		if (!strcmp(tag.buf, "S")) {
			need(fp, &k);
			if (nst == MAXSTMT)
				die(rows_path, "too many statements");
			if (sqlite3_prepare_v3(db, k.buf, (int)k.len, SQLITE_PREPARE_PERSISTENT,
			                       &st[nst], NULL) != SQLITE_OK)
				dbdie(db, k.buf);
			if (sqlite3_bind_parameter_count(st[nst]) > MAXPARAM)
				die(k.buf, "too many parameters");
			nst++;
			continue;
		}
		if (strcmp(tag.buf, "R"))
			die(rows_path, "a record is neither S nor R");
		need(fp, &k);
		int s = atoi(k.buf), n;

		if (s < 0 || s >= nst)
			die(rows_path, "no such statement");
		n = sqlite3_bind_parameter_count(st[s]);
		for (i = 0; i < n; i++) {
			struct field *f = &v[i];
			const char *t;

			need(fp, f);
			t = f->buf + 1;
			switch (f->buf[0]) {
			case '-':
				sqlite3_bind_null(st[s], i + 1);
				break;
			case 'i':
				sqlite3_bind_int64(st[s], i + 1, strtoll(t, NULL, 10));
				break;
			case 'r':
				sqlite3_bind_double(st[s], i + 1, strtod(t, NULL));
				break;
			case 't':
				sqlite3_bind_text(st[s], i + 1, t, (int)f->len - 1, SQLITE_STATIC);
				break;
			default:
				die(rows_path, "a value of unknown type");
			}
		}
		if (sqlite3_step(st[s]) != SQLITE_DONE)
			dbdie(db, sqlite3_sql(st[s]));
		if (sqlite3_changes(db) != 1)
			die(sqlite3_sql(st[s]), "did not change exactly one row");
		sqlite3_reset(st[s]);
		rows_read++;
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		dbdie(db, "COMMIT");
	for (i = 0; i < nst; i++)
		sqlite3_finalize(st[i]);
	if (sqlite3_close(db) != SQLITE_OK)
		dbdie(db, "close");
	printf("%ld rows\n", rows_read);
	return 0;
}
