/* Unit tests of lib/core: calendar arithmetic, time parsing, money, templates, options, input
 * header names and encodings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/dc.h"

static void
test_dates(void **state)
{
	long d;
	char buf[11];

	assert_int_equal(dc_parse_date("2026-03-02", &d), 0);
	assert_int_equal(dc_weekday(d), 0); /* a Monday */
	dc_fmt_date(d + 365, buf);
	assert_string_equal(buf, "2027-03-02");
	assert_int_equal(dc_parse_date("2026-02-29", &d), -1);
	assert_int_equal(dc_parse_date("2024-02-29", &d), 0);
	assert_int_equal(dc_parse_date("2026-3-2", &d), -1);
}

static void
test_times(void **state)
{
	time_t t;
	char buf[21];

	assert_int_equal(dc_parse_time("2026-02-10T08:15:00+01:00", &t), 0);
	dc_fmt_time(t, buf);
	assert_string_equal(buf, "2026-02-10T07:15:00Z");
	assert_int_equal(dc_parse_time("2026-02-10T08:15:00.123Z", &t), 0);
	dc_fmt_time(t, buf);
	assert_string_equal(buf, "2026-02-10T08:15:00Z");
	assert_int_equal(dc_parse_time("2026-02-10T08:15:00-0530", &t), 0);
	dc_fmt_time(t, buf);
	assert_string_equal(buf, "2026-02-10T13:45:00Z");
	assert_int_equal(dc_parse_time("2026-02-10 08:15", &t), -1); /* no offset */
	assert_int_equal(dc_parse_time("yesterday", &t), -1);
}

static void
test_money(void **state)
{
	long long c;

	assert_int_equal(dc_money_parse("12.5", &c), 0);
	assert_int_equal(c, 1250);
	assert_int_equal(dc_money_parse("1234,56", &c), 0);
	assert_int_equal(c, 123456);
	assert_int_equal(dc_money_parse("-3", &c), 0);
	assert_int_equal(c, -300);
	assert_int_equal(dc_money_parse("1.234", &c), -1);
	assert_int_equal(dc_money_parse("abc", &c), -1);
}

static void
test_render(void **state)
{
	const char *vars[] = {"id", "2026-000001", "name", "Eva Müller", "empty", NULL, NULL};
	char *s = dc_render("Hallo {{name}}, {{id}}{{empty}}{{unknown}} {{x", vars);

	assert_string_equal(s, "Hallo Eva Müller, 2026-000001 {{x");
	free(s);
	/* an empty value before punctuation takes its space along: no "Guten Tag ," */
	s = dc_render("Guten Tag {{empty}},\nStatus: {{empty}}\nText {{empty}} bleibt. {{no}}!",
	              vars);
	assert_string_equal(s, "Guten Tag,\nStatus: \nText  bleibt.!");
	free(s);
}

static void
test_args(void **state)
{
	struct dc_args a = {0};
	int takes;

	dc_args_add(&a, "attr", "size=large");
	dc_args_add(&a, "attr", "depth=3");
	dc_args_add(&a, "public", NULL);
	assert_int_equal(dc_arg_count(&a, "attr"), 2);
	assert_string_equal(dc_arg_nth(&a, "attr", 1), "depth=3");
	assert_true(dc_flag(&a, "public"));
	assert_false(dc_flag(&a, "missing"));
	assert_true(dc_opts_allow("to= note= public attr=*", "attr", &takes));
	assert_true(takes);
	assert_true(dc_opts_allow("to= note= public attr=*", "public", &takes));
	assert_false(takes);
	assert_false(dc_opts_allow("to= note= public", "not", &takes));
	dc_args_free(&a);
}

static void
test_utf8(void **state)
{
	struct dc ctx;

	dc_init(&ctx, "test");
	assert_int_equal(dc_text_check(&ctx, "Grüße", strlen("Grüße")), 0);
	assert_int_equal(dc_text_check(&ctx, "a\xff", 2), DC_EDATA);
	ctx.err = 0;
	assert_int_equal(dc_text_check(&ctx, "a\0b", 3), DC_EDATA);
	ctx.err = 0;
	assert_int_equal(dc_text_check(&ctx, "\xed\xa0\x80", 3), DC_EDATA); /* surrogate */
	dc_free(&ctx);
}

/* Header names: trimmed, case ignored for ASCII and the Latin-1 letters, nothing else. */
static void
test_header_names(void **state)
{
	struct dc ctx;

	assert_true(dc_in_header_eq(" SKU\r", "sku"));
	assert_true(dc_in_header_eq("WÄHRUNG", "Währung"));
	assert_true(dc_in_header_eq("gültig AB", "Gültig ab"));
	assert_false(dc_in_header_eq("Währung", "Wahrung"));
	assert_false(dc_in_header_eq("×", "÷")); /* U+00D7 is no capital of U+00F7 */
	assert_false(dc_in_header_eq("sku2", "sku"));
	assert_false(dc_in_header_eq("", "sku"));
	dc_init(&ctx, "test");
	assert_int_equal(dc_in_encoding_check(&ctx, "option '--encoding'", "Windows-1252"), 0);
	assert_int_equal(dc_in_encoding_check(&ctx, "option '--encoding'", "latin-2"), DC_EUSAGE);
	dc_free(&ctx);
}

