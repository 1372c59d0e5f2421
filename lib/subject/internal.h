/* What lib/subject's files share; not part of its interface. */
#ifndef DC_SUBJECT_INTERNAL_H
#define DC_SUBJECT_INTERNAL_H

#include "core/dc.h"

/* How a source's rows are matched to the person. */
enum dc_subject_keykind {
	DC_SK_EMAIL,  /* the column is one of the person's addresses, ignoring case */
	DC_SK_PHONE,  /* its digits are the phone number's */
	DC_SK_NAME,   /* folded (dc_name_key), the name given to find */
	DC_SK_MEMBER, /* one of the person's member handles */
	DC_SK_CASE,   /* the row is a case the person reported */
	DC_SK_NOTE,   /* a personal note of the audit trail that names the person */
};

/* How erase treats a source's record. */
enum dc_subject_way {
	DC_SW_CASE, /* anonymised as dc-case purge does (dc_case_anonymise) */
	DC_SW_SQL,  /* the statements of erase, each with ?1 the record's id */
	DC_SW_EVENT, /* the event's field and its salt erased (dc_audit_erase) */
	DC_SW_KEEP, /* kept, for the reason why */
};

/* One place that names a person: ENTITY's record in TABLE, its id (an SQL expression), the
 * FIELD that names the person, matched as KEY on KEYCOL (WHERE further narrows), dated by
 * DATE; erased as WAY says; HELD, when not NULL, is SQL giving the reason a hold keeps it. */
struct dc_subject_src {
	const char *entity, *table, *id, *field, *keycol;
	enum dc_subject_keykind key;
	const char *where, *date;
	enum dc_subject_way way;
	const char *const *erase;
	const char *why, *held;
};
extern const struct dc_subject_src dc_subject_src[];

/* The person, from --email, --phone, --member or --name (one of them). */
struct dc_subject_key {
	const char *email, *phone, *member, *name;
};
/* The key A gives; MAY_NAME: --name is allowed (find). */
int dc_subject_key(struct dc *ctx, struct dc_args *a, int may_name, struct dc_subject_key *k);
/* Every record naming the person: entity, id, field, date, action, reason, source index. */
int dc_subject_query(struct dc *ctx, const struct dc_subject_key *k, int member_only,
                     struct dc_stmt **st);
/* Erase record ID of ENTITY as erase does (an entity erased by SQL statements: shop_order,
 * outbox, ...), whoever it names. */
int dc_subject_erase_record(struct dc *ctx, const char *entity, const char *id);
/* Remove member HANDLE with what only the membership holds (posts and comments stay under
 * the reserved member, flags and follows, the notes written on the member's behalf), as
 * erase --member does but not the cases or messages found through the member's address. */
int dc_subject_forget_member(struct dc *ctx, const char *handle, const char *why, long *notes);
/* The rows of a query as select_src gives them, read into memory. */
struct rec {
	char *entity, *id, *field, *date, *action, *reason;
	int src; /* the index in dc_subject_src */
};
struct recs {
	struct rec *r;
	long n, cap;
};
int dc_subject_recs(struct dc *ctx, struct dc_stmt *st, struct recs *l); /* finishes ST */
void dc_subject_recs_free(struct recs *l);
/* How many records (not fields) of each entity L holds whose action is in ACTIONS
 * ("erase,delete,anonymise"): "case 1, member 1"; caller frees. */
char *dc_subject_counts(const struct recs *l, const char *actions);

/* The audit event of a request (erased, exported) with COUNTS and no personal data; its id
 * DSR-YYYY-NNNNNN into ID. */
int dc_subject_request(struct dc *ctx, const char *kind, const char *counts, char id[32]);

#endif
