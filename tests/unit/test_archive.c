/* Unit tests of lib/archive: the UUIDs of the xdomea messages and the one rule of what may be
 * destroyed (dc_archive_may_destroy), which purge applies as SQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "archive/internal.h"

/* A context on a fresh in-memory database with dcity's schema, one service and one case. */
static int
db_setup(void **state)
{
	struct dc *ctx = calloc(1, sizeof *ctx);

	setenv("DC_NOW", "2026-03-02T09:00:00Z", 1);
	if (!ctx || dc_init(ctx, "test"))
		return -1;
	ctx->db_path = dc_strdup(":memory:");
	if (dc_db_open(ctx) ||
	    dc_exec(ctx, "INSERT INTO service(code, name, kind, created_at)"
	                 " VALUES ('pothole', 'Schlagloch', 'report', '2026-01-01T00:00:00Z')",
	            0) ||
	    dc_exec(ctx, "INSERT INTO cases(id, service, status, created_at, updated_at, closed_at)"
	                 " VALUES ('2026-000001', 'pothole', 'closed', '2026-01-02T00:00:00Z',"
	                 " '2026-01-03T00:00:00Z', '2026-01-03T00:00:00Z')",
	            0))
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
assert_uuid(const char *u, char version)
{
	size_t i;

	assert_int_equal(strlen(u), 36);
	for (i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(u[i], '-');
		else
			assert_non_null(strchr("0123456789abcdef", u[i]));
	assert_int_equal(u[14], version);
	assert_non_null(strchr("89ab", u[19]));
}

static void
test_uuid(void **state)
{
	char a[37], b[37], c[37], d[37];

	dc_archive_uuid(a);
	dc_archive_uuid(b);
	assert_uuid(a, '4');
	assert_uuid(b, '4');
	assert_string_not_equal(a, b);
	/* derived ones: the same for the same record and part, another for another part */
	dc_archive_uuid_of(a, "vorgang", c);
	dc_archive_uuid_of(a, "vorgang", d);
	assert_uuid(c, '8');
	assert_string_equal(c, d);
	dc_archive_uuid_of(a, "record", d);
	assert_string_not_equal(c, d);
	dc_archive_uuid_of(b, "vorgang", d);
	assert_string_not_equal(c, d);
}

/* dc_archive_may_destroy for the case, with its service's POLICY and its archive record in
 * STAGE with APPRAISAL (STAGE NULL: none): *ok, and why not. */
static int
may(struct dc *ctx, const char *policy, const char *stage, const char *appraisal,
    const char **why)
{
	int ok = -1;

	assert_int_equal(dc_exec(ctx, "UPDATE service SET archive = ?1", 1, policy), 0);
	assert_int_equal(dc_exec(ctx, "DELETE FROM archive_record", 0), 0);
	if (stage)
		assert_int_equal(
		    dc_exec(ctx,
		            "INSERT INTO archive_record(entity, ref, uuid, process, stage,"
		            " appraisal, offered_at)"
		            " VALUES ('case', '2026-000001', 'u', 'p', ?1, ?2, 'x')",
		            2, stage, appraisal),
		    0);
	assert_int_equal(dc_archive_may_destroy(ctx, "case", "2026-000001", &ok, why), 0);
	assert_true(ok == 0 || ok == 1);
	assert_true(ok ? *why == NULL : *why != NULL);
	return ok;
}

static void
test_may_destroy(void **state)
{
	struct dc *ctx = *state;
	const char *why;
	int ok;

	assert_false(may(ctx, "offer", NULL, NULL, &why));
	assert_string_equal(why, "not yet offered to the archive");
	assert_false(may(ctx, "offer", "offered", NULL, &why));
	assert_string_equal(why, "offered to the archive, awaiting its appraisal");
	assert_false(may(ctx, "offer", "offer_received", NULL, &why));
	assert_false(may(ctx, "offer", "appraised", "A", &why));
	assert_string_equal(why, "appraised archivwürdig, awaiting the hand-over");
	assert_false(may(ctx, "offer", "handed_over", "A", &why));
	assert_false(may(ctx, "offer", "received", "A", &why));
	assert_string_equal(why, "handed over to the archive, awaiting its import");
	assert_true(may(ctx, "offer", "appraised", "V", &why));
	assert_true(may(ctx, "offer", "imported", "A", &why));
	/* destroy needs no offer, but a record in the exchange waits for it all the same */
	assert_true(may(ctx, "destroy", NULL, NULL, &why));
	assert_false(may(ctx, "destroy", "offered", NULL, &why));
	/* keep wins over everything */
	assert_false(may(ctx, "keep", NULL, NULL, &why));
	assert_string_equal(why, "kept for the archive (policy keep)");
	assert_false(may(ctx, "keep", "imported", "A", &why));

	/* shop orders and procurement files: the settings */
	assert_int_equal(dc_archive_may_destroy(ctx, "shop_order", "S-2026-000001", &ok, &why), 0);
	assert_false(ok);
	assert_int_equal(dc_setting_set(ctx, "archive.shop_order", "destroy"), 0);
	assert_int_equal(dc_archive_may_destroy(ctx, "shop_order", "S-2026-000001", &ok, &why), 0);
	assert_true(ok);
	assert_int_equal(dc_setting_set(ctx, "archive.procurement", "keep"), 0);
	assert_int_equal(dc_archive_may_destroy(ctx, "order", "PO-2026-000001", &ok, &why), 0);
	assert_false(ok);
	assert_string_equal(why, "kept for the archive (policy keep)");

	assert_int_equal(dc_archive_may_destroy(ctx, "case", "2026-999999", &ok, &why),
	                 DC_ENOTFOUND);
	dc_error_clear(ctx);
	assert_int_equal(dc_archive_may_destroy(ctx, "member", "x", &ok, &why), DC_EINTERNAL);
	dc_error_clear(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uuid),
		cmocka_unit_test_setup_teardown(test_may_destroy, db_setup, db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
