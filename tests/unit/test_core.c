/* Unit tests of lib/core: calendar arithmetic, time parsing, numbers and money, templates,
 * options, input header names and encodings. */
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

/* One number in one reading: what it reads as (in 10^-scale units), or which refusal. */
struct num_case {
	const char *in;
	enum dc_reading r;
	int scale;
	int err;
	long long want;
};

static void
test_numbers(void **state)
{
	static const struct num_case cases[] = {
	    /* the command line: every accepted form of dcity(7) NUMBERS */
	    {"1234.56", DC_READ_CMDLINE, 2, 0, 123456},
	    {"1234,56", DC_READ_CMDLINE, 2, 0, 123456},
	    {"1.234,56", DC_READ_CMDLINE, 2, 0, 123456},
	    {"1,234.56", DC_READ_CMDLINE, 2, 0, 123456},
	    {"1.234.567,89", DC_READ_CMDLINE, 2, 0, 123456789},
	    {"1,234,567", DC_READ_CMDLINE, 2, 0, 123456700},
	    {"12.5", DC_READ_CMDLINE, 2, 0, 1250},
	    {"1.5", DC_READ_CMDLINE, 2, 0, 150},
	    {"0.125", DC_READ_CMDLINE, 3, 0, 125},
	    {"0,125", DC_READ_CMDLINE, 3, 0, 125},
	    {"1234.567", DC_READ_CMDLINE, 3, 0, 1234567},
	    {"12.3400", DC_READ_CMDLINE, 2, 0, 1234},
	    {"-3", DC_READ_CMDLINE, 2, 0, -300},
	    {"-1", DC_READ_CMDLINE, 0, 0, -1},
	    {" 42 ", DC_READ_CMDLINE, 0, 0, 42},
	    {"3,20 €", DC_READ_CMDLINE, 2, 0, 320},
	    {"EUR 3.20", DC_READ_CMDLINE, 2, 0, 320},
	    /* ambiguous: one mark, three digits after it, 1-3 digits before without a leading 0 */
	    {"1.500", DC_READ_CMDLINE, 2, DC_NUM_AMBIGUOUS, 0},
	    {"2,750", DC_READ_CMDLINE, 2, DC_NUM_AMBIGUOUS, 0},
	    {"999.000", DC_READ_CMDLINE, 4, DC_NUM_AMBIGUOUS, 0},
	    {"1.000", DC_READ_CMDLINE, 0, DC_NUM_AMBIGUOUS, 0},
	    /* refused */
	    {"1.2345", DC_READ_CMDLINE, 2, DC_NUM_PRECISION, 0},
	    {"1.2.3", DC_READ_CMDLINE, 2, DC_NUM_BAD, 0},
	    {"1.23,4.5", DC_READ_CMDLINE, 2, DC_NUM_BAD, 0},
	    {"12.34,5", DC_READ_CMDLINE, 2, DC_NUM_BAD, 0},
	    {"abc", DC_READ_CMDLINE, 2, DC_NUM_BAD, 0},
	    {"", DC_READ_CMDLINE, 2, DC_NUM_BAD, 0},
	    {"1.", DC_READ_CMDLINE, 2, DC_NUM_BAD, 0},
	    {".5", DC_READ_CMDLINE, 2, DC_NUM_BAD, 0},
	    {"1e5", DC_READ_CMDLINE, 2, DC_NUM_BAD, 0},
	    {"3,20 $", DC_READ_CMDLINE, 2, DC_NUM_CURRENCY, 0},
	    {"USD 3.20", DC_READ_CMDLINE, 2, DC_NUM_CURRENCY, 0},
	    {"99999999999999999999", DC_READ_CMDLINE, 2, DC_NUM_RANGE, 0},
	    /* German (excel-de): ',' decimal, '.' thousands */
	    {"1.234", DC_READ_DE, 2, 0, 123400},
	    {"1.234,56", DC_READ_DE, 2, 0, 123456},
	    {"1234,56", DC_READ_DE, 2, 0, 123456},
	    {"12.345.678,9", DC_READ_DE, 2, 0, 1234567890},
	    {"0,1234", DC_READ_DE, 4, 0, 1234},
	    {"3,20 €", DC_READ_DE, 2, 0, 320},
	    {"3,20\xc2\xa0€", DC_READ_DE, 2, 0, 320},
	    {"€ 1.299,00", DC_READ_DE, 2, 0, 129900},
	    {"1.500", DC_READ_DE, 2, 0, 150000},
	    {"1.23", DC_READ_DE, 2, DC_NUM_BAD, 0},
	    {"1.2345,6", DC_READ_DE, 2, DC_NUM_BAD, 0},
	    {"1234.56", DC_READ_DE, 2, DC_NUM_BAD, 0},
	    {"1,234.56", DC_READ_DE, 2, DC_NUM_BAD, 0},
	    {"1,2,3", DC_READ_DE, 2, DC_NUM_BAD, 0},
	    {"3,20 USD", DC_READ_DE, 2, DC_NUM_CURRENCY, 0},
	    /* RFC 4180: '.' decimal, no grouping */
	    {"1.234", DC_READ_RFC, 3, 0, 1234},
	    {"1.234", DC_READ_RFC, 2, DC_NUM_PRECISION, 0},
	    {"1.500", DC_READ_RFC, 2, 0, 150},
	    {"0.1234", DC_READ_RFC, 4, 0, 1234},
	    {"10000000000000.00", DC_READ_RFC, 2, 0, 1000000000000000LL},
	    {"EUR 3.20", DC_READ_RFC, 2, 0, 320},
	    {"1,5", DC_READ_RFC, 2, DC_NUM_BAD, 0},
	    {"1,234.56", DC_READ_RFC, 2, DC_NUM_BAD, 0},
	    {"1.2.3", DC_READ_RFC, 2, DC_NUM_BAD, 0},
	    /* JSON: its numbers, or a text with ',' read as on the command line */
	    {"1.125", DC_READ_JSON, 3, 0, 1125},
	    {"1.5", DC_READ_JSON, 2, 0, 150},
	    {"1,20", DC_READ_JSON, 2, 0, 120},
	    {"1.234,56", DC_READ_JSON, 2, 0, 123456},
	    {"1,234", DC_READ_JSON, 2, DC_NUM_AMBIGUOUS, 0},
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		const struct num_case *c = &cases[i];
		long long v = -42;
		int err = dc_num_parse(c->in, c->r, c->scale, "EUR", 0x7fffffffffffffffLL, &v);

		if (err != c->err || (!err && v != c->want))
			fail_msg("'%s' in reading %d: error %d, value %lld", c->in, c->r, err, v);
	}
	/* the maximum, and no marks where no currency is given */
	{
		long long v;

		assert_int_equal(
		    dc_num_parse("100000000000", DC_READ_RFC, 2, NULL, DC_MONEY_MAX, &v), 0);
		assert_int_equal(dc_num_parse("100000000000.01", DC_READ_RFC, 2, NULL, DC_MONEY_MAX,
		                              &v),
		                 DC_NUM_RANGE);
		assert_int_equal(dc_num_parse("3.20 €", DC_READ_RFC, 2, NULL, DC_MONEY_MAX, &v),
		                 DC_NUM_CURRENCY);
		assert_int_equal(dc_num_parse("3.20 EUR", DC_READ_RFC, 2, "CHF", DC_MONEY_MAX, &v),
		                 DC_NUM_CURRENCY);
		assert_int_equal(
		    dc_num_parse("CHF 3.20", DC_READ_RFC, 2, "CHF", DC_MONEY_MAX, &v), 0);
		assert_int_equal(v, 320);
	}
}