/* Text is data, never control: the one-line and the several-lines rule, the escaped form for
 * terminals, and the email rule intake and delivery share. */
static void
test_controls(void **state)
{
	struct dc ctx;
	char *e;

	dc_init(&ctx, "test");
	assert_int_equal(dc_control_len("\x1b["), 1);
	assert_int_equal(dc_control_len("\x7f"), 1);
	assert_int_equal(dc_control_len("\xc2\x9b"), 2);
	assert_int_equal(dc_control_len("\xc2\xa0"), 0); /* NBSP is text */
	assert_int_equal(dc_control_len("\xc3\x9b"), 0); /* so is U+00DB */
	assert_int_equal(dc_control_len(""), 0);
	assert_int_equal(dc_text_plain(&ctx, "Grüße, Straße 1", 0), 0);
	assert_int_equal(dc_text_plain(&ctx, "a\tb", 0), DC_EDATA);
	assert_string_equal(ctx.errmsg, "control character U+0009 is not allowed in a one-line text");
	ctx.err = 0;
	assert_int_equal(dc_text_plain(&ctx, "a\nb\tc\r\nd", 1), 0);
	assert_int_equal(dc_text_plain(&ctx, "a\rb", 1), DC_EDATA);
	ctx.err = 0;
	assert_int_equal(dc_text_plain(&ctx, "a\x1b[2J", 1), DC_EDATA);
	ctx.err = 0;
	assert_int_equal(dc_text_plain(&ctx, "a\xc2\x9b" "2J", 1), DC_EDATA);
	assert_string_equal(ctx.errmsg,
	                    "control character U+009B is not allowed in text (newlines and tabs are)");
	ctx.err = 0;
	e = dc_text_escaped("a\x1b[2J\xc2\x9bx\n\t\r", 1);
	assert_string_equal(e, "a\\x1b[2J\\u009bx\n\t\\x0d");
	free(e);
	e = dc_text_escaped("a\nb", 0);
	assert_string_equal(e, "a\\x0ab");
	free(e);
	assert_true(dc_email_ok("max@example.org"));
	assert_false(dc_email_ok("max.example.org"));
	assert_false(dc_email_ok("max@example.org\r\nBcc: x@y"));
	assert_false(dc_email_ok("a@example.org, b@example.org"));
	assert_false(dc_email_ok("Max <max@example.org>"));
	assert_false(dc_email_ok("max@exa\tmple.org"));
	dc_free(&ctx);
}

/* one mailbox: the display name (or NULL) and the address, or a refusal */
static void
mailbox(const char *s, const char *name, const char *addr)
{
	char *n, *a;

	if (!addr) {
		assert_int_equal(dc_mail_parse(s, &n, &a), -1);
		assert_null(n);
		assert_null(a);
		return;
	}
	assert_int_equal(dc_mail_parse(s, &n, &a), 0);
	if (name)
		assert_string_equal(n, name);
	else
		assert_null(n);
	assert_string_equal(a, addr);
	free(n);
	free(a);
}

static void
test_mailbox(void **state)
{
	mailbox("noreply@stadt.example", NULL, "noreply@stadt.example");
	mailbox("  noreply@stadt.example ", NULL, "noreply@stadt.example");
	mailbox("Stadt Musterstadt <noreply@musterstadt.example>", "Stadt Musterstadt",
	        "noreply@musterstadt.example");
	mailbox("<noreply@stadt.example>", NULL, "noreply@stadt.example");
	mailbox("\"Stadt Musterstadt, Amt 32\" <a@stadt.example>", "Stadt Musterstadt, Amt 32",
	        "a@stadt.example");
	mailbox("\"Die \\\"Stadt\\\" <Amt>\" <a@stadt.example>", "Die \"Stadt\" <Amt>",
	        "a@stadt.example");
	mailbox("Bürgerbüro Süd <b@stadt.example>", "Bürgerbüro Süd", "b@stadt.example");
	mailbox("a@stadt.example (Stadt Musterstadt)", "Stadt Musterstadt", "a@stadt.example");
	mailbox("", NULL, NULL);
	mailbox("Stadt Musterstadt", NULL, NULL);
	mailbox("Stadt <a@stadt.example", NULL, NULL);
	mailbox("Stadt <a@b> <c@d>", NULL, NULL);
	mailbox("\"Stadt <a@stadt.example>", NULL, NULL);
	mailbox("Stadt <a b@stadt.example>", NULL, NULL);
	mailbox("Stadt <@stadt.example>", NULL, NULL);
	mailbox("Sta\"dt <a@stadt.example>", NULL, NULL);
	mailbox("\"Stadt\" x <a@stadt.example>", NULL, NULL);
	mailbox("a@stadt.example\r\nBcc: x@y", NULL, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),  cmocka_unit_test(test_times), cmocka_unit_test(test_money),
		cmocka_unit_test(test_render), cmocka_unit_test(test_args),  cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_header_names), cmocka_unit_test(test_controls),
		cmocka_unit_test(test_mailbox),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
