/* Unit tests of lib/einvoice/validate: the outside validator run with fake validators (fixed
 * SVRL, failures, a hang) and the SVRL read into findings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/dc.h"
#include "einvoice/validate.h"

#define SVRL_HEAD                                                                                  \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                             \
	"<svrl:schematron-output xmlns:svrl=\"http://purl.oclc.org/dsdl/svrl\">\n"
/* EN 16931's and XRechnung's SVRL, cut down: a fatal, a warning, an information-level
 * assertion, a report without a flag and one that is flagged fatal. */
#define SVRL_MIXED                                                                                 \
	SVRL_HEAD                                                                                  \
	"<svrl:fired-rule context=\"/ubl:Invoice\"/>\n"                                            \
	"<svrl:failed-assert test=\"x\" id=\"BR-CO-15\" flag=\"fatal\"\n"                          \
	"    location=\"/*:Invoice[1]\">\n"                                                        \
	"  <svrl:text>[BR-CO-15]-Invoice total amount with VAT (BT-112)\n"                         \
	"     = Invoice total amount without VAT (BT-109) + Invoice total VAT amount."             \
	"</svrl:text>\n"                                                                           \
	"</svrl:failed-assert>\n"                                                                  \
	"<svrl:failed-assert test=\"y\" id=\"BR-DE-TMP-32\" flag=\"warning\" location=\"/a\">"     \
	"<svrl:text>  Schematron &lt;warns&gt;  </svrl:text></svrl:failed-assert>\n"               \
	"<svrl:failed-assert id=\"PEPPOL-1\" flag=\"information\"/>\n"                             \
	"<svrl:successful-report id=\"R-1\" location=\"/b\"><svrl:diagnostic-reference "           \
	"diagnostic=\"d\">not the text</svrl:diagnostic-reference><svrl:text>said"                 \
	"</svrl:text></svrl:successful-report>\n"                                                  \
	"<svrl:successful-report flag=\"fatal\"><svrl:text>x</svrl:text>"                          \
	"</svrl:successful-report>\n"                                                              \
	"</svrl:schematron-output>\n"

struct fix {
	struct dc ctx;
	char dir[64];
	char invoice[128];
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof *f);
	FILE *fp;

	setenv("DC_NOW", "2026-03-02T09:00:00Z", 1);
	if (!f || dc_init(&f->ctx, "test"))
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/dc-einv-test.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->invoice, sizeof f->invoice, "%s/inv.xml", f->dir);
	if (!(fp = fopen(f->invoice, "w")))
		return -1;
	fputs("<Invoice/>\n", fp);
	fclose(fp);
	f->ctx.db_path = dc_strdup(":memory:");
	if (dc_db_open(&f->ctx)) /* with dcity's schema: the setting table */
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	char *cmd = dc_printf("rm -rf '%s'", f->dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	dc_free(&f->ctx);
	free(f);
	return 0;
}

/* A fake validator NAME in the fixture's folder: a shell script with BODY; its path. */
static char *
script(struct fix *f, const char *name, const char *body)
{
	char *path = dc_printf("%s/%s", f->dir, name);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fprintf(fp, "#!/bin/sh\n%s\n", body);
	fclose(fp);
	assert_int_equal(chmod(path, 0755), 0);
	return path;
}

static void
set(struct fix *f, const char *key, const char *value)
{
	assert_int_equal(
	    dc_exec(&f->ctx, "INSERT OR REPLACE INTO setting VALUES (?1, ?2)", 2, key, value), 0);
}

/* Configure a validator printing SVRL (shell-quoted by the heredoc) and exiting with CODE. */
static void
validator_printing(struct fix *f, const char *svrl, int code)
{
	char *body = dc_printf("cat <<'EOF'\n%sEOF\nexit %d", svrl, code);
	char *path = script(f, "v.sh", body);

	set(f, "einvoice.validator", path);
	free(path);
	free(body);
}

static void
test_not_configured(void **state)
{
	struct fix *f = *state;
	struct dc_einv_finding *out = (void *)1;
	size_t n = 9;

	assert_int_equal(dc_einv_validate(&f->ctx, f->invoice, &out, &n), 0);
	assert_null(out);
	assert_int_equal(n, 0);
}