static void
test_num_error(void **state)
{
	struct dc ctx = {0};

	ctx.prog = "test";
	assert_int_equal(dc_num_error(&ctx, 0, DC_NUM_AMBIGUOUS, "price", "1.500", "a price", 4,
	                              DC_PRICE_MAX),
	                 DC_EUSAGE);
	assert_string_equal(ctx.errmsg, "field 'price': '1.500' is ambiguous: write 1500 or 1.5");
	ctx.err = 0, ctx.errmsg[0] = '\0';
	assert_int_equal(dc_num_error(&ctx, DC_EDATA, DC_NUM_AMBIGUOUS, "value", "2,000", "an "
	                              "amount", 2, DC_MONEY_MAX),
	                 DC_EDATA);
	assert_string_equal(ctx.errmsg, "field 'value': '2,000' is ambiguous: write 2000 or 2.0");
	ctx.err = 0, ctx.errmsg[0] = '\0';
	dc_num_error(&ctx, DC_EDATA, DC_NUM_RANGE, "line", "1e20", "a unit price", 4, DC_PRICE_MAX);
	assert_string_equal(ctx.errmsg, "field 'line': '1e20' is not a unit price: above the "
	                                "maximum 100000000000");
}

static void
test_num_fmt(void **state)
{
	char buf[32];

	dc_num_fmt(320, 2, 2, '.', buf);
	assert_string_equal(buf, "3.20");
	dc_num_fmt(-5, 2, 2, ',', buf);
	assert_string_equal(buf, "-0,05");
	dc_num_fmt(32000, 4, 0, '.', buf);
	assert_string_equal(buf, "3.2");
	dc_num_fmt(120000, 4, 0, '.', buf);
	assert_string_equal(buf, "12");
	dc_num_fmt(32000, 4, 2, ',', buf);
	assert_string_equal(buf, "3,20");
	dc_num_fmt(1234, 4, 2, '.', buf);
	assert_string_equal(buf, "0.1234");
	/* the most negative value has no positive twin: printed all the same */
	dc_num_fmt(-0x7fffffffffffffffLL - 1, 2, 2, '.', buf);
	assert_string_equal(buf, "-92233720368547758.08");
	dc_num_fmt(-0x7fffffffffffffffLL - 1, 0, 0, '.', buf);
	assert_string_equal(buf, "-9223372036854775808");
}

