/* Unit tests of the typed input specs and the query builder (lib/core/spec.c): decoding into
 * a typed struct, what is a usage error and what bad data, usage lines, and listings' SQL
 * built from the filters given. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/dc.h"

struct rec {
	const char *service, *status, *name;
	long limit, day;
	double lat;
	long long price;
	int open, active;
};

static const struct dc_opt spec[] = {
    {"service", DC_V_TEXT, DC_O_REQUIRED, NULL, "C", NULL, "c.service = ?",
     DC_AT(struct rec, service)},
    {"status", DC_V_ENUM, DC_O_LIST, "new open closed", "S", NULL, "c.status IN (?)",
     DC_AT(struct rec, status)},
    {"name", DC_V_TEXT, 0, NULL, "N", "reporter.name", NULL, DC_AT(struct rec, name)},
    {"limit", DC_V_INT, 0, "0..100", "N", NULL, NULL, DC_AT(struct rec, limit)},
    {"since", DC_V_DATE, 0, NULL, "DATE", NULL, "c.day >= ?", DC_AT(struct rec, day)},
    {"lat", DC_V_NUM, 0, NULL, "X", NULL, NULL, DC_AT(struct rec, lat)},
    {"price", DC_V_MONEY, 0, NULL, "EUR", NULL, "c.price <= ?", DC_AT(struct rec, price)},
    {"open", DC_V_FLAG, 0, NULL, NULL, NULL, "c.closed IS NULL", DC_AT(struct rec, open)},
    {"active", DC_V_BOOL, 0, NULL, NULL, NULL, NULL, DC_AT(struct rec, active)},
    {"attr", DC_V_TEXT, DC_O_REPEAT, NULL, "CODE=VALUE", NULL, NULL, DC_NOFIELD},
    {NULL},
};

static int
setup(void **state)
{
	struct dc *ctx = calloc(1, sizeof *ctx);

	setenv("DC_NOW", "2026-03-02T09:00:00Z", 1);
	if (!ctx || dc_init(ctx, "test"))
		return -1;
	*state = ctx;
	return 0;
}

static int
teardown(void **state)
{
	dc_free(*state);
	free(*state);
	return 0;
}

static struct dc_args
args(const char *const *kv)
{
	struct dc_args a = {0};

	for (; *kv; kv += 2)
		dc_args_add(&a, kv[0], kv[1]);
	return a;
}

static void
test_decode_types(void **state)
{
	struct dc *ctx = *state;
	struct rec r;
	struct dc_args a = args((const char *[]){
	    "service", "pothole", "status",     "new,closed", "reporter.name", "Ada",   "limit",
	    "7",       "since",   "1970-01-11", "lat",        "52.5",          "price", "12,50",
	    "open",    "1",       "attr",       "a=1",        "attr",          "b=2",   NULL});

	memset(&r, 0x55, sizeof r);
	assert_int_equal(dc_decode(ctx, spec, &a, &r), 0);
	assert_string_equal(r.service, "pothole");
	assert_string_equal(r.status, "new,closed");
	assert_string_equal(r.name, "Ada"); /* by its alias */
	assert_int_equal(r.limit, 7);
	assert_int_equal(r.day, 10);
	assert_true(r.lat == 52.5);
	assert_int_equal(r.price, 1250);
	assert_int_equal(r.open, 1);
	assert_int_equal(r.active, -1); /* not given */
	dc_args_free(&a);

	/* what is not given is unset, never left over */
	a = args((const char *[]){"service", "x", NULL});
	assert_int_equal(dc_decode(ctx, spec, &a, &r), 0);
	assert_null(r.status);
	assert_true(r.limit == DC_UNSET && r.day == DC_UNSET && r.price == DC_UNSET);
	assert_true(isnan(r.lat));
	assert_int_equal(r.open, 0);
	dc_args_free(&a);
}

/* Each bad value names its field and what is wrong; on the command line it is a usage error
 * (64), in a record from a file bad data (65). */
