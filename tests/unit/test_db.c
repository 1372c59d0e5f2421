/* Unit tests of the database interface (lib/core/db.c), the table-driven update and the
 * option-name lookup that records and command lines share (lib/core/apply.c, cmd.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/dc.h"

/* A context on a fresh in-memory database with dcity's schema. */
static int
db_setup(void **state)
{
	struct dc *ctx = calloc(1, sizeof *ctx);

	setenv("DC_NOW", "2026-03-02T09:00:00Z", 1);
	if (!ctx || dc_init(ctx, "test"))
		return -1;
	ctx->db_path = dc_strdup(":memory:");
	if (dc_db_open(ctx) ||
	    dc_exec(ctx, "CREATE TABLE t (id TEXT PRIMARY KEY, name TEXT, n INTEGER, x REAL,"
	                 " active INTEGER)", 0))
		return -1;
	*state = ctx;
	return 0;
}

static int
db_teardown(void **state)
{
	dc_free(*state);
	free(*state);
	return 0;
}

static void
test_bind_and_columns(void **state)
{
	struct dc *ctx = *state;
	struct dc_stmt *st = NULL;
	char buf[8] = "copied";

	assert_int_equal(dc_prepare(ctx, &st, "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)"), 0);
	assert_int_equal(dc_param_count(st), 5);
	dc_bind_text_ref(st, 1, "a");
	dc_bind_text(st, 2, buf);
	memcpy(buf, "changed", 8); /* dc_bind_text copied the text */
	dc_bind_int(st, 3, 9000000000LL);
	dc_bind_double(st, 4, 2.5);
	dc_bind_null(st, 5);
	assert_int_equal(dc_step(ctx, st), 0);
	dc_finish(ctx, st);
	assert_int_equal(dc_changes(ctx), 1);
	assert_true(dc_last_id(ctx) > 0);

	st = NULL;
	assert_int_equal(dc_prepare(ctx, &st, "SELECT id, name, n, x, active FROM t"), 0);
	assert_int_equal(dc_step(ctx, st), DC_ROW);
	assert_int_equal(dc_col_count(st), 5);
	assert_string_equal(dc_col_name(st, 1), "name");
	assert_string_equal(dc_col_text(st, 0), "a");
	assert_string_equal(dc_col_text(st, 1), "copied");
	assert_true(dc_col_int(st, 2) == 9000000000LL);
	assert_true(dc_col_double(st, 3) == 2.5);
	assert_true(dc_col_null(st, 4));
	assert_null(dc_col_text(st, 4));
	assert_int_equal(dc_col_type(st, 0), DC_COL_TEXT);
	assert_int_equal(dc_col_type(st, 2), DC_COL_INT);
	assert_int_equal(dc_col_type(st, 3), DC_COL_REAL);
	assert_int_equal(dc_col_type(st, 4), DC_COL_NULL);
	assert_int_equal(dc_step(ctx, st), 0);
	dc_reset(st); /* runs again */
	assert_int_equal(dc_step_row(st), 1);
	dc_finish(ctx, st);
}

