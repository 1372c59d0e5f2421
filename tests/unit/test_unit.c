/* Unit tests of lib/procure/unit.c: German units and Rec 20 codes to Rec 20 codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "procure/procure.h"

static void
is(const char *unit, const char *want)
{
	const char *got = dc_unit_rec20(unit);

	if (!want) {
		if (got)
			fail_msg("'%s' gave %s, want none", unit, got);
		return;
	}
	if (!got || strcmp(got, want))
		fail_msg("'%s' gave %s, want %s", unit, got ? got : "none", want);
}

static void
test_german(void **state)
{
	is("Stk", "C62");
	is("St.", "C62");
	is("ST", "C62"); /* Stück, not the withdrawn ST (sheet) */
	is("Stück", "C62");
	is("STÜCK", "C62");
	is("stk.", "C62");
	is("kg", "KGM");
	is("g", "GRM");
	is("t", "TNE");
	is("l", "LTR");
	is("ml", "MLT");
	is("m", "MTR");
	is("cm", "CMT");
	is("mm", "MMT");
	is("km", "KMT");
	is("m²", "MTK");
	is("qm", "MTK");
	is("m³", "MTQ");
	is("m 3", "MTQ");
	is("Pck", "XPK");
	is("Pkt.", "XPK");
	is("Pack", "XPK");
	is("Std.", "HUR");
	is("h", "HUR");
	is("Min.", "MIN");
	is("Tag", "DAY");
	is("Karton", "XCT");
	is("Rolle", "XRO");
	is("Paar", "PR");
	is("KT", "KT");
	is("Satz", "SET");
	is("Set", "SET");
	is("Psch", "LS");
	is("pauschal", "LS");
	is(" Stk ", "C62");
}

static void
test_codes(void **state)
{
	is("C62", "C62");
	is("c62", "C62");
	is("H87", "H87");
	is("KGM", "KGM");
	is("LTR", "LTR");
	is("MTR", "MTR");
	is("MTK", "MTK");
	is("MTQ", "MTQ");
	is("PK", "XPK"); /* withdrawn from Rec 20; EN 16931 lists XPK */
	is("XPK", "XPK");
	is("HUR", "HUR");
	is("DAY", "DAY");
	is("LS", "LS");
	is("PR", "PR");
	is("SET", "SET");
	is("EA", "EA");
	is("XPP", "XPP");
	is("kW", "KWT");
}

static void
test_unknown(void **state)
{
	is(NULL, NULL);
	is("", NULL);
	is(" . ", NULL);
	is("Fass", NULL);
	is("kgg", NULL);
	is("Stückchen", NULL);
	is("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", NULL);
	assert_int_equal(dc_unit_same("Stk", "C62"), 1);
	assert_int_equal(dc_unit_same("EA", "St."), 1);
	assert_int_equal(dc_unit_same("XPP", "Stk"), 1); /* the suite's pieces match an order's */
	assert_int_equal(dc_unit_same("m²", "MTK"), 1);
	assert_int_equal(dc_unit_same("kg", "g"), 0);
	assert_int_equal(dc_unit_same("Fass", "Fass"), 0);
}

/* Every code the table gives has a BMEcat 2005 code (openTRANS 2.1's ORDER_UNIT). */
static void
test_bmecat(void **state)
{
	static const char *const units[] = {"Stk", "H87", "EA", "kg", "g", "t", "l", "ml", "m³",
	    "m", "cm", "mm", "km", "m²", "h", "Min", "Tag", "Woche", "Monat", "Jahr", "kWh", "Pck",
	    "Karton", "Rolle", "Dose", "Flasche", "Beutel", "Sack", "Eimer", "Box", "Palette",
	    "Paar", "Kit", "Satz", "Psch"};
	size_t i;

	for (i = 0; i < sizeof units / sizeof units[0]; i++)
		if (!dc_unit_bmecat(dc_unit_rec20(units[i])))
			fail_msg("'%s' has no BMEcat code", units[i]);
	assert_string_equal(dc_unit_bmecat("XPK"), "PK");
	assert_string_equal(dc_unit_bmecat("H87"), "C62");
	assert_string_equal(dc_unit_bmecat("KMT"), "KTM");
	assert_string_equal(dc_unit_bmecat("XPX"), "PF");
	assert_string_equal(dc_unit_bmecat("MTK"), "MTK");
	assert_null(dc_unit_bmecat("PK"));
	assert_null(dc_unit_bmecat(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_german),
	    cmocka_unit_test(test_codes),
	    cmocka_unit_test(test_unknown),
	    cmocka_unit_test(test_bmecat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
