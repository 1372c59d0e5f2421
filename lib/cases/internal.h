/* Helpers shared by the cases modules (case.c, intake.c, status.c, purge.c, queue.c,
 * open311.c); not part of lib/cases' interface. */
#ifndef DC_CASES_INTERNAL_H
#define DC_CASES_INTERNAL_H

#include "cases/cases.h"
#include "core/dc.h"

/* The columns of a case record, in dc_rt_case order; ?1 must be bound to now.  `overdue` is
 * an OR chain: an IN list here builds a temporary b-tree each time the statement runs, which
 * was half the cost of showing one case. */
#define CASE_COLS                                                                              \
	"c.id, c.service, s.name, s.kind, c.dept, c.status, c.assignee, c.priority,"               \
	" c.description, c.address, c.district, c.lat, c.lon, c.attributes, c.media,"              \
	" c.reporter_name, c.reporter_email, c.reporter_phone, c.channel, c.external_id,"          \
	" c.duplicate_of, c.created_at, c.updated_at, c.due_at, c.closed_at,"                      \
	" c.due_at < ?1 AND (c.status = 'new' OR c.status = 'assigned'"                            \
	" OR c.status = 'in_progress' OR c.status = 'waiting'),"                                   \
	" c.hold_reason, c.hold_by, c.hold_at"
#define CASE_FROM " FROM cases c JOIN service s ON s.code = c.service "
#define CASE_SELECT "SELECT " CASE_COLS CASE_FROM

#define OPEN_STATUSES DC_CASE_OPEN_SQL

/* What a verb needs to know about one case; texts owned. */
struct casex {
	char *id, *dept, *status, *assignee, *email, *name, *lang, *service_name;
	char *dept_name, *created_at, *due_at;
	const char *token; /* the tracking token, known at intake only (borrowed); else NULL */
};


void dc_cases_free(struct casex *c);
/* Load case ID (exit 2 if there is none). */
int dc_cases_load(struct dc *ctx, const char *id, struct casex *c);
int dc_cases_same(const char *a, const char *b); /* NULL-safe string equality */
/* May the actor work on the case (assignee, their deputy, the department's head) or read it? */
int dc_cases_may_work(struct dc *ctx, const struct casex *c);
int dc_cases_may_read(struct dc *ctx, const struct casex *c);
void dc_cases_now(struct dc *ctx, char buf[21]);
/* track.url for case ID, with TOKEN for {token} or, when NULL, without it; caller frees. */
char *dc_cases_track_url(struct dc *ctx, const char *id, const char *token);
const char *dc_cases_status_text(const char *status, int en);
/* Queue template TMPL to the reporter about the case. */
int dc_cases_notify(struct dc *ctx, const struct casex *c, const char *tmpl, const char *status,
                    const char *note);
int dc_cases_event(struct dc *ctx, const char *id, const char *kind, const char *from,
                   const char *to, const char *note, int public);

/* The service a new case names, with the department its district routes it to. */
struct service_info {
	char *dept, *definition, *name, *dept_name;
	long sla;
	int active;
};
int dc_cases_service_info(struct dc *ctx, const char *code, const char *district,
                          struct service_info *s);
void dc_cases_service_info_free(struct service_info *s);
/* Checks and conversions of intake that the Open311 import shares. */
int dc_cases_coordinate(struct dc *ctx, const char *field, const char *v, double lim);
char *dc_cases_media_json(struct dc_args *rec); /* the media URLs as a JSON array; caller frees */
int dc_cases_due_at(struct dc *ctx, time_t from, long sla, char out[21]);
int dc_cases_is_closed(const char *status); /* resolved, closed, rejected or duplicate */
/* The status machine (status.c), which queue work drives too: is FROM → TO a transition, and
 * the move itself, with its event and the reporter's notification. */
int dc_cases_allowed(const char *from, const char *to);
int dc_cases_move(struct dc *ctx, struct casex *c, const char *to, const char *assignee,
                  const char *note, const char *dup, const char *kind);

#endif
