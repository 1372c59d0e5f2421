/*
 * Data subjects (dc-subject(1)): one table of every place that names a person drives find,
 * export and erase alike.  A person is given by an email address, a phone number, a member
 * handle or (find only) a name; the query's WITH clause widens that to what else names the
 * same person: a member's email and handle, the cases reported with the address.
 */
#include <stdlib.h>
#include <string.h>

#include "archive/archive.h"
#include "cases/cases.h"
#include "subject/internal.h"
#include "subject/subject.h"

const struct dc_rectype dc_rt_subject = {"subject-record",
                                         (const struct dc_field[]){{"entity", DC_T_STR},
                                                                   {"id", DC_T_STR},
                                                                   {"field", DC_T_STR},
                                                                   {"date", DC_T_STR},
                                                                   {"action", DC_T_STR},
                                                                   {"reason", DC_T_STR}},
                                         6};

/* The reserved author of what erased members wrote: 'ö' is no handle's letter, so no member
 * can hold it (lib/feed's check_handle). */
#define ERASED "gelöscht"
#define ERASED_TEXT "[gelöscht]"

/* A case's notes and messages stay while the case itself is kept: held, open, or not yet
 * released by the archive (dc-archive(1)). */
#define CASE_HELD(ref)                                                                             \
	"(SELECT CASE WHEN c.hold_reason IS NOT NULL THEN 'legal hold: ' || c.hold_reason"         \
	" WHEN c.status NOT IN ('closed', 'rejected', 'duplicate') THEN 'case ' || c.id"           \
	" || ' is still open' WHEN NOT " DC_ARCHIVE_MAY_DESTROY("'case'", "c.id",                  \
	DC_ARCHIVE_CASE_POLICY("c.service")) " THEN 'case ' || c.id || ' awaits the archive'"      \
	" END FROM cases c WHERE c.id = " ref ")"

/* SQLite's UPDATE OR IGNORE, which PostgreSQL has not: a flag becomes the erased member's
 * unless the post has one of those already (the flag's key is post and member). */
#define NO_ERASED_FLAG                                                                         \
	" AND NOT EXISTS (SELECT 1 FROM flag g WHERE g.post = flag.post AND g.member = '" ERASED  \
	"')"
static const char *const erase_shop_order[] = {
    "UPDATE shop_order SET member = NULL, email = '(" ERASED ")' WHERE id = ?1", NULL};
static const char *const erase_member[] = {
    "UPDATE post SET author = '" ERASED "', title = '" ERASED_TEXT "', body = '" ERASED_TEXT
    "' WHERE author = ?1",
    "UPDATE comment SET author = '" ERASED "', body = '" ERASED_TEXT "' WHERE author = ?1",
    /* a post flagged by two erased members keeps one flag */
    "UPDATE flag SET member = '" ERASED "', note = NULL WHERE member = ?1" NO_ERASED_FLAG,
    "DELETE FROM flag WHERE member = ?1", "DELETE FROM follow WHERE member = ?1",
    "UPDATE shop_order SET member = NULL, email = '(" ERASED ")' WHERE member = ?1",
    "UPDATE service_request SET member = '" ERASED "', text = '" ERASED_TEXT "'"
    " WHERE member = ?1",
    "UPDATE merchant SET owner = NULL WHERE owner = ?1", "DELETE FROM member WHERE handle = ?1",
    NULL};
static const char *const erase_post[] = {"UPDATE post SET author = '" ERASED
                                         "', title = '" ERASED_TEXT "', body = '" ERASED_TEXT
                                         "' WHERE id = ?1",
                                         NULL};
static const char *const erase_comment[] = {
    "UPDATE comment SET author = '" ERASED "', body = '" ERASED_TEXT "' WHERE id = ?1", NULL};
static const char *const erase_flag[] = {"UPDATE flag SET member = '" ERASED "', note = NULL"
                                         " WHERE post || '/' || member = ?1" NO_ERASED_FLAG,
                                         "DELETE FROM flag WHERE post || '/' || member = ?1", NULL};
static const char *const erase_follow[] = {"DELETE FROM follow WHERE id = ?1", NULL};
static const char *const erase_request[] = {"UPDATE service_request SET member = '" ERASED
                                            "', text = '" ERASED_TEXT "' WHERE id = ?1",
                                            NULL};
