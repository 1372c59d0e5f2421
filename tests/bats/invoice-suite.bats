#!/usr/bin/env bats
# A sample of the XRechnung test suite, UBL and CII, each booked against an order built from
# it (tests/einvoice/book-suite; `make check-einvoice-book` books every file of the suite).

load helper

@test "six suite invoices (three UBL, three CII) book against orders built from them" {
	run "$ROOT/tests/einvoice/book-suite" --bin "$BIN" \
		business-cases/standard/01.01a-INVOICE_ubl.xml \
		business-cases/standard/01.05a-INVOICE_ubl.xml \
		business-cases/standard/02.01a-INVOICE_ubl.xml \
		business-cases/standard/01.03a-INVOICE_uncefact.xml \
		business-cases/standard/01.14a-INVOICE_uncefact.xml \
		business-cases/standard/03.01a-INVOICE_uncefact.xml
	assert_success
	assert_line "total: 6 booked, 0 failed"
}
