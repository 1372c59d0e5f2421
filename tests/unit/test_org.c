/* Unit tests of lib/org: business days across weekends, holidays and the DST change; roles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "org/org.h"

static int
setup(void **state)
{
	struct dc *ctx = calloc(1, sizeof *ctx);
	char path[] = "/tmp/dc-unit-XXXXXX";
	int fd = mkstemp(path);

	close(fd);
	unlink(path);
	dc_init(ctx, "test");
	ctx->db_path = dc_strdup(path);
	if (dc_db_open(ctx))
		return -1;
	*state = ctx;
	return 0;
}

static int
teardown(void **state)
{
	struct dc *ctx = *state;
	char *wal = dc_printf("%s-wal", ctx->db_path), *shm = dc_printf("%s-shm", ctx->db_path);

	unlink(ctx->db_path);
	unlink(wal);
	unlink(shm);
	free(wal);
	free(shm);
	dc_free(ctx);
	free(ctx);
	return 0;
}

static char *
due(struct dc *ctx, const char *date, int sla)
{
	long d, out;
	char buf[21];

	assert_int_equal(dc_parse_date(date, &d), 0);
	assert_int_equal(dc_org_add_business_days(ctx, d, sla, &out), 0);
	dc_fmt_time(dc_local_end_of_day(ctx, out), buf);
	return dc_strdup(buf);
}

/* dcity(7) "Settings", "Time": received Monday 2 March 2026, SLA 5, holiday Wednesday 4 March. */
static void
test_spec_example(void **state)
{
	struct dc *ctx = *state;
	char *s;

	assert_int_equal(dc_exec(ctx, "INSERT INTO holiday VALUES ('2026-03-04', 'Test')", 0), 0);
	s = due(ctx, "2026-03-02", 5);
	assert_string_equal(s, "2026-03-10T22:59:59Z");
	free(s);
}

static void
test_weekend_and_dst(void **state)
{
	struct dc *ctx = *state;
	char *s;

	/* Friday + 1 business day = Monday */
	s = due(ctx, "2026-03-06", 1);
	assert_string_equal(s, "2026-03-09T22:59:59Z");
	free(s);
	/* across the end of summer time (25 October 2026): the end of day is CET again */
	s = due(ctx, "2026-10-23", 2);
	assert_string_equal(s, "2026-10-27T22:59:59Z");
	free(s);
	/* in summer the end of the local day is 21:59:59Z */
	s = due(ctx, "2026-07-01", 0);
	assert_string_equal(s, "2026-07-01T21:59:59Z");
	free(s);
}

/* dcity(7) "Identity and roles": privacy reads where the auditor reads and nowhere else; a login
 * that is no staff, or no longer active, has no role. */
static void
test_roles(void **state)
{
	struct dc *ctx = *state;

	assert_int_equal(dc_exec(ctx, "INSERT INTO dept(code, name, created_at)"
	                              " VALUES ('tiefbau', 'T', '2026-01-01T00:00:00Z')", 0), 0);
	assert_int_equal(dc_exec(ctx, "INSERT INTO staff(login, name, dept, role, active,"
	                              " created_at) VALUES ('root', 'R', NULL, 'admin', 1, ''),"
	                              " ('petra', 'P', NULL, 'privacy', 1, ''),"
	                              " ('ines', 'I', NULL, 'auditor', 1, ''),"
	                              " ('anna', 'A', 'tiefbau', 'clerk', 1, ''),"
	                              " ('alt', 'A', NULL, 'privacy', 0, '')", 0), 0);
	assert_int_equal(dc_act_as(ctx, "petra"), 0);
	assert_true(dc_has_role(ctx, "auditor"));
	assert_true(dc_has_role(ctx, "integrator auditor"));
	assert_true(dc_has_role(ctx, "privacy"));
	assert_true(dc_has_role(ctx, DC_STAFF));
	assert_false(dc_has_role(ctx, "integrator"));
	assert_false(dc_has_role(ctx, "head clerk"));
	assert_false(dc_has_role(ctx, "auditors"));
	assert_false(dc_has_role(ctx, ""));
	assert_false(dc_is_admin(ctx));
	assert_int_equal(dc_act_as(ctx, "ines"), 0);
	assert_true(dc_has_role(ctx, "auditor"));
	assert_false(dc_has_role(ctx, "privacy"));
	assert_int_equal(dc_act_as(ctx, "anna"), 0);
	assert_true(dc_has_role(ctx, DC_STAFF));
	assert_false(dc_has_role(ctx, "auditor"));
	assert_int_equal(dc_act_as(ctx, "alt"), 0);
	assert_false(dc_has_role(ctx, DC_STAFF));
	assert_false(dc_has_role(ctx, "auditor"));
	assert_int_equal(dc_require(ctx, DC_STAFF, "see the staff directory"), DC_EPERM);
	assert_string_equal(ctx->errmsg, "permission denied: 'alt' (not active staff)"
	                                 " may not see the staff directory");
	dc_error_clear(ctx);
	assert_int_equal(dc_act_as(ctx, "zoe"), 0);
	assert_false(dc_has_role(ctx, DC_STAFF));
	assert_int_equal(dc_act_as(ctx, "root"), 0);
	assert_true(dc_has_role(ctx, "privacy"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_spec_example, setup, teardown),
		cmocka_unit_test_setup_teardown(test_weekend_and_dst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
