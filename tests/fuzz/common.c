/* Shared set-up of the fuzz harnesses: see fuzz.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

const char *
fuzz_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	size_t off = 0;

	if (fd < 0) {
		if ((fd = memfd_create("dc-fuzz", 0)) < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0)
		abort();
	while (off < size) {
		ssize_t n = pwrite(fd, data + off, size - off, (off_t)off);

		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	return path;
}

struct dc *
fuzz_ctx(void)
{
	static struct dc ctx;
	static int ready;

	if (ready)
		return &ctx;
	/* a fixed clock: the same input takes the same path on every run */
	setenv("DC_NOW", "2026-03-02T09:00:00Z", 1);
	if (dc_init(&ctx, "fuzz")) {
		dc_print_error(&ctx);
		abort();
	}
	ctx.db_path = dc_strdup(":memory:");
	ctx.actor = dc_strdup("fuzz");
	ctx.quiet = 1;
	/* the verbs' dc_apply makes this table before calling what the harnesses call directly */
	if (dc_db_open(&ctx) ||
	    dc_exec(&ctx,
	            "CREATE TEMP TABLE IF NOT EXISTS touched (n INTEGER PRIMARY KEY,"
	            " id TEXT NOT NULL, extra TEXT)",
	            0)) {
		dc_print_error(&ctx);
		abort();
	}
	ready = 1;
	return &ctx;
}

void
fuzz_begin(struct dc *ctx)
{
	if (dc_tx_begin(ctx)) {
		dc_print_error(ctx);
		abort();
	}
}

void
fuzz_end(struct dc *ctx)
{
	/* every dc_tx_begin of the code under test must have been ended */
	if (ctx->intx != 1) {
		fprintf(stderr, "fuzz: transaction nesting is %d after the input, not 1\n",
		        ctx->intx);
		abort();
	}
	if (getenv("DC_FUZZ_VERBOSE"))
		dc_print_error(ctx); /* to see how far a seed gets */
	dc_tx_end(ctx, DC_EINTERNAL);
	ctx->err = 0;
	ctx->errmsg[0] = '\0';
	free(ctx->cursrc);
	ctx->cursrc = NULL;
	ctx->curline = 0;
	ctx->input_name = NULL;
}
