/*
 * libpq: the PostgreSQL client library (dc migrate, docs/postgresql.md).
 * Include this instead of libpq-fe.h; the library is loaded at the first call, so that a city
 * on SQLite never loads it.  As in xmllib.h, the list is what the code uses.
 */
#ifndef DC_PQLIB_H
#define DC_PQLIB_H

#include <libpq-fe.h>

#include "core/lazy.h"

#define DC_PQ_FUNCTIONS(X)                                                                    \
	X(PQclear) X(PQconnectdb) X(PQconnectdbParams) X(PQerrorMessage) X(PQexec)              \
	X(PQexecParams) X(PQfinish) X(PQfreemem) X(PQgetCopyData) X(PQgetResult)               \
	X(PQgetisnull) X(PQgetvalue) X(PQnfields) X(PQntuples) X(PQputCopyData)                \
	X(PQputCopyEnd) X(PQresultErrorField) X(PQresultErrorMessage) X(PQresultStatus)        \
	X(PQsetNoticeProcessor) X(PQstatus) X(PQcmdStatus) X(PQcmdTuples) X(PQftype)           \
	X(PQfname) X(PQresStatus) X(PQtransactionStatus) X(PQunescapeBytea)             \
	X(PQprepare) X(PQexecPrepared)

DC_LAZY_API(dc_pq_api, dc_pq_lib, dc_pq, DC_PQ_FUNCTIONS)

#ifndef DC_PQLIB_H_TABLE
#define PQclear (*dc_pq()->PQclear)
#define PQcmdStatus (*dc_pq()->PQcmdStatus)
#define PQcmdTuples (*dc_pq()->PQcmdTuples)
#define PQconnectdb (*dc_pq()->PQconnectdb)
#define PQconnectdbParams (*dc_pq()->PQconnectdbParams)
#define PQerrorMessage (*dc_pq()->PQerrorMessage)
#define PQexec (*dc_pq()->PQexec)
#define PQexecParams (*dc_pq()->PQexecParams)
#define PQexecPrepared (*dc_pq()->PQexecPrepared)
#define PQfinish (*dc_pq()->PQfinish)
#define PQfname (*dc_pq()->PQfname)
#define PQftype (*dc_pq()->PQftype)
#define PQfreemem (*dc_pq()->PQfreemem)
#define PQgetCopyData (*dc_pq()->PQgetCopyData)
#define PQgetResult (*dc_pq()->PQgetResult)
#define PQgetisnull (*dc_pq()->PQgetisnull)
#define PQgetvalue (*dc_pq()->PQgetvalue)
#define PQnfields (*dc_pq()->PQnfields)
#define PQntuples (*dc_pq()->PQntuples)
#define PQprepare (*dc_pq()->PQprepare)
#define PQputCopyData (*dc_pq()->PQputCopyData)
#define PQputCopyEnd (*dc_pq()->PQputCopyEnd)
#define PQresultErrorField (*dc_pq()->PQresultErrorField)
#define PQresultErrorMessage (*dc_pq()->PQresultErrorMessage)
#define PQresStatus (*dc_pq()->PQresStatus)
#define PQresultStatus (*dc_pq()->PQresultStatus)
#define PQsetNoticeProcessor (*dc_pq()->PQsetNoticeProcessor)
#define PQstatus (*dc_pq()->PQstatus)
#define PQtransactionStatus (*dc_pq()->PQtransactionStatus)
#define PQunescapeBytea (*dc_pq()->PQunescapeBytea)
#endif

#endif
