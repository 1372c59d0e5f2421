/* Fuzz the e-invoice reader (lib/einvoice): XML or PDF bytes, then the checks on what was
 * read. */
#include <string.h>

#include "einvoice/einvoice.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dc ctx;
	struct dc_einv inv;
	size_t i;

	ctx.prog = "fuzz-einvoice";
	if (!dc_einv_read(&ctx, "fuzz.xml", data, size, &inv)) {
		/* what was read is whole: the terms a verb relies on are there */
		if (!inv.number || !inv.currency || !inv.seller.name || !inv.xml)
			__builtin_trap();
		for (i = 0; i < inv.nlines; i++)
			if (!inv.lines[i].id)
				__builtin_trap();
		dc_einv_check(&ctx, "fuzz.xml", &inv);
	}
	dc_einv_free(&inv);
	ctx.err = 0;
	ctx.errmsg[0] = '\0';
	return 0;
}