static const char *const erase_owner[] = {"UPDATE merchant SET owner = NULL WHERE id = ?1", NULL};
static const char *const erase_outbox[] = {
    "UPDATE outbox SET recipient = '(" ERASED ")', subject = '(" ERASED ")',"
    " body = '(" ERASED ")', unsubscribe = NULL, last_error = CASE WHEN status IN ('pending',"
    " 'failed') THEN 'erased before delivery' END, status = CASE WHEN status IN ('pending',"
    " 'failed') THEN 'dead' ELSE status END WHERE id = ?1",
    "DELETE FROM outbox_attachment WHERE outbox_id = ?1", NULL};
static const char *const erase_vendor[] = {"UPDATE vendor SET email = NULL WHERE id = ?1", NULL};

#define SHOP_HELD                                                                                  \
	"CASE WHEN status IN ('reserved', 'ready') THEN 'order ' || id || ' is not picked up yet'" \
	" END"
#define VENDOR_HELD                                                                                \
	"(SELECT 'open procurement file ' || min(o.id) FROM purchase_order o"                      \
	" WHERE o.award = vendor.id AND o.status NOT IN ('invoiced', 'cancelled'))"
/* An event stays while its case or shop order is kept. */
#define EVENT_HELD                                                                                 \
	"CASE event.entity WHEN 'case' THEN " CASE_HELD("event.ref") " WHEN 'shop_order' THEN"     \
	" (SELECT " SHOP_HELD " FROM shop_order WHERE shop_order.id = event.ref) END"
#define CHAIN                                                                                      \
	"written before schema 15 into the audit hash chain, which erasure must not break"

/* In the order erase goes: what refers to a member before the member, cases before the
 * notes in their events. */