static void
test_findings(void **state)
{
	struct fix *f = *state;
	struct dc_einv_finding *out = NULL;
	size_t n = 0;

	validator_printing(f, SVRL_MIXED, 1);
	assert_int_equal(dc_einv_validate(&f->ctx, f->invoice, &out, &n), 0);
	assert_int_equal(n, 5);
	assert_string_equal(out[0].rule, "BR-CO-15");
	assert_string_equal(out[0].flag, "fatal");
	assert_string_equal(out[0].text, "[BR-CO-15]-Invoice total amount with VAT (BT-112) = "
	                                 "Invoice total amount without VAT (BT-109) + Invoice "
	                                 "total VAT amount.");
	assert_string_equal(out[0].location, "/*:Invoice[1]");
	assert_string_equal(out[1].rule, "BR-DE-TMP-32");
	assert_string_equal(out[1].flag, "warning");
	assert_string_equal(out[1].text, "Schematron <warns>");
	assert_string_equal(out[2].flag, "information");
	assert_string_equal(out[2].text, "");
	assert_null(out[2].location);
	assert_string_equal(out[3].rule, "R-1");
	assert_string_equal(out[3].flag, "information");
	assert_string_equal(out[3].text, "said");
	assert_null(out[4].rule);
	assert_string_equal(out[4].flag, "fatal");
	assert_true(dc_einv_any_fatal(out, n));
	assert_false(dc_einv_any_fatal(out + 1, 3));
	dc_einv_findings_free(out, n);
}

