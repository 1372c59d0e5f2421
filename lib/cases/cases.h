/* Citizen cases: services, routing, cases and their status machine, notes, history, the
 * citizen's tracking view, purge, Open311 import; and the queue work of dc-assign. */
#ifndef DC_CASES_H
#define DC_CASES_H

#include "core/dc.h"

/* The statuses of a case (the CHECK on cases.status), and the open ones as an SQL list. */
#define DC_CASE_STATUSES "new assigned in_progress waiting resolved closed rejected duplicate"
#define DC_CASE_OPEN_SQL "('new','assigned','in_progress','waiting')"

extern const struct dc_rectype dc_rt_service, dc_rt_route, dc_rt_case, dc_rt_case_new,
    dc_rt_task, dc_rt_event, dc_rt_track;

/* services and routes */
/* service add's and route add's options (a record's fields) */
extern const struct dc_opt dc_case_service_add_spec[], dc_case_route_add_spec[];
int dc_case_service_add(struct dc *ctx, struct dc_args *rec, void *unused);
int dc_case_service_set(struct dc *ctx, const char *code, struct dc_args *a);
int dc_case_service_list(struct dc *ctx, const char *code, struct dc_stmt **st);
int dc_case_service_import(struct dc *ctx, const char *path, const char *dept);
int dc_case_route_add(struct dc *ctx, struct dc_args *rec, void *unused);
int dc_case_route_list(struct dc *ctx, struct dc_stmt **st);

/* cases */
/* dc-case new's options and a new case record's fields */
extern const struct dc_opt dc_case_new_spec[];
/* memo: NULL, or from dc_case_memo_new for a run of many records (what they share is looked
 * up once) */
int dc_case_new(struct dc *ctx, struct dc_args *rec, void *memo);
struct dc_case_memo *dc_case_memo_new(void);
void dc_case_memo_free(struct dc_case_memo *m);
/* dc_case_new's work without the touched list: the new case's id and its tracking token
 * (shown once, never stored), inside the caller's transaction. */
int dc_case_intake(struct dc *ctx, struct dc_args *rec, char id[32], char token[33]);
int dc_case_show(struct dc *ctx, const char *id, const char *extra); /* a dc_show_fn */
int dc_case_check_read(struct dc *ctx, const char *id);
/* dc-case list's filters; dc_case_list checks them (dc-export cases uses it too). */
extern const struct dc_opt dc_case_list_spec[];
int dc_case_list(struct dc *ctx, struct dc_args *filter, struct dc_stmt **st);
extern const struct dc_opt dc_case_status_spec[];
int dc_case_set_status(struct dc *ctx, const char *id, struct dc_args *a);
int dc_case_note(struct dc *ctx, const char *id, struct dc_args *a);
/* A citizen's comment that an Open311 client passes on (integrators): a public note, which
 * *event_id names. */
int dc_case_comment(struct dc *ctx, const char *id, const char *text, long long *event_id);
int dc_case_history(struct dc *ctx, const char *id, struct dc_stmt **st);
int dc_case_track(struct dc *ctx, const char *id, const char *token);
int dc_case_verify(struct dc *ctx);
/* Anonymise final cases closed before the local day BEFORE, or past their service's
 * retention; SERVICE (or NULL for all) narrows either, LIMIT (or -1) bounds the number. */
int dc_case_purge(struct dc *ctx, const char *before, const char *service, long limit);
/* What a purge did: OUT of dc_case_purge_retention (NULL: say it as dc-case purge does). */
struct dc_case_purged {
	long left;   /* how many more cases this run may anonymise; -1: no limit */
	long cases;  /* anonymised */
	long notes;  /* notes erased from the audit trail */
	long legacy; /* notes written before schema 0008: in the chain, cannot be erased */
	long held;   /* due but under a legal hold (dc-case hold) */
	long awaiting_archive; /* due, but the archive has not released them (dc-archive(1)) */
};
int dc_case_purge_retention(struct dc *ctx, const char *service, long limit,
                            struct dc_case_purged *out);
/* Anonymise case ID as a purge does, whatever its status (dc-subject erase); NOTE is the note
 * of its 'purged' event; adds the notes erased and those that stay (before schema 8). */
int dc_case_anonymise(struct dc *ctx, const char *id, const char *note, long *notes,
                      long *legacy);
/* dc-case hold ID --reason T, dc-case unhold ID: a legal hold keeps a case's personal data. */
int dc_case_hold(struct dc *ctx, const char *id, struct dc_args *a);
int dc_case_unhold(struct dc *ctx, const char *id, struct dc_args *a);
/* dc-case purge (--closed-before DATE | --retention) [--service S] [--limit N]: each case
 * anonymised and shown, then the write-ahead log truncated so that no old copy of a page
 * stays in any file (a warning when a reader holds it). */
int dc_case_purge_verb(struct dc *ctx, struct dc_args *a);
int dc_case_import_open311(struct dc *ctx, const char *path);
/* Insert or update one Open311 request given as flat fields (open311.c → case.c). */
int dc_case_upsert_open311(struct dc *ctx, struct dc_args *req, void *unused);

/* queue work (dc-assign) */
int dc_case_queue(struct dc *ctx, const char *dept, long limit, struct dc_stmt **st);
int dc_case_claim(struct dc *ctx, const char *id, struct dc_args *a);
int dc_case_claim_next(struct dc *ctx, const char *dept);
int dc_case_give(struct dc *ctx, const char *id, struct dc_args *a);
int dc_case_steal(struct dc *ctx, const char *id, struct dc_args *a);
int dc_case_release(struct dc *ctx, const char *id, struct dc_args *a);
int dc_case_transfer(struct dc *ctx, const char *id, struct dc_args *a);
int dc_case_tasks(struct dc *ctx, const char *assignee, const char *dept, struct dc_stmt **st);

#endif