const struct dc_subject_src dc_subject_src[] = {
    {"case", "cases", "id", "reporter_name", "reporter_name", DC_SK_CASE, NULL, "created_at",
     DC_SW_CASE, NULL, NULL, CASE_HELD("cases.id")},
    {"case", "cases", "id", "reporter_email", "reporter_email", DC_SK_CASE, NULL, "created_at",
     DC_SW_CASE, NULL, NULL, CASE_HELD("cases.id")},
    {"case", "cases", "id", "reporter_phone", "reporter_phone", DC_SK_CASE, NULL, "created_at",
     DC_SW_CASE, NULL, NULL, CASE_HELD("cases.id")},
    {"case", "cases", "id", "description", "description", DC_SK_CASE, NULL, "created_at",
     DC_SW_CASE, NULL, NULL, CASE_HELD("cases.id")},
    {"case", "cases", "id", "address", "address", DC_SK_CASE, NULL, "created_at", DC_SW_CASE, NULL,
     NULL, CASE_HELD("cases.id")},
    {"case", "cases", "id", "device_id", "device_id", DC_SK_CASE, NULL, "created_at", DC_SW_CASE,
     NULL, NULL, CASE_HELD("cases.id")},
    {"case", "cases", "id", "account_id", "account_id", DC_SK_CASE, NULL, "created_at", DC_SW_CASE,
     NULL, NULL, CASE_HELD("cases.id")},
    {"outbox", "outbox", "id", "recipient", "recipient", DC_SK_EMAIL, NULL, "created_at", DC_SW_SQL,
     erase_outbox, NULL,
     "CASE WHEN outbox.ref_type = 'case' THEN " CASE_HELD("outbox.ref_id") " END"},
    {"outbox", "outbox", "id", "recipient", "ref_id", DC_SK_MEMBER, "ref_type = 'member'",
     "created_at", DC_SW_SQL, erase_outbox, NULL, NULL},
    {"event", "event", "id", "note", "note", DC_SK_NOTE, NULL, "at", DC_SW_EVENT, NULL, NULL,
     EVENT_HELD},
    /* what the person wrote as a member (a flag's note) names them without their name */
    {"event", "event", "id", "note", "on_behalf_of", DC_SK_MEMBER, "note_hash IS NOT NULL", "at",
     DC_SW_EVENT, NULL, NULL, EVENT_HELD},
    /* the member or guest an event was written for, and a member's own events (schema 15) */
    {"event", "event", "id", "on_behalf_of", "on_behalf_of", DC_SK_MEMBER, "who_hash IS NOT NULL",
     "at", DC_SW_EVENT, NULL, NULL, EVENT_HELD},
    {"event", "event", "id", "on_behalf_of", "on_behalf_of", DC_SK_EMAIL, "who_hash IS NOT NULL",
     "at", DC_SW_EVENT, NULL, NULL, EVENT_HELD},
    {"event", "event", "id", "ref", "ref", DC_SK_MEMBER,
     "entity = 'member' AND ref_hash IS NOT NULL", "at", DC_SW_EVENT, NULL, NULL, NULL},
    /* the same written before schema 15; a deputy's on_behalf_of on a case is a staff login */
    {"event", "event", "id", "on_behalf_of", "on_behalf_of", DC_SK_MEMBER,
     "who_hash IS NULL AND entity <> 'case'", "at", DC_SW_KEEP, NULL, CHAIN, NULL},
    {"event", "event", "id", "on_behalf_of", "on_behalf_of", DC_SK_EMAIL,
     "who_hash IS NULL AND entity <> 'case'", "at", DC_SW_KEEP, NULL, CHAIN, NULL},
    {"event", "event", "id", "ref", "ref", DC_SK_MEMBER, "entity = 'member' AND ref_hash IS NULL",
     "at", DC_SW_KEEP, NULL, CHAIN, NULL},
    {"shop_order", "shop_order", "id", "member", "member", DC_SK_MEMBER, NULL, "created_at",
     DC_SW_SQL, erase_shop_order, NULL, SHOP_HELD},
    {"shop_order", "shop_order", "id", "email", "email", DC_SK_EMAIL, NULL, "created_at", DC_SW_SQL,
     erase_shop_order, NULL, SHOP_HELD},
    {"service_request", "service_request", "id", "member", "member", DC_SK_MEMBER, NULL,
     "created_at", DC_SW_SQL, erase_request, NULL, NULL},
    {"merchant", "merchant", "id", "owner", "owner", DC_SK_MEMBER, NULL, "created_at", DC_SW_SQL,
     erase_owner, NULL, NULL},
    {"flag", "flag", "post || '/' || member", "member", "member", DC_SK_MEMBER, NULL, "created_at",
     DC_SW_SQL, erase_flag, NULL, NULL},
    {"follow", "follow", "id", "member", "member", DC_SK_MEMBER, NULL, "created_at", DC_SW_SQL,
     erase_follow, NULL, NULL},
    {"comment", "comment", "id", "author", "author", DC_SK_MEMBER, NULL, "created_at", DC_SW_SQL,
     erase_comment, NULL, NULL},
    {"post", "post", "id", "author", "author", DC_SK_MEMBER, NULL, "created_at", DC_SW_SQL,
     erase_post, NULL, NULL},
    {"vendor", "vendor", "id", "email", "email", DC_SK_EMAIL, NULL, "created_at", DC_SW_SQL,
     erase_vendor, NULL, VENDOR_HELD},
    {"invoice", "invoice", "id", "seller_name", "seller_name", DC_SK_NAME, NULL, "created_at",
     DC_SW_KEEP, NULL, "an accounting record, kept for the statutory period (§ 147 AO)", NULL},
    {"member", "member", "handle", "handle", "handle", DC_SK_MEMBER, NULL, "created_at", DC_SW_SQL,
     erase_member, NULL, NULL},
    {"member", "member", "handle", "name", "handle", DC_SK_MEMBER, NULL, "created_at", DC_SW_SQL,
     erase_member, NULL, NULL},
    {"member", "member", "handle", "email", "handle", DC_SK_MEMBER, NULL, "created_at", DC_SW_SQL,
     erase_member, NULL, NULL},
    {NULL},
};

static const char *
action_of(const struct dc_subject_src *s)
{
	switch (s->way) {
	case DC_SW_CASE:
		return "anonymise";
	case DC_SW_EVENT:
		return "erase";
	case DC_SW_KEEP:
		return "keep";
	default:
		return !strncmp(s->erase[0], "DELETE", 6) || !strcmp(s->entity, "member")
		           ? "delete"
		           : "anonymise";
	}
}