static void
test_json(void **state)
{
	struct fix *f = *state;
	struct dc_einv_finding *out = NULL;
	json_object *j;
	size_t n = 0;

	validator_printing(f, SVRL_MIXED, 0);
	assert_int_equal(dc_einv_validate(&f->ctx, f->invoice, &out, &n), 0);
	j = dc_einv_findings_json(out, 3);
	assert_string_equal(
	    json_object_to_json_string_ext(j,
	                                   JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
	    "[{\"rule\":\"BR-CO-15\",\"flag\":\"fatal\",\"text\":\"[BR-CO-15]-Invoice total amount "
	    "with VAT (BT-112) = Invoice total amount without VAT (BT-109) + Invoice total VAT "
	    "amount.\",\"location\":\"/*:Invoice[1]\"},{\"rule\":\"BR-DE-TMP-32\",\"flag\":"
	    "\"warning\",\"text\":\"Schematron <warns>\",\"location\":\"/a\"},{\"rule\":"
	    "\"PEPPOL-1\",\"flag\":\"information\",\"text\":\"\",\"location\":null}]");
	json_object_put(j);
	j = dc_einv_findings_json(NULL, 0);
	assert_string_equal(json_object_to_json_string(j), "[ ]");
	json_object_put(j);
	dc_einv_findings_free(out, n);
}

static void
test_clean_report(void **state)
{
	struct fix *f = *state;
	struct dc_einv_finding *out = (void *)1;
	size_t n = 9;

	validator_printing(f,
	                   SVRL_HEAD "<svrl:fired-rule context=\"/\"/>"
	                             "</svrl:schematron-output>\n",
	                   0);
	assert_int_equal(dc_einv_validate(&f->ctx, f->invoice, &out, &n), 0);
	assert_int_equal(n, 0);
	assert_false(dc_einv_any_fatal(out, n));
	dc_einv_findings_free(out, n);
}

/* The invoice's path is the last argument, after the setting's own words; a name that looks
 * like an option is not taken for one. */
static void
test_arguments(void **state)
{
	struct fix *f = *state;
	struct dc_einv_finding *out = NULL;
	size_t n = 0;
	char *path = script(f, "args.sh",
	                    "[ \"$#\" = 3 ] && [ \"$1\" = --rules ] && [ \"$2\" = en ] || exit 9\n"
	                    "printf '%s' '" SVRL_HEAD "<svrl:failed-assert id=\"A\">'\n"
	                    "printf '<svrl:text>%s</svrl:text>' \"$3\"\n"
	                    "echo '</svrl:failed-assert></svrl:schematron-output>'");
	char *cmd = dc_printf("%s --rules en", path);

	set(f, "einvoice.validator", cmd);
	assert_int_equal(dc_einv_validate(&f->ctx, f->invoice, &out, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].text, f->invoice);
	dc_einv_findings_free(out, n);
	assert_int_equal(dc_einv_validate(&f->ctx, "-dash.xml", &out, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].text, "./-dash.xml");
	dc_einv_findings_free(out, n);
	free(cmd);
	free(path);
}

/* Run the configured validator and expect it to fail with 69 and a message containing WANT. */
static void
expect_failure(struct fix *f, const char *want)
{
	struct dc_einv_finding *out = (void *)1;
	size_t n = 9;

	assert_int_equal(dc_einv_validate(&f->ctx, f->invoice, &out, &n), DC_EDB);
	assert_null(out);
	assert_int_equal(n, 0);
	if (!strstr(f->ctx.errmsg, want))
		fail_msg("message '%s' does not contain '%s'", f->ctx.errmsg, want);
	dc_error_clear(&f->ctx);
}

static void
test_exit_status(void **state)
{
	struct fix *f = *state;
	char *path = script(f, "fail.sh",
	                    "echo 'starting' >&2\necho 'Error: no Java runtime' "
	                    ">&2\necho '" SVRL_HEAD "</svrl:schematron-output>'\n"
	                    "exit 3");

	set(f, "einvoice.validator", path);
	expect_failure(f, "exited with status 3: Error: no Java runtime");
	free(path);
}

static void
test_missing_program(void **state)
{
	struct fix *f = *state;
	char *path = dc_printf("%s/gone.sh", f->dir);

	set(f, "einvoice.validator", path);
	expect_failure(f, "exited with status 127: cannot run");
	free(path);
}

static void
test_signal(void **state)
{
	struct fix *f = *state;
	char *path = script(f, "kill.sh", "kill -9 $$");

	set(f, "einvoice.validator", path);
	expect_failure(f, "killed by signal 9");
	free(path);
}

/* Whether process PID still runs (a zombie waiting for its reaper does not). */
static int
running(long pid)
{
	char *path = dc_printf("/proc/%ld/stat", pid), state = 0;
	FILE *fp = fopen(path, "r");

	if (fp) {
		if (fscanf(fp, "%*d (%*[^)]) %c", &state) != 1)
			state = 0;
		fclose(fp);
	}
	free(path);
	return state && state != 'Z';
}

/* A hanging validator is stopped at the time limit, with what it started (its process group);
 * the limit, not the 30 s, decides how long the call takes. */
static void
test_hang(void **state)
{
	struct fix *f = *state;
	char *body = dc_printf("sleep 30 &\necho $! > %s/sleep.pid\nwait", f->dir);
	char *path = script(f, "hang.sh", body), *pidfile = dc_printf("%s/sleep.pid", f->dir);
	struct timespec a, b, tick = {0, 10 * 1000 * 1000};
	long pid = 0;
	FILE *fp;
	int i;

	set(f, "einvoice.validator", path);
	set(f, "einvoice.validator_timeout", "1");
	clock_gettime(CLOCK_MONOTONIC, &a);
	expect_failure(f, "took longer than 1 s (einvoice.validator_timeout); stopped");
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true(b.tv_sec - a.tv_sec < 5);
	assert_non_null(fp = fopen(pidfile, "r"));
	assert_int_equal(fscanf(fp, "%ld", &pid), 1);
	fclose(fp);
	for (i = 0; i < 100 && running(pid); i++)
		nanosleep(&tick, NULL);
	assert_false(running(pid));
	free(pidfile);
	free(body);
	free(path);
}

static void
test_not_svrl(void **state)
{
	struct fix *f = *state;

	validator_printing(f, "<html><body>validator page</body></html>\n", 0);
	expect_failure(f, "not SVRL (the root is 'html', not svrl:schematron-output)");
	validator_printing(f, "", 0);
	expect_failure(f, "empty, no SVRL (it exited with status 0)");
	validator_printing(f, "EOF\necho 'Exception in thread main' >&2\ncat <<'EOF'\n", 1);
	expect_failure(f, "empty, no SVRL (it exited with status 1: Exception in thread main)");
	validator_printing(f, SVRL_HEAD "<svrl:failed-assert id=\"A\">\n", 1);
	expect_failure(f, "SVRL of einvoice.validator");
	validator_printing(f,
	                   "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"b\">]>\n"
	                   "<svrl:schematron-output\n"
	                   " xmlns:svrl=\"http://purl.oclc.org/dsdl/svrl\">"
	                   "&a;</svrl:schematron-output>\n",
	                   0);
	expect_failure(f, "DOCTYPE and entities are not accepted");
}

/* The validator dcity ships, for real (Saxon-HE, make einvoice's build/einvoice): the suite's
 * 01.01a UBL invoice with BT-112 raised by 10 EUR breaks BR-CO-15, which arrives as the one
 * fatal finding, beside the information-level note every 01.01a gets. */
static void
test_real_validator(void **state)
{
	struct fix *f = *state;
	const char *src = "tests/fixtures/einvoice/suite/src/test/business-cases/standard/"
	                  "01.01a-INVOICE_ubl.xml";
	char *cwd = getcwd(NULL, 0), *cmd = dc_printf("%s/scripts/einvoice-validate", cwd);
	char *inv = dc_printf("%s/co15.xml", f->dir), buf[1 << 16], *p;
	struct dc_einv_finding *out = NULL;
	size_t n = 0, len;
	FILE *fp;

	if (access("build/einvoice/validate.xsl", R_OK))
		fail_msg("no build/einvoice/validate.xsl: run make einvoice (from the repository)");
	assert_non_null(fp = fopen(src, "r"));
	len = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	assert_true(len < sizeof buf - 1);
	buf[len] = '\0';
	for (p = buf; (p = strstr(p, "\">336.9<")); p += 6)
		p[4] = '4';
	assert_non_null(fp = fopen(inv, "w"));
	fputs(buf, fp);
	fclose(fp);
	set(f, "einvoice.validator", cmd);
	set(f, "einvoice.validator_timeout", "600");
	assert_int_equal(dc_einv_validate(&f->ctx, inv, &out, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(out[0].rule, "BR-CO-15");
	assert_string_equal(out[0].flag, "fatal");
	assert_non_null(strstr(out[0].text, "Invoice total amount with VAT (BT-112)"));
	assert_non_null(strstr(out[0].location, "Invoice"));
	assert_string_equal(out[1].rule, "BR-DE-TMP-32");
	assert_string_equal(out[1].flag, "information");
	assert_true(dc_einv_any_fatal(out, n));
	dc_einv_findings_free(out, n);
	/* what it cannot check is the validator's failure, with its reason */
	assert_non_null(fp = fopen(inv, "w"));
	fputs("<?xml version=\"1.0\"?>\n<Order xmlns=\"urn:x\"/>\n", fp);
	fclose(fp);
	assert_int_equal(dc_einv_validate(&f->ctx, inv, &out, &n), DC_EDB);
	assert_null(out);
	assert_non_null(
	    strstr(f->ctx.errmsg, "co15.xml' exited with status 2: einvoice-validate: "));
	assert_non_null(strstr(f->ctx.errmsg, "co15.xml: not checked: the root element is "
	                                      "{urn:x}Order, not a UBL Invoice"));
	dc_error_clear(&f->ctx);
	free(inv);
	free(cmd);
	free(cwd);
}

int
main(void)
{
	/* one database and folder for all, in this order: not configured comes first */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_not_configured),
	    cmocka_unit_test(test_findings),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_clean_report),
	    cmocka_unit_test(test_arguments),
	    cmocka_unit_test(test_exit_status),
	    cmocka_unit_test(test_missing_program),
	    cmocka_unit_test(test_signal),
	    cmocka_unit_test(test_not_svrl),
	    cmocka_unit_test(test_real_validator),
	    cmocka_unit_test(test_hang), /* last: it leaves a time limit of 1 s */
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