static void
test_cache_and_errors(void **state)
{
	struct dc *ctx = *state;
	struct dc_stmt *a = NULL, *b = NULL;

	/* the same SQL text in use twice: two statements; finished, the cached one comes back */
	assert_int_equal(dc_prepare(ctx, &a, "SELECT 1"), 0);
	assert_int_equal(dc_prepare(ctx, &b, "SELECT 1"), 0);
	assert_ptr_not_equal(a, b);
	dc_finish(ctx, b);
	dc_finish(ctx, a);
	b = NULL;
	assert_int_equal(dc_prepare(ctx, &b, "SELECT 1"), 0);
	assert_ptr_equal(a, b);
	dc_finish(ctx, b);
	/* a constraint is a conflict (exit 3), a syntax error an internal error */
	assert_int_equal(dc_exec(ctx, "INSERT INTO t(id) VALUES ('dup')", 0), 0);
	assert_int_equal(dc_exec(ctx, "INSERT INTO t(id) VALUES ('dup')", 0), DC_ECONFLICT);
	ctx->err = 0;
	assert_int_equal(dc_prepare(ctx, &a, "SELEKT"), DC_EINTERNAL);
	ctx->err = 0;
	/* a user's query: one statement that only reads */
	assert_int_equal(dc_prepare_query(ctx, &a, "SELECT 1; SELECT 2"), DC_EUSAGE);
	ctx->err = 0;
	assert_int_equal(dc_prepare_query(ctx, &a, "DELETE FROM t"), DC_EPERM);
	ctx->err = 0;
	assert_int_equal(dc_prepare_query(ctx, &a, "SELECT count(*) FROM t"), 0);
	assert_int_equal(dc_step(ctx, a), DC_ROW);
	dc_finish(ctx, a);
	/* must exist */
	assert_int_equal(dc_must_exist(ctx, "SELECT 1 FROM t WHERE id = ?1", "thing", "dup"), 0);
	assert_int_equal(dc_must_exist(ctx, "SELECT 1 FROM t WHERE id = ?1", "thing", "no"),
	                 DC_ENOTFOUND);
	assert_string_equal(ctx->errmsg, "no thing 'no'");
	dc_error_clear(ctx);
	assert_int_equal(dc_must_not_exist(ctx, "SELECT 1 FROM t WHERE id = ?1", "thing", "no"), 0);
	assert_int_equal(dc_must_not_exist(ctx, "SELECT 1 FROM t WHERE id = ?1", "thing", "dup"),
	                 DC_ECONFLICT);
	assert_string_equal(ctx->errmsg, "thing 'dup' exists");
	dc_error_clear(ctx);
	/* the answer goes through the pointer; the return value is 0 or an error */
	{
		int found = -1;

		assert_int_equal(dc_exists(ctx, "SELECT 1 FROM t WHERE id = ?1", "dup", &found), 0);
		assert_int_equal(found, 1);
		assert_int_equal(dc_exists(ctx, "SELECT 1 FROM t WHERE id = ?1", "no", &found), 0);
		assert_int_equal(found, 0);
		assert_int_equal(dc_exists(ctx, "SELECT 1 FROM nosuch WHERE id = ?1", "x", &found),
		                 DC_EINTERNAL);
		assert_int_equal(found, 0);
		dc_error_clear(ctx);
	}
	/* a row is never an error code, nor an exit status */
	assert_true(DC_ROW < 0);
}

static void
test_set_fields(void **state)
{
	static const struct dc_setfield f[] = {
		{"name", "name", 0}, {"count", "n", 0}, {"active", "active", 1}};
	struct dc *ctx = *state;
	struct dc_args a = {0};
	struct dc_stmt *st = NULL;
	char *note = NULL;

	assert_int_equal(dc_exec(ctx, "INSERT INTO t(id, name, n) VALUES ('s', 'old', 1)", 0), 0);
	/* nothing given: nothing written, no note */
	assert_int_equal(dc_set_fields(ctx, "t", "id", "s", f, 3, &a, &note), 0);
	assert_null(note);
	dc_args_add(&a, "active", "false");
	dc_args_add(&a, "name", "new");
	assert_int_equal(dc_set_fields(ctx, "t", "id", "s", f, 3, &a, &note), 0);
	assert_string_equal(note, "name=new active=false");
	free(note);
	assert_int_equal(dc_prepare(ctx, &st, "SELECT name, n, active FROM t WHERE id = 's'"), 0);
	assert_int_equal(dc_step(ctx, st), DC_ROW);
	assert_string_equal(dc_col_text(st, 0), "new");
	assert_int_equal(dc_col_int(st, 1), 1);
	assert_int_equal(dc_col_int(st, 2), 0);
	dc_finish(ctx, st);
	dc_args_free(&a);
	dc_args_add(&a, "active", "maybe");
	assert_int_equal(dc_set_fields(ctx, "t", "id", "s", f, 3, &a, &note), DC_EDATA);
	assert_string_equal(ctx->errmsg, "field 'active': 'maybe' is not true or false");
	ctx->err = 0;
	dc_args_free(&a);
}