int
dc_subject_key(struct dc *ctx, struct dc_args *a, int may_name, struct dc_subject_key *k)
{
	static const char *const keys[] = {"email", "phone", "member", "name"};
	int i, given = 0;

	memset(k, 0, sizeof *k);
	for (i = 0; i < 4; i++)
		if (dc_arg(a, keys[i]))
			given++;
	if (given != 1)
		return dc_error(ctx, DC_EUSAGE, "give one of --email, --phone, --member%s",
		                may_name ? ", --name" : "");
	k->email = dc_arg(a, "email"), k->phone = dc_arg(a, "phone");
	k->member = dc_arg(a, "member"), k->name = dc_arg(a, "name");
	if (k->name && !may_name)
		return dc_error(ctx, DC_EUSAGE, "--name only finds: names are not unique");
	if (k->email && !strchr(k->email, '@'))
		return dc_error(ctx, DC_EUSAGE, "--email: '%s' is not an email address", k->email);
	if (k->phone) {
		char *d = dc_digits(k->phone);
		size_t n = strlen(d);

		free(d);
		/* fewer digits would find every note that holds a short number */
		if (n < 6)
			return dc_error(ctx, DC_EUSAGE, "--phone: '%s' has fewer than 6 digits",
			                k->phone);
	}
	if (k->name) {
		char *f = dc_name_key(k->name);
		size_t n = strlen(f);

		free(f);
		if (n < 3)
			return dc_error(ctx, DC_EUSAGE, "--name: '%s' is too short to search for",
			                k->name);
	}
	return 0;
}

/*
 * The WITH clause: em (email addresses, lower case), ph (phone digits), nm0 (the name given),
 * mb (member handles), cs (the cases reported by the person), nm (the person's names as
 * given to the city, for the notes).  Only what K gives is bound: an absent key is an empty
 * set, not a NULL parameter.
 */
static void
with_person(struct dc_q *q, const struct dc_subject_key *k)
{
	dc_q_sql(q, "WITH em(v) AS (");
	if (k->email)
		dc_q_text(q, "SELECT lower(?)", k->email);
	else if (k->member)
		dc_q_text(q,
		          "SELECT lower(email) FROM member WHERE handle = ? AND email IS NOT NULL",
		          k->member);
	else
		dc_q_sql(q, "SELECT NULL WHERE 0");
	dc_q_sql(q, "), ph(v) AS (");
	if (k->phone)
		dc_q_text(q, "SELECT dc_digits(?)", k->phone);
	else
		dc_q_sql(q, "SELECT NULL WHERE 0");
	dc_q_sql(q, "), nm0(v) AS (");
	if (k->name)
		dc_q_text(q, "SELECT dc_name_key(?)", k->name);
	else
		dc_q_sql(q, "SELECT NULL WHERE 0");
	dc_q_sql(q, "), mb(v) AS (");
	/* the handle given, whether or not the member is still there: after an erase the audit
	 * chain keeps it, and find says so */
	if (k->member)
		dc_q_text(q, "SELECT ?", k->member);
	else if (k->email)
		dc_q_sql(q, "SELECT handle FROM member WHERE lower(email) IN (SELECT v FROM em)");
	else if (k->name)
		dc_q_sql(
		    q, "SELECT handle FROM member WHERE dc_name_key(name) IN (SELECT v FROM nm0)");
	else
		dc_q_sql(q, "SELECT NULL WHERE 0");
	dc_q_sql(q, "), cs(id) AS (");
	if (k->email)
		dc_q_sql(q,
		         "SELECT id FROM cases WHERE lower(reporter_email) IN (SELECT v FROM em)");
	else if (k->phone)
		dc_q_sql(q, "SELECT id FROM cases WHERE dc_digits(reporter_phone) IN"
		            " (SELECT v FROM ph)");
	else if (k->name)
		dc_q_sql(q, "SELECT id FROM cases WHERE dc_name_key(reporter_name) IN"
		            " (SELECT v FROM nm0)");
	else
		dc_q_sql(q,
		         "SELECT id FROM cases WHERE lower(reporter_email) IN (SELECT v FROM em)");
	dc_q_sql(q, "), nm(v) AS (SELECT v FROM nm0 UNION SELECT dc_name_key(name) FROM member"
	            " WHERE handle IN (SELECT v FROM mb) UNION SELECT dc_name_key(reporter_name)"
	            " FROM cases WHERE id IN (SELECT id FROM cs) AND reporter_name IS NOT NULL) ");
}