static void
test_checked_money(void **state)
{
	long long c;

	/* a line's net: quantity in thousandths × unit price in ten-thousandths, half up */
	assert_int_equal(dc_money_line(3000, 1234, &c), 0); /* 3 × 0.1234 = 0.3702 */
	assert_int_equal(c, 37);
	assert_int_equal(dc_money_line(5000, 1234, &c), 0); /* 0.617 → 0.62 */
	assert_int_equal(c, 62);
	assert_int_equal(dc_money_line(1000, 50, &c), 0); /* 0.005 → 0.01, half up */
	assert_int_equal(c, 1);
	assert_int_equal(dc_money_line(1000, 49, &c), 0);
	assert_int_equal(c, 0);
	assert_int_equal(dc_money_line(1500, 33333, &c), 0); /* 1.5 × 3.3333 = 4.99995 */
	assert_int_equal(c, 500);
	/* the maxima exactly, and just beyond */
	assert_int_equal(dc_money_line(1000, DC_PRICE_MAX, &c), 0);
	assert_int_equal(c, DC_MONEY_MAX);
	assert_int_equal(dc_money_line(DC_QTY_MAX * 1000, 1000000, &c), 0); /* 10^9 × 100 € */
	assert_int_equal(c, DC_MONEY_MAX);
	assert_int_equal(dc_money_line(DC_QTY_MAX * 1000, 1000001, &c), -1);
	assert_int_equal(dc_money_line(1001, DC_PRICE_MAX, &c), -1);
	assert_int_equal(dc_money_line(DC_QTY_MAX * 1000 + 1, 1, &c), -1);
	/* the issue's reproduction: 10^9 × 10^13 € is far beyond, never a wrapped number */
	assert_int_equal(dc_money_line(DC_QTY_MAX * 1000, 100000000000000000LL, &c), -1);
	assert_int_equal(dc_money_line(-1000, 100, &c), -1);
	/* sums and products */
	assert_int_equal(dc_money_add(DC_MONEY_MAX - 1, 1, &c), 0);
	assert_int_equal(c, DC_MONEY_MAX);
	assert_int_equal(dc_money_add(DC_MONEY_MAX, 1, &c), -1);
	assert_int_equal(dc_money_add(0x7fffffffffffffffLL, 1, &c), -1);
	assert_int_equal(dc_money_add(-DC_MONEY_MAX, -1, &c), -1);
	assert_int_equal(dc_money_times(350, 1000000, &c), 0);
	assert_int_equal(c, 350000000);
	assert_int_equal(dc_money_times(DC_MONEY_MAX, 2, &c), -1);
	assert_int_equal(dc_money_times(0x4000000000000000LL, 4, &c), -1);
	/* VAT: 19 % of 0.37 = 0.0703 → 0.44 gross; 7 % of 0.50 = 0.035 → 0.54 */
	assert_int_equal(dc_money_vat(37, 19, &c), 0);
	assert_int_equal(c, 44);
	assert_int_equal(dc_money_vat(50, 7, &c), 0);
	assert_int_equal(c, 54);
	assert_int_equal(dc_money_vat(DC_MONEY_MAX, 19, &c), -1);
	assert_int_equal(dc_money_vat(100, -1, &c), -1);
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
	assert_string_equal(dc_in_encoding_name("ISO-8859-15"), "iso-8859-15");
	assert_null(dc_in_encoding_name("latin-2"));
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
	/* the header rule (plain_address): no empty part, no ':' or brackets */
	assert_false(dc_email_ok("@example.org"));
	assert_false(dc_email_ok("max@"));
	assert_false(dc_email_ok("max@[127.0.0.1]"));
	assert_false(dc_email_ok("To:max@example.org"));
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

/* dc-subject's keys: a name folded with its white space, a phone number's digits. */
static void
key_is(char *(*key)(const char *), const char *in, const char *want)
{
	char *got = key(in);

	assert_string_equal(got, want);
	free(got);
}

static void
test_subject_keys(void **state)
{
	(void)state;
	key_is(dc_name_key, "  Jürgen \t MÜLLER\n", "jurgen muller");
	key_is(dc_name_key, "Juergen Mueller", "jurgen muller");
	key_is(dc_name_key, "Eva  Muster", "eva muster");
	key_is(dc_name_key, "   ", "");
	key_is(dc_name_key, "", "");
	key_is(dc_digits, "+49 (0)170/123-45 67", "490170123456" "7");
	key_is(dc_digits, "keine", "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),  cmocka_unit_test(test_times),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_num_error), cmocka_unit_test(test_num_fmt),
		cmocka_unit_test(test_checked_money),
		cmocka_unit_test(test_render), cmocka_unit_test(test_args),  cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_header_names), cmocka_unit_test(test_controls),
		cmocka_unit_test(test_mailbox), cmocka_unit_test(test_subject_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
