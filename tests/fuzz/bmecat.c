/* Fuzz the BMEcat reader (lib/procure/bmecat.c) on its own: header and every item. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "procure/bmecat.h"

static int
item(struct dc *ctx, struct dc_args *it, long line, void *arg)
{
	int i;

	(void)line;
	for (i = 0; i < it->n; i++)
		if (dc_text_check(ctx, it->vals[i], strlen(it->vals[i])))
			abort(); /* the reader promises checked text */
	++*(long *)arg;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dc ctx;
	struct dc_bmecat_header hdr = {0};
	long n = 0;

	ctx.prog = "fuzz-bmecat";
	dc_bmecat_read(&ctx, fuzz_file(data, size), &hdr, item, &n);
	dc_bmecat_header_free(&hdr);
	ctx.err = 0;
	ctx.errmsg[0] = '\0';
	free(ctx.cursrc);
	ctx.cursrc = NULL;
	return 0;
}