/* The condition of S's key on its column. */
static char *
match_of(const struct dc_subject_src *s)
{
	switch (s->key) {
	case DC_SK_EMAIL:
		return dc_printf("lower(%s) IN (SELECT v FROM em)", s->keycol);
	case DC_SK_PHONE:
		return dc_printf("dc_digits(%s) IN (SELECT v FROM ph)", s->keycol);
	case DC_SK_NAME:
		return dc_printf("dc_name_key(%s) IN (SELECT v FROM nm0)", s->keycol);
	case DC_SK_MEMBER:
		return dc_printf("%s IN (SELECT v FROM mb)", s->keycol);
	case DC_SK_CASE:
		return dc_strdup("id IN (SELECT id FROM cs)");
	default:
		/* a note still there (the salted-hash rule: an erased note cannot be found) */
		return dc_strdup("note_hash IS NOT NULL AND note IS NOT NULL AND ("
		                 "EXISTS (SELECT 1 FROM em WHERE length(v) > 2"
		                 " AND instr(lower(note), v))"
		                 " OR EXISTS (SELECT 1 FROM ph WHERE instr(dc_digits(note), v))"
		                 " OR EXISTS (SELECT 1 FROM nm WHERE length(v) > 2"
		                 " AND instr(dc_name_key(note), v)))");
	}
}

/* One SELECT of source I: entity, id, field, date, action, reason, I; with its condition
 * COND (the person's key, or one record's id as parameter). */
static void
select_src(struct dc_q *q, int i, const char *cond)
{
	const struct dc_subject_src *s = &dc_subject_src[i];
	char *sql;

	sql =
	    dc_printf("SELECT '%s' AS e, CAST(%s AS TEXT) AS i, '%s' AS f, %s AS d, CASE WHEN"
	              " (%s) IS NOT NULL THEN 'held' ELSE '%s' END AS a, coalesce(%s, %s%s%s) AS r,"
	              " %d AS s FROM %s"
	              " WHERE %s IS NOT NULL AND %s%s%s",
	              s->entity, s->id, s->field, s->date, s->held ? s->held : "NULL", action_of(s),
	              s->held ? s->held : "NULL", s->why ? "'" : "", s->why ? s->why : "NULL",
	              s->why ? "'" : "", i, s->table, s->field, cond, s->where ? " AND " : "",
	              s->where ? s->where : "");
	dc_q_sql(q, sql);
	free(sql);
}


/* The rows of the sources between these two, each field of a record once: the row of its
 * first source (the lowest s).  A window, not SQLite's min() with bare columns, which
 * PostgreSQL has not. */
#define ONCE_BEGIN                                                                         \
	"SELECT e, i, f, d, a, r, s FROM (SELECT *, row_number() OVER (PARTITION BY e, i, f"   \
	" ORDER BY s) AS once FROM ("
#define ONCE_END ")) WHERE once = 1"
int
dc_subject_query(struct dc *ctx, const struct dc_subject_key *k, int member_only,
                 struct dc_stmt **st)
{
	struct dc_q q = {0};
	int i, n = 0;

	with_person(&q, k);
	/* a field two sources find (a note naming the person, written on their behalf) once */
	dc_q_sql(&q, ONCE_BEGIN);
	for (i = 0; dc_subject_src[i].entity; i++) {
		char *m;

		if (member_only && dc_subject_src[i].key != DC_SK_MEMBER)
			continue;
		m = match_of(&dc_subject_src[i]);
		if (n++)
			dc_q_sql(&q, " UNION ALL ");
		select_src(&q, i, m);
		free(m);
	}
	dc_q_sql(&q, ONCE_END " ORDER BY 7, 4, 2");
	return dc_q_prepare(ctx, &q, st);
}

int
dc_subject_find(struct dc *ctx, struct dc_args *a)
{
	struct dc_subject_key k;
	struct dc_stmt *st = NULL;
	int rc;

	if (a->noperand)
		return dc_error(ctx, DC_EUSAGE, "find takes no operands");
	if ((rc = dc_subject_key(ctx, a, 1, &k)) || (rc = dc_out_check(ctx, &dc_rt_subject)) ||
	    (rc = dc_db_open(ctx)) || (rc = dc_require(ctx, "privacy", "find a person's data")) ||
	    (rc = dc_subject_query(ctx, &k, 0, &st)))
		return rc;
	return dc_out_query(ctx, &dc_rt_subject, st);
}

/* ---- erase ---------------------------------------------------------------------------- */

