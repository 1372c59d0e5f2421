/* Fuzz the Open311 import (lib/cases/open311.c and dc_case_upsert_open311): GeoReport v2
 * requests as JSON or XML, written into an in-memory database and rolled back. */
#include "cases/cases.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dc *ctx = fuzz_ctx();

	ctx->input = DC_IN_AUTO;
	fuzz_begin(ctx);
	dc_case_import_open311(ctx, fuzz_file(data, size));
	fuzz_end(ctx);
	return 0;
}
