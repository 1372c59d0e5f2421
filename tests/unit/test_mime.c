/* Unit tests of lib/notify/mime.c: quoted-printable, RFC 2047 words, dates, Message-IDs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "notify/notify.h"

static void
check(char *got, const char *want)
{
	assert_string_equal(got, want);
	free(got);
}

static void
test_qp(void **state)
{
	char *s, *line;
	size_t n;

	check(dc_mime_qp("Grüße\n"), "Gr=C3=BC=C3=9Fe\r\n");
	check(dc_mime_qp("a=b\r\nc"), "a=3Db\r\nc\r\n");
	check(dc_mime_qp("end \nend\t\n"), "end=20\r\nend=09\r\n");
	check(dc_mime_qp("a b\n\n"), "a b\r\n\r\n");
	check(dc_mime_qp(""), "");
	/* 80 x: a soft break after 75, the rest on the next line */
	s = dc_mime_qp(
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	assert_string_equal(
	    s, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx=\r\n"
	       "xxxxx\r\n");
	free(s);
	/* exactly 76: no soft break needed */
	s = dc_mime_qp(
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	assert_int_equal(strlen(s), 78);
	free(s);
	/* long umlaut runs: no line over 76, an escape never split */
	s = dc_mime_qp("ääääääääääääääääääääääääääääääääääääääääää ööö");
	for (line = s; *line; line += n + 2) {
		n = strcspn(line, "\r");
		assert_true(n <= 76);
		assert_true(n < 3 || line[n - 1] == '=' || line[n - 3] == '=' ||
		            line[n - 1] != '=');
	}
	free(s);
}

static void
test_words(void **state)
{
	char *s, *p;
	size_t n;

	check(dc_mime_words("Grüße", 9), "=?UTF-8?B?R3LDvMOfZQ==?=");
	check(dc_mime_header("Subject", "Plain ASCII"), "Subject: Plain ASCII\r\n");
	check(dc_mime_header("Subject", "wartet auf Rückmeldung"),
	      "Subject: =?UTF-8?B?d2FydGV0IGF1ZiBSw7xja21lbGR1bmc=?=\r\n");
	s = dc_mime_header("Subject", "Neuer Stand zu Ihrem Anliegen 2026-000001: wartet auf "
	                              "Rückmeldung – überfällig, Größe äöüß ÄÖÜ €€€ 😀😀");
	for (p = s; *p; p += n + 2) {
		char *w = p;

		n = strcspn(p, "\r");
		assert_true(n <= 76);
		/* every encoded word ≤ 75 characters */
		while ((w = strstr(w, "=?UTF-8?B?")) && w < p + n) {
			char *e = strstr(w + 10, "?=");

			assert_non_null(e);
			assert_true(e + 2 - w <= 75);
			w = e + 2;
		}
	}
	assert_non_null(strstr(s, "\r\n =?UTF-8?B?"));
	free(s);
	/* a long ASCII subject is folded at a space */
	s = dc_mime_header("Subject", "aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee "
	                              "ffffffffff gggggggggg");
	assert_string_equal(s, "Subject: aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee "
	                       "ffffffffff\r\n gggggggggg\r\n");
	free(s);
}

static void
test_date_and_id(void **state)
{
	char buf[40], *a, *b;

	dc_mime_date(1795858200, buf); /* 2026-11-28T09:30:00Z */
	assert_string_equal(buf, "Sat, 28 Nov 2026 09:30:00 +0000");
	a = dc_mime_message_id(7, "2026-11-28T09:30:00Z", "dcity@stadt.example");
	b = dc_mime_message_id(7, "2026-11-28T09:30:00Z", "dcity@stadt.example");
	assert_string_equal(a, b);
	assert_int_equal(strncmp(a, "<dcity.7.", 9), 0);
	assert_non_null(strstr(a, "@stadt.example>"));
	free(b);
	b = dc_mime_message_id(7, "2026-11-28T09:30:01Z", "dcity@stadt.example");
	assert_string_not_equal(a, b);
	free(a);
	free(b);
}

static void
test_message(void **state)
{
	struct dc_mime_msg m = {"Stadt Bürgel",
	                        "dcity@stadt.example",
	                        "a@example.org",
	                        "info@stadt.example",
	                        "Grüße",
	                        "<dcity.1.ab@stadt.example>",
	                        "https://x.example/abmelden?m=a",
	                        "Hallo\nWelt\n",
	                        1795858200,
	                        NULL,
	                        NULL,
	                        0};
	char *s = dc_mime_message(&m);

	assert_non_null(strstr(s, "Date: Sat, 28 Nov 2026 09:30:00 +0000\r\n"));
	assert_non_null(
	    strstr(s, "From: =?UTF-8?B?U3RhZHQgQsO8cmdlbA==?= <dcity@stadt.example>\r\n"));
	assert_non_null(strstr(s, "Reply-To: <info@stadt.example>\r\n"));
	assert_non_null(strstr(s, "List-Unsubscribe: <https://x.example/abmelden?m=a>\r\n"));
	assert_non_null(strstr(s, "Content-Transfer-Encoding: quoted-printable\r\n"));
	assert_non_null(strstr(s, "\r\n\r\nHallo\r\nWelt\r\n"));
	assert_null(strstr(s, "multipart"));
	free(s);
}

/* An attachment: multipart/mixed, the text first, then the part in base64 lines of 76. */
static void
test_attachment(void **state)
{
	static const char xml[] = "<?xml version=\"1.0\"?>\n<ORDER>Grüße 0123456789 0123456789"
	                          " 0123456789 0123456789</ORDER>\n";
	struct dc_mime_part part = {"PO-2026-000001.xml", "application/xml", xml, sizeof xml - 1};
	struct dc_mime_msg m = {NULL, "dcity@stadt.example", "a@example.org", NULL, "Bestellung",
	                        "<dcity.1.ab@stadt.example>", NULL, "Hallo\n", 1795858200, NULL,
	                        &part, 1};
	char *s = dc_mime_message(&m), *p, *end;

	assert_non_null(
	    strstr(s, "\r\nContent-Type: multipart/mixed; boundary=\"=_dcity_part\"\r\n\r\n"));
	p = strstr(s, "\r\n--=_dcity_part\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	              "Content-Transfer-Encoding: quoted-printable\r\n\r\nHallo\r\n");
	assert_non_null(p);
	p = strstr(p, "\r\n--=_dcity_part\r\nContent-Type: application/xml;"
	              " name=\"PO-2026-000001.xml\"\r\n"
	              "Content-Disposition: attachment; filename=\"PO-2026-000001.xml\"\r\n"
	              "Content-Transfer-Encoding: base64\r\n\r\n");
	assert_non_null(p);
	p = strstr(p, "\r\n\r\n") + 4;
	/* 89 bytes: one line of 76 (57 bytes), one of 44 (32 bytes) */
	assert_int_equal(strcspn(p, "\r"), 76);
	assert_memory_equal(p, "PD94bWwgdmVyc2lvbj0iMS4wIj8+CjxPUkRFUj5HcsO8w59l", 48);
	p += 78;
	assert_int_equal(strcspn(p, "\r"), 44);
	end = p + 46;
	assert_string_equal(end, "\r\n--=_dcity_part--\r\n");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_qp),
	    cmocka_unit_test(test_words),
	    cmocka_unit_test(test_date_and_id),
	    cmocka_unit_test(test_message),
	    cmocka_unit_test(test_attachment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