void
dc_subject_recs_free(struct recs *l)
{
	for (long i = 0; i < l->n; i++) {
		free(l->r[i].entity), free(l->r[i].id), free(l->r[i].field);
		free(l->r[i].date), free(l->r[i].action), free(l->r[i].reason);
	}
	free(l->r);
}

/* Read the rows of ST (columns as select_src gives them) into L; finishes ST. */
int
dc_subject_recs(struct dc *ctx, struct dc_stmt *st, struct recs *l)
{
	int rc;

	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		struct rec *r;

		if (l->n == l->cap &&
		    !(l->r = realloc(l->r,
		                     sizeof *l->r * (size_t)(l->cap = l->cap ? 2 * l->cap : 16))))
			abort();
		r = &l->r[l->n++];
		r->entity = dc_strdup(dc_col_text(st, 0)), r->id = dc_strdup(dc_col_text(st, 1));
		r->field = dc_strdup(dc_col_text(st, 2)), r->date = dc_strdup(dc_col_text(st, 3));
		r->action = dc_strdup(dc_col_text(st, 4)),
		r->reason = dc_strdup(dc_col_text(st, 5));
		r->src = (int)dc_col_int(st, 6);
	}
	dc_finish(ctx, st);
	return rc;
}

/* `erase -`: the records of find's JSONL that still name someone, each checked against the
 * table (entity and field must be one of its sources). */
static int
recs_from_input(struct dc *ctx, struct recs *l)
{
	struct dc_in *in = NULL;
	struct dc_args rec = {0};
	long line = 0;
	int rc, i;

	if ((rc = dc_in_open(ctx, "-", &in)))
		return rc;
	while ((rc = dc_in_next(ctx, in, &rec, &line)) == 1) {
		const char *e = dc_arg(&rec, "entity"), *f = dc_arg(&rec, "field"),
		           *id = dc_arg(&rec, "id");
		struct dc_stmt *st = NULL;
		struct dc_q q = {0};
		int n = 0;

		/* the record as every source of its entity and field sees it (one field may have
		 * a source per schema, as the audit trail's), once as in dc_subject_query */
		dc_q_sql(&q, ONCE_BEGIN);
		for (i = 0; id && e && f && dc_subject_src[i].entity; i++) {
			const struct dc_subject_src *src = &dc_subject_src[i];
			char *cond;

			if (strcmp(src->entity, e) || strcmp(src->field, f))
				continue;
			cond = dc_printf("CAST(%s AS TEXT) = ?1", src->id);
			if (n++)
				dc_q_sql(&q, " UNION ALL ");
			else
				dc_q_param(&q, id);
			select_src(&q, i, cond);
			free(cond);
		}
		dc_q_sql(&q, ONCE_END);
		if (!n) {
			dc_q_free(&q);
			rc = dc_error(ctx, DC_EDATA, "field '%s': not a record of dc-subject find",
			              !e    ? "entity"
			              : !f  ? "field"
			              : !id ? "id"
			                    : "field");
			break;
		}
		if ((rc = dc_q_prepare(ctx, &q, &st)) || (rc = dc_subject_recs(ctx, st, l)))
			break;
		dc_args_free(&rec);
		rec = (struct dc_args){0};
	}
	if (rc > 1)
		dc_error_prefix(ctx, "%s:%ld", dc_in_name(in), line);
	dc_args_free(&rec);
	dc_in_close(in);
	return rc == 1 ? 0 : rc;
}

/* Has this record (entity and id) been erased in this run already?  Marks it. */
static int
seen(char ***done, long *n, const char *entity, const char *id)
{
	char *key = dc_printf("%s\t%s", entity, id);

	for (long i = 0; i < *n; i++)
		if (!strcmp((*done)[i], key)) {
			free(key);
			return 1;
		}
	if (!(*done = realloc(*done, sizeof **done * (size_t)(*n + 1))))
		abort();
	(*done)[(*n)++] = key;
	return 0;
}

