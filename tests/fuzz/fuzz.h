/*
 * Shared set-up of the fuzz harnesses (tests/fuzz/NAME.c).  Each harness defines
 * LLVMFuzzerTestOneInput; clang's libFuzzer drives it under `make fuzz`, and replay.c drives
 * it with gcc under `make check`, so the same source serves both.
 */
#ifndef DC_FUZZ_H
#define DC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "core/dc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A path whose file holds exactly DATA (an anonymous memfd, rewritten on each call): the
 * readers under test open files by name. */
const char *fuzz_file(const uint8_t *data, size_t size);

/* The process's context on an in-memory database with the schema, created on first use.
 * The actor is "fuzz", which the bootstrap rule (no admin yet) makes an admin. */
struct dc *fuzz_ctx(void);

/* Run one input inside a transaction that is always rolled back, so each input starts from
 * the same empty database; clears the error the input left behind. */
void fuzz_begin(struct dc *ctx);
void fuzz_end(struct dc *ctx);

#endif
