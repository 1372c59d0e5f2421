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
	is("Stk", "H87");
	is("St.", "H87");
	is("ST", "H87"); /* Stück, not the withdrawn ST (sheet) */
	is("Stück", "H87");
	is("STÜCK", "H87");
	is("stk.", "H87");
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
	is("Satz", "SET");
	is("Set", "SET");
	is("Psch", "LS");
	is("pauschal", "LS");
	is(" Stk ", "H87");
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
	assert_int_equal(dc_unit_same("m²", "MTK"), 1);
	assert_int_equal(dc_unit_same("kg", "g"), 0);
	assert_int_equal(dc_unit_same("Fass", "Fass"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_german),
	    cmocka_unit_test(test_codes),
	    cmocka_unit_test(test_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