/* Erase record ID of source SRC; of an event, FIELDS (DC_AUDIT_*). */
static int
erase_rec(struct dc *ctx, int src, const char *id, unsigned fields, const char *why, long *notes,
          long *legacy)
{
	const struct dc_subject_src *s = &dc_subject_src[src];
	int rc = 0;

	switch (s->way) {
	case DC_SW_CASE:
		return dc_case_anonymise(ctx, id, why, notes, legacy);
	case DC_SW_EVENT:
		return dc_audit_erase(ctx, id, fields, why, notes);
	case DC_SW_KEEP:
		return 0;
	default:
		for (const char *const *sql = s->erase; *sql && !rc; sql++)
			rc = dc_exec(ctx, *sql, 1, id);
		return rc ? rc : dc_touched(ctx, id, NULL);
	}
}

int
dc_subject_erase_record(struct dc *ctx, const char *entity, const char *id)
{
	int i;

	for (i = 0; dc_subject_src[i].entity; i++)
		if (!strcmp(dc_subject_src[i].entity, entity) && dc_subject_src[i].way == DC_SW_SQL)
			return erase_rec(ctx, i, id, 0, NULL, NULL, NULL);
	return dc_error(ctx, DC_EINTERNAL, "no way to erase a %s", entity);
}

/* The fields of event ID that L erases (DC_AUDIT_*): all at once, so that its one 'purged'
 * event is named as the event is named afterwards. */
static unsigned
event_fields(const struct recs *l, const char *id)
{
	static const struct {
		const char *name;
		unsigned bit;
	} field[] = {{"note", DC_AUDIT_NOTE}, {"on_behalf_of", DC_AUDIT_WHO}, {"ref", DC_AUDIT_REF}};
	unsigned fields = 0;

	for (long i = 0; i < l->n; i++)
		if (!strcmp(l->r[i].entity, "event") && !strcmp(l->r[i].id, id) &&
		    !strcmp(l->r[i].action, "erase"))
			for (size_t k = 0; k < sizeof field / sizeof *field; k++)
				if (!strcmp(l->r[i].field, field[k].name))
					fields |= field[k].bit;
	return fields;
}

/* Erase every record of L that is neither held nor kept, each once; WHY is the note of the
 * 'purged' events. */
static int
erase_list(struct dc *ctx, const struct recs *l, const char *why, long *notes, long *legacy)
{
	char **done = NULL;
	long ndone = 0, i;
	int rc;

	/* the reserved author of erased members' posts, made when first needed */
	rc = dc_exec(ctx,
	             "INSERT OR IGNORE INTO member(handle, name, kind, active, notify,"
	             " created_at) VALUES ('" ERASED "', '" ERASED "', 'citizen', 0,"
	             " 'never', '1970-01-01T00:00:00Z')",
	             0);
	for (i = 0; !rc && i < l->n; i++) {
		const struct rec *r = &l->r[i];

		if (!strcmp(r->action, "held") || !strcmp(r->action, "keep") ||
		    seen(&done, &ndone, r->entity, r->id))
			continue;
		rc = erase_rec(ctx, r->src, r->id,
		               !strcmp(r->entity, "event") ? event_fields(l, r->id) : 0, why, notes,
		               legacy);
	}
	for (i = 0; i < ndone; i++)
		free(done[i]);
	free(done);
	return rc;
}

int
dc_subject_forget_member(struct dc *ctx, const char *handle, const char *why, long *notes)
{
	struct dc_subject_key k = {NULL, NULL, handle, NULL};
	struct dc_stmt *st = NULL;
	struct recs l = {0};
	long legacy = 0;
	int rc;

	if (!(rc = dc_subject_query(ctx, &k, 1, &st)) && !(rc = dc_subject_recs(ctx, st, &l)))
		rc = erase_list(ctx, &l, why, notes, &legacy);
	dc_subject_recs_free(&l);
	return rc;
}

/* How many records (not fields) of each entity L holds whose action is in ACTIONS
 * ("erase,delete,anonymise"): "case 1, member 1" — counts, never whose. */
char *
dc_subject_counts(const struct recs *l, const char *actions)
{
	char *text = dc_strdup(""), *next;

	for (int i = 0; dc_subject_src[i].entity; i++) {
		const char *e = dc_subject_src[i].entity;
		long n = 0;

		if (i && !strcmp(dc_subject_src[i - 1].entity, e))
			continue;
		for (long j = 0; j < l->n; j++) {
			long k;

			if (strcmp(l->r[j].entity, e) || !strstr(actions, l->r[j].action))
				continue;
			/* the first row of this record with such an action */
			for (k = 0; k < j; k++)
				if (!strcmp(l->r[k].entity, e) && !strcmp(l->r[k].id, l->r[j].id) &&
				    strstr(actions, l->r[k].action))
					break;
			n += k == j;
		}
		if (!n)
			continue;
		next = dc_printf("%s%s%s %ld", text, *text ? ", " : "", e, n);
		free(text);
		text = next;
	}
	return text;
}