static void
test_decode_errors(void **state)
{
	static const struct {
		const char *key, *val, *msg;
	} bad[] = {
	    {"status", "neu", "field 'status': 'neu' is not one of new, open or closed"},
	    {"status", "new,opne", "field 'status': 'opne' is not one of new, open or closed"},
	    {"limit", "101", "field 'limit': '101' is not a whole number from 0 to 100"},
	    {"limit", "7x", "field 'limit': '7x' is not a whole number from 0 to 100"},
	    {"since", "2026-13-01", "field 'since': '2026-13-01' is not a date (YYYY-MM-DD)"},
	    {"lat", "north", "field 'lat': 'north' is not a number"},
	    {"lat", "inf", "field 'lat': 'inf' is not a number"},
	    {"price", "abc", "field 'price': 'abc' is not an amount in euros (12.50)"},
	    {"active", "maybe", "field 'active': 'maybe' is not true or false"},
	};
	struct dc *ctx = *state;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct dc_args a =
		    args((const char *[]){"service", "x", bad[i].key, bad[i].val, NULL});

		ctx->err = 0;
		assert_int_equal(dc_decode(ctx, spec, &a, NULL), DC_EUSAGE);
		assert_string_equal(ctx->errmsg, bad[i].msg);
		ctx->err = 0;
		ctx->cursrc = dc_strdup("cases.csv");
		assert_int_equal(dc_decode(ctx, spec, &a, NULL), DC_EDATA);
		free(ctx->cursrc);
		ctx->cursrc = NULL;
		dc_args_free(&a);
	}
	{
		struct dc_args a = args((const char *[]){"name", "x", NULL});

		ctx->err = 0;
		assert_int_equal(dc_decode(ctx, spec, &a, NULL), DC_EUSAGE);
		assert_string_equal(ctx->errmsg, "field 'service' is required");
		dc_args_free(&a);
		a = args((const char *[]){"service", "a", "service", "b", NULL});
		ctx->err = 0;
		assert_int_equal(dc_decode(ctx, spec, &a, NULL), DC_EUSAGE);
		assert_string_equal(ctx->errmsg, "field 'service': one value expected, not a list");
		dc_args_free(&a);
	}
	ctx->err = 0;
}

/* A number's range; and the command line of a verb whose records may come from a file is
 * checked for its values only, not for the required fields. */
static void
test_range_and_check(void **state)
{
	static const struct dc_opt geo[] = {
	    {"service", DC_V_TEXT, DC_O_REQUIRED, NULL, "C", NULL, NULL, DC_NOFIELD},
	    {"lat", DC_V_NUM, 0, "-90..90", "X", NULL, NULL, DC_NOFIELD},
	    {NULL},
	};
	struct dc *ctx = *state;
	struct dc_args a = args((const char *[]){"lat", "-90", NULL});

	assert_int_equal(dc_spec_check(ctx, geo, &a), 0);
	assert_int_equal(dc_decode(ctx, geo, &a, NULL), DC_EUSAGE);
	assert_string_equal(ctx->errmsg, "field 'service' is required");
	dc_error_clear(ctx);
	assert_int_equal(ctx->err, 0);
	assert_string_equal(ctx->errmsg, "");
	dc_args_free(&a);
	a = args((const char *[]){"lat", "90.5", NULL});
	assert_int_equal(dc_spec_check(ctx, geo, &a), DC_EUSAGE);
	assert_string_equal(ctx->errmsg, "field 'lat': '90.5' is not a number from -90 to 90");
	dc_error_clear(ctx);
	dc_args_free(&a);
	/* an empty value: checked on the command line, a field not given in a CSV record */
	a = args((const char *[]){"status", "", NULL});
	assert_int_equal(dc_spec_check(ctx, spec, &a), DC_EUSAGE);
	assert_string_equal(ctx->errmsg, "field 'status': '' is not one of new, open or closed");
	dc_error_clear(ctx);
	ctx->cursrc = dc_strdup("x.csv");
	assert_int_equal(dc_spec_check(ctx, spec, &a), 0);
	free(ctx->cursrc);
	ctx->cursrc = NULL;
	dc_args_free(&a);
	a = args((const char *[]){"limit", "1e3", NULL});
	assert_int_equal(dc_spec_check(ctx, spec, &a), DC_EUSAGE);
	assert_string_equal(ctx->errmsg, "field 'limit': '1e3' is not a whole number from 0 to 100");
	dc_error_clear(ctx);
	dc_args_free(&a);
}

static void
test_spec_text(void **state)
{
	char *s = dc_spec_opts(spec, 0);

	assert_string_equal(s, "service= status= name= limit= since= lat= price= open active= "
	                       "attr=*");
	free(s);
	s = dc_spec_opts(spec, 1);
	assert_non_null(strstr(s, "name= reporter.name= "));
	free(s);
	s = dc_spec_usage(spec);
	assert_string_equal(s, "--service C [--status S[,S]] [--name N] [--limit N] [--since DATE] "
	                       "[--lat X] [--price EUR] [--open] [--active true|false] "
	                       "[--attr CODE=VALUE ...]");
	free(s);
	assert_ptr_equal(dc_spec_find(spec, "reporter.name"), &spec[2]);
	assert_null(dc_spec_find(spec, "nope"));
}