static void
test_opts_find(void **state)
{
	char canon[64];
	int takes, repeats;

	assert_true(dc_opts_find("name= vat-id= attr=* public", "vat_id", canon, &takes, &repeats));
	assert_string_equal(canon, "vat-id");
	assert_true(takes && !repeats);
	assert_true(dc_opts_find("name= attr=*", "attr", canon, &takes, &repeats));
	assert_true(takes && repeats);
	assert_true(dc_opts_find("public", "public", canon, &takes, &repeats));
	assert_true(!takes && !repeats);
	assert_true(dc_opts_find("status= department=", "dept", canon, NULL, NULL));
	assert_string_equal(canon, "department");
	assert_true(dc_opts_find("dept= limit=", "department", canon, NULL, NULL));
	assert_string_equal(canon, "dept");
	assert_true(dc_opts_find("attributes.* service=", "attributes.size", canon, NULL, &repeats));
	assert_true(repeats);
	assert_false(dc_opts_find("name=", "nam", canon, NULL, NULL));
	assert_false(dc_opts_allow("dept=", "department", NULL)); /* only under its own name */
}

/* dc_fold() in C and the views of schemas/sql/0009-vendor-files.sql fold alike, also where the
 * order of schema 9's replace() passes shows. */
static void
test_fold(void **state)
{
	static const char *const words[] = {
	    "Größe", "GROESSE", "grosse", "Straße", "STRASSE", "Müller", "Mueller", "MÜLLSÄCKE",
	    "Äe", "aoee", "aee", "oae", "sss", "ßs", "sßs", "ẞ", "GROẞ", "Queue", "Übergröße",
	    "Éclair ñ", "Ä", "ä", "ue", "", "-ss-", "a\xc3", "\xc3\x9f" "e", "ÖÖÖ", "uUe",
	};
	static const char *const want[] = {"grose", "grose", "grose", "strase", "strase"};
	struct dc *ctx = *state;
	struct dc_stmt *st = NULL;
	size_t i;
	char *f;

	assert_int_equal(dc_exec(ctx, "INSERT INTO vendor(id, name, created_at)"
	                              " VALUES ('v', 'V', '2026-03-02T09:00:00Z')", 0), 0);
	assert_int_equal(dc_prepare(ctx, &st, "INSERT INTO catalog_item(vendor, sku, name,"
	                                      " updated_at) VALUES ('v', ?1, ?1, '')"), 0);
	for (i = 0; i < sizeof words / sizeof *words; i++) {
		dc_reset(st);
		dc_bind_text_ref(st, 1, words[i]);
		assert_int_equal(dc_step(ctx, st), 0);
	}
	dc_finish(ctx, st);
	st = NULL;
	assert_int_equal(dc_prepare(ctx, &st, "SELECT i.name, f.name, dc_fold(i.name)"
	                                      " FROM catalog_item i JOIN catalog_fold f USING (id)"
	                                      " ORDER BY i.id"), 0);
	for (i = 0; dc_step(ctx, st) == DC_ROW; i++) {
		f = dc_fold(dc_col_text(st, 0), strlen(dc_col_text(st, 0)));
		assert_string_equal(f, dc_col_text(st, 1));
		assert_string_equal(f, dc_col_text(st, 2));
		if (i < sizeof want / sizeof *want)
			assert_string_equal(f, want[i]);
		free(f);
	}
	assert_int_equal(i, sizeof words / sizeof *words);
	dc_finish(ctx, st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bind_and_columns, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(test_cache_and_errors, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(test_set_fields, db_setup, db_teardown),
		cmocka_unit_test(test_opts_find),
		cmocka_unit_test_setup_teardown(test_fold, db_setup, db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