int
dc_subject_request(struct dc *ctx, const char *kind, const char *counts, char id[32])
{
	struct dc_event ev = {"subject", id, kind, NULL, NULL, counts, 0};
	int rc;

	if ((rc = dc_next_id(ctx, "subject", "DSR", dc_now(ctx), id)))
		return rc;
	return dc_audit(ctx, &ev);
}

static int
erase(struct dc *ctx, void *arg)
{
	struct dc_args *a = arg;
	struct dc_subject_key k;
	struct dc_stmt *st = NULL;
	struct recs l = {0};
	char id[32], *why = NULL, *counts = NULL;
	long held = 0, notes = 0, legacy = 0, i;
	int except = dc_flag(a, "except-held"), rc;

	if ((rc = dc_require(ctx, "privacy", "erase a person's data")))
		return rc;
	if (a->noperand == 1 && !strcmp(a->operand[0], "-")) {
		if (dc_arg(a, "email") || dc_arg(a, "phone") || dc_arg(a, "member") ||
		    dc_arg(a, "name"))
			return dc_error(ctx, DC_EUSAGE,
			                "give - or one of --email, --phone, --member");
		rc = recs_from_input(ctx, &l);
	} else if (a->noperand)
		return dc_error(ctx, DC_EUSAGE, "erase takes - or no operand");
	else if (!(rc = dc_subject_key(ctx, a, 0, &k)) && !(rc = dc_subject_query(ctx, &k, 0, &st)))
		rc = dc_subject_recs(ctx, st, &l);
	if (rc)
		goto done;
	for (i = 0; i < l.n; i++)
		held += !strcmp(l.r[i].action, "held");
	if (held && !except) {
		/* nothing is erased: the list says what holds it */
		rc = 0;
		goto out;
	}
	{
		char *done_n = dc_subject_counts(&l, "erase,delete,anonymise"),
		     *held_n = dc_subject_counts(&l, "held"),
		     *kept_n = dc_subject_counts(&l, "keep");

		counts = dc_printf("erased: %s; held: %s; kept: %s", *done_n ? done_n : "none",
		                   *held_n ? held_n : "none", *kept_n ? kept_n : "none");
		free(done_n), free(held_n), free(kept_n);
	}
	if ((rc = dc_subject_request(ctx, "erased", counts, id)))
		goto done;
	why = dc_printf("personal data removed: %s", id);
	if ((rc = erase_list(ctx, &l, why, &notes, &legacy)))
		goto done;
	dc_note(ctx, "%s: %s", id, counts);
	if (legacy)
		dc_warn(ctx,
		        "warning: %ld note%s written before schema 8 stay%s in the audit trail",
		        legacy, legacy == 1 ? "" : "s", legacy == 1 ? "s" : "");
out:
	if ((rc = dc_out_begin(ctx, &dc_rt_subject)))
		goto done;
	for (i = 0; i < l.n && !rc; i++) {
		const struct rec *r = &l.r[i];
		const char *vals[6] = {r->entity, r->id, r->field, r->date, r->action, r->reason};

		rc = dc_out_row(ctx, vals);
	}
	if (!rc)
		rc = dc_out_end(ctx);
	if (!rc && held && !except)
		rc = dc_error(
		    ctx, DC_ECONFLICT,
		    "%ld record%s under a hold (listed): nothing erased; --except-held erases"
		    " the rest",
		    held, held == 1 ? " is" : "s are");
done:
	free(why);
	free(counts);
	dc_subject_recs_free(&l);
	return rc;
}

int
dc_subject_erase(struct dc *ctx, struct dc_args *a)
{
	int rc;

	if ((rc = dc_out_check(ctx, &dc_rt_subject)) || (rc = dc_db_open(ctx)) ||
	    (rc = dc_touched_open(ctx)) || (rc = dc_tx_begin(ctx)))
		return rc;
	if (!(rc = dc_tx_end(ctx, erase(ctx, a))))
		dc_db_scrub_wal(ctx);
	return rc;
}
