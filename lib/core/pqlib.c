/* libpq, loaded on first use: the table behind pqlib.h. */
#define DC_PQLIB_H_TABLE
#include "core/pqlib.h"

#ifndef DC_SONAME_PQ
#error "the Makefile passes the SONAME the build links against"
#endif

DC_LAZY_TABLE(dc_pq_api, dc_pq_lib, DC_SONAME_PQ, DC_PQ_FUNCTIONS)