/* The query holds exactly the conditions given, each value a parameter in order. */
static void
test_query(void **state)
{
	struct dc *ctx = *state;
	struct dc_args a = args((const char *[]){"service", "it's", "status", "new,closed", "price",
	                                         "3.20", "open", "1", NULL});
	struct dc_q q = {0};

	dc_q_text(&q, "SELECT ?", "now");
	dc_q_sql(&q, " FROM c");
	assert_int_equal(dc_q_where_spec(ctx, &q, spec, &a), 0);
	dc_q_where_if(&q, "c.x = ? OR c.y = ?", "v");
	dc_q_where_if(&q, "c.never = ?", NULL);
	dc_q_int(&q, " LIMIT ?", 5);
	assert_string_equal(q.sql,
	                    "SELECT ?1 FROM c WHERE (c.service = ?2) AND (c.status IN (?3, ?4))"
	                    " AND (c.price <= ?5) AND (c.closed IS NULL)"
	                    " AND (c.x = ?6 OR c.y = ?6) LIMIT ?7");
	assert_int_equal(q.np, 7);
	assert_string_equal(q.p[1].text, "it's"); /* a parameter, never pasted */
	assert_string_equal(q.p[2].text, "new");
	assert_string_equal(q.p[3].text, "closed");
	assert_true(q.p[4].is_int && q.p[4].num == 320);
	assert_true(q.p[6].is_int && q.p[6].num == 5);
	dc_q_free(&q);
	dc_args_free(&a);

	/* a parameter that constant SQL names by number comes first */
	assert_int_equal(dc_q_param(&q, "now"), 1);
	dc_q_sql(&q, "SELECT ?1 FROM c");
	dc_q_where_if(&q, "a = ?", "x");
	assert_string_equal(q.sql, "SELECT ?1 FROM c WHERE (a = ?2)");
	dc_q_free(&q);

	/* no filter, no WHERE; a flag given as false adds nothing */
	a = args((const char *[]){"open", "false", NULL});
	dc_q_sql(&q, "SELECT 1 FROM c");
	assert_int_equal(dc_q_where_spec(ctx, &q, spec, &a), 0);
	assert_string_equal(q.sql, "SELECT 1 FROM c");
	dc_q_free(&q);
	dc_args_free(&a);
}

/* The built statement runs: parameters bound in order, on a real database. */
static void
test_query_runs(void **state)
{
	struct dc *ctx = *state;
	struct dc_args a = args((const char *[]){"status", "new,open", NULL});
	struct dc_stmt *st = NULL;
	struct dc_q q = {0};
	int n = 0;

	ctx->db_path = dc_strdup(":memory:");
	assert_int_equal(dc_db_open(ctx), 0);
	assert_int_equal(dc_exec(ctx,
	                         "CREATE TABLE c (id TEXT, status TEXT, service TEXT,"
	                         " price INTEGER, closed TEXT, day INTEGER)",
	                         0),
	                 0);
	assert_int_equal(dc_exec(ctx,
	                         "INSERT INTO c(id, status) VALUES ('a', 'new'), ('b', 'open'),"
	                         " ('c', 'closed')",
	                         0),
	                 0);
	dc_q_sql(&q, "SELECT id FROM c");
	assert_int_equal(dc_q_where_spec(ctx, &q, spec, &a), 0);
	dc_q_sql(&q, " ORDER BY id");
	assert_int_equal(dc_q_prepare(ctx, &q, &st), 0);
	assert_null(q.sql); /* dc_q_prepare frees the builder */
	while (dc_step(ctx, st) == DC_ROW)
		assert_string_equal(dc_col_text(st, 0), n++ ? "b" : "a");
	assert_int_equal(n, 2);
	dc_finish(ctx, st);
	dc_args_free(&a);

	/* the common listing: one by key, or filtered; a bad filter value prepares nothing */
	assert_int_equal(dc_q_list(ctx, &st, "SELECT id FROM c", "id = ?", "c", NULL, NULL,
	                           " ORDER BY id"),
	                 0);
	assert_int_equal(dc_step(ctx, st), DC_ROW);
	assert_string_equal(dc_col_text(st, 0), "c");
	assert_int_equal(dc_step(ctx, st), 0);
	dc_finish(ctx, st);
	a = args((const char *[]){"status", "nope", NULL});
	st = NULL;
	assert_int_equal(dc_q_list(ctx, &st, "SELECT id FROM c", "id = ?", NULL, spec, &a,
	                           " ORDER BY id"),
	                 DC_EUSAGE);
	assert_null(st);
	dc_error_clear(ctx);
	dc_args_free(&a);

	/* each SELECT of a UNION opens its own WHERE */
	dc_q_sql(&q, "SELECT id FROM c");
	dc_q_where_if(&q, "status = ?", "new");
	dc_q_select(&q, " UNION ALL SELECT id FROM c");
	dc_q_where_if(&q, "status = ?", "closed");
	assert_string_equal(q.sql, "SELECT id FROM c WHERE (status = ?1) UNION ALL SELECT id FROM c"
	                           " WHERE (status = ?2)");
	assert_int_equal(dc_q_prepare(ctx, &q, &st), 0);
	for (n = 0; dc_step(ctx, st) == DC_ROW; n++)
		;
	assert_int_equal(n, 2);
	dc_finish(ctx, st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_decode_types, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_decode_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_range_and_check, setup, teardown),
	    cmocka_unit_test(test_spec_text),
	    cmocka_unit_test_setup_teardown(test_query, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_query_runs, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
