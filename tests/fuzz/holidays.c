/* Fuzz the holiday import (lib/org/holiday.c): iCalendar, or CSV/JSON records, into an
 * in-memory database, rolled back after each input. */
#include "fuzz.h"
#include "org/org.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dc *ctx = fuzz_ctx();

	ctx->input = DC_IN_AUTO;
	fuzz_begin(ctx);
	dc_org_holiday_import(ctx, fuzz_file(data, size));
	fuzz_end(ctx);
	return 0;
}
