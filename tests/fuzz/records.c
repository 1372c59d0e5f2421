/* Fuzz the record reader (lib/core/in.c): the same bytes read in every input mode, as the
 * commands would with -i auto/jsonl/json/csv/tsv and the excel-de dialect. */
#include <stdlib.h>

#include "fuzz.h"

#define MAX_RECORDS 10000 /* a bound on the loop, not on the reader */

static void
read_all(struct dc *ctx, const char *path, size_t size, enum dc_input mode, int excel_de)
{
	struct dc_args rec = {0};
	struct dc_in *in = NULL;
	long line = 0, calls = 0;
	int rc, n = 0;

	ctx->input = mode;
	ctx->excel_de = excel_de;
	/* as without --keep-going: up to the first error */
	if (dc_in_open(ctx, path, &in) == 0) {
		while (n++ < MAX_RECORDS && (rc = dc_in_next(ctx, in, &rec, &line)) == 1) {
			int i;

			/* every value handed on is text the rest of libdc may use as such */
			for (i = 0; i < rec.n; i++)
				if (!rec.keys[i] || !rec.vals[i])
					abort();
		}
		dc_in_close(in);
	}
	ctx->err = 0;
	ctx->errmsg[0] = '\0';
	/* as under --keep-going (with --rejects, so the raw text is kept too): on past every
	 * error to the end.  Each call consumes at least a byte, so more calls than bytes is a
	 * reader that stopped making progress: the loop that once filled a disk. */
	ctx->rejects_path = "-";
	if (dc_in_open(ctx, path, &in) == 0) {
		while ((rc = dc_in_next(ctx, in, &rec, &line)) != 0) {
			if ((size_t)++calls > size + 1)
				abort();
			ctx->err = 0;
			ctx->errmsg[0] = '\0';
		}
		dc_in_close(in);
	}
	ctx->rejects_path = NULL;
	dc_args_free(&rec);
	ctx->err = 0;
	ctx->errmsg[0] = '\0';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dc ctx; /* the reader needs no database */
	const char *path = fuzz_file(data, size);

	ctx.prog = "fuzz-records";
	read_all(&ctx, path, size, DC_IN_AUTO, 0);
	read_all(&ctx, path, size, DC_IN_JSONL, 0);
	read_all(&ctx, path, size, DC_IN_JSON, 0);
	read_all(&ctx, path, size, DC_IN_CSV, 0);
	read_all(&ctx, path, size, DC_IN_CSV, 1);
	read_all(&ctx, path, size, DC_IN_TSV, 0);
	return 0;
}
