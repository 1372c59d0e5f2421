/* Members, follows, posts, comments and the feed listings (dc-feed(1)). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "feed/feed.h"
#include "feed/internal.h"

const struct dc_rectype dc_rt_member = {
	"member",
	(const struct dc_field[]){{"handle", DC_T_STR}, {"name", DC_T_STR}, {"kind", DC_T_STR},
	                          {"email", DC_T_STR}, {"district", DC_T_STR},
	                          {"interests", DC_T_JSON}, {"notify", DC_T_STR},
	                          {"active", DC_T_BOOL}, {"follows", DC_T_JSON},
	                          {"posts", DC_T_INT}, {"created_at", DC_T_STR}},
	11};

#define POST_FIELDS                                                                            \
	{"id", DC_T_STR}, {"kind", DC_T_STR}, {"author", DC_T_STR}, {"title", DC_T_STR},           \
	    {"body", DC_T_STR}, {"district", DC_T_STR}, {"topics", DC_T_JSON},                    \
	    {"starts_at", DC_T_STR}, {"ends_at", DC_T_STR}, {"all_day", DC_T_BOOL},                \
	    {"location", DC_T_STR}, {"ref", DC_T_STR}, {"status", DC_T_STR},                       \
	    {"hidden_by", DC_T_STR}, {"reason", DC_T_STR}, {"flags", DC_T_INT},                    \
	    {"comment_count", DC_T_INT}, {"created_by", DC_T_LOGIN},                               \
	    {"created_at", DC_T_STR}, {"updated_at", DC_T_STR}
#define NPOST 20

const struct dc_rectype dc_rt_post = {"post", (const struct dc_field[]){POST_FIELDS}, NPOST};
const struct dc_rectype dc_rt_post_for = {
	"post", (const struct dc_field[]){POST_FIELDS, {"why", DC_T_STR}}, NPOST + 1};
const struct dc_rectype dc_rt_post_show = {
	"post", (const struct dc_field[]){POST_FIELDS, {"comments", DC_T_JSON}}, NPOST + 1};

const struct dc_rectype dc_rt_comment = {
	"comment",
	(const struct dc_field[]){{"id", DC_T_STR}, {"post", DC_T_STR}, {"author", DC_T_STR},
	                          {"body", DC_T_STR}, {"status", DC_T_STR}, {"hidden_by", DC_T_STR},
	                          {"reason", DC_T_STR}, {"created_by", DC_T_LOGIN},
	                          {"created_at", DC_T_STR}},
	9};

/* The columns of a post record, for a post p; comment_count counts what the public sees. */
#define POST_COLS                                                                              \
	"p.id AS id, p.kind AS kind, p.author AS author, p.title AS title, p.body AS body,"        \
	" p.district AS district, p.topics AS topics, p.starts_at AS starts_at,"                   \
	" p.ends_at AS ends_at, p.all_day AS all_day, p.location AS location, p.ref AS ref,"      \
	" p.status AS status, p.hidden_by AS hidden_by, p.reason AS reason,"                       \
	" (SELECT count(*) FROM flag f WHERE f.post = p.id) AS flags,"                             \
	" (SELECT count(*) FROM comment c WHERE c.post = p.id AND c.status = 'visible'"            \
	"   AND p.status IN ('visible', 'locked')) AS comment_count,"                               \
	" p.created_by AS created_by, p.created_at AS created_at, p.updated_at AS updated_at"

/* ---- helpers shared by the feed modules ------------------------------------------------- */

int
dc_feed_need(struct dc *ctx, struct dc_args *rec, const char *key, const char **out)
{
	if (!(*out = dc_arg(rec, key)) || !**out)
		return dc_field_error(ctx, "field '%s' is required", key);
	return 0;
}

int
dc_feed_oneof(struct dc *ctx, const char *field, const char *v, const char *allowed)
{
	char list[256] = "";
	const char *p = allowed;

	while (*p) {
		size_t len = strcspn(p, " ");

		if (len == strlen(v) && !strncmp(p, v, len))
			return 0;
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%.*s",
		         *list ? ", " : "", (int)len, p);
		p += len;
		p += strspn(p, " ");
	}
	return dc_error(ctx, DC_EDATA, "field '%s': '%s' is not one of %s", field, v, list);
}

/* 0 when the member exists, else the error (2) or a database error. */
int
dc_feed_member_exists(struct dc *ctx, const char *field, const char *handle)
{
	int rc = dc_must_exist(ctx, "SELECT 1 FROM member WHERE handle = ?1", "member", handle);

	return rc && field ? dc_error_prefix(ctx, "field '%s'", field) : rc;
}

/* Run an audit event on behalf of a member: the acting staff login stays the actor.  The
 * member's handle and the note (a member's name, a flag's note, a moderator's reason) may
 * name a person, so the chain covers their salted hashes and dc-subject erase can erase
 * them. */
int
dc_feed_audit(struct dc *ctx, const char *member, const char *entity, const char *ref,
              const char *kind, const char *from, const char *to, const char *note)
{
	struct dc_event ev = {entity, ref, kind, from, to, note, 0};

	return dc_audit_citizen(ctx, &ev, member, 1);
}

/* The status a keyword filter gives TEXT: "hidden" or "held" with *word set (caller frees),
 * or NULL when no filter word occurs as a whole word (ASCII case-insensitive). */
int
dc_feed_filter_match(struct dc *ctx, const char *a, const char *b, const char **status,
                     char **word)
{
	struct dc_stmt *st = NULL;
	char *text = dc_printf("%s\n%s", a ? a : "", b ? b : "");
	size_t i;
	int rc;

	*status = NULL;
	*word = NULL;
	for (i = 0; text[i]; i++)
		text[i] = (char)tolower((unsigned char)text[i]);
	/* hide wins over hold; then the alphabetically first word, so the result is stable */
	if ((rc = dc_prepare(ctx, &st, "SELECT lower(word), action FROM filter"
	                               " ORDER BY action = 'hide' DESC, word")))
		goto done;
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		const char *w = dc_col_text(st, 0), *p = text;
		size_t n = strlen(w);

		while (n && (p = strstr(p, w))) {
			unsigned char before = p == text ? ' ' : (unsigned char)p[-1];
			unsigned char after = (unsigned char)p[n];

			if (!isalnum(before) && before < 0x80 && !isalnum(after) && after < 0x80) {
				*status = strcmp(dc_col_text(st, 1), "hide") ? "held" : "hidden";
				*word = dc_strdup(dc_col_text(st, 0));
				break;
			}
			p++;
		}
		if (*word)
			break;
	}
	if (rc == DC_ROW)
		rc = 0;
done:
	dc_finish(ctx, st);
	free(text);
	return rc;
}

/* Collect every value of KEY (repeated, or comma-separated) into a JSON array of distinct
 * lowercase words; NULL when KEY is absent. */
static int
word_list(struct dc *ctx, struct dc_args *a, const char *key, char **out)
{
	json_object *arr;
	const char *v;
	int i, rc = 0;

	*out = NULL;
	if (!dc_arg(a, key))
		return 0;
	arr = json_object_new_array();
	for (i = 0; !rc && (v = dc_arg_nth(a, key, i)); i++) {
		char *copy = dc_strdup(v), *save = NULL, *w;

		for (w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
			char *end;
			size_t j, k;
			int dup = 0;

			w += strspn(w, " \t");
			for (end = w + strlen(w); end > w && (end[-1] == ' ' || end[-1] == '\t'); end--)
				;
			*end = '\0';
			if (!*w)
				continue;
			for (j = 0; w[j]; j++)
				w[j] = (char)tolower((unsigned char)w[j]);
			if (strlen(w) > 64) {
				rc = dc_error(ctx, DC_EDATA, "field '%s': '%s' is longer than 64 bytes", key, w);
				break;
			}
			for (k = 0; k < json_object_array_length(arr); k++)
				dup |= !strcmp(json_object_get_string(json_object_array_get_idx(arr, k)), w);
			if (!dup)
				json_object_array_add(arr, json_object_new_string(w));
		}
		free(copy);
	}
	if (!rc)
		*out = dc_strdup(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
	json_object_put(arr);
	return rc;
}

static int
check_handle(struct dc *ctx, const char *field, const char *v)
{
	if (!*v || strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
	               strlen(v) || strlen(v) > 64)
		return dc_error(ctx, DC_EDATA,
		                "field '%s': '%s' is not a handle (letters, digits, - _ ., at most 64)",
		                field, v);
	return 0;
}

/* The values of schemas/sql/0003-community.sql's CHECKs on member.kind, post.kind and
 * member.notify. */
#define MEMBER_KINDS "citizen business organisation authority"
#define POST_KINDS "news event offer question notice"
#define NOTIFY_MODES "immediate daily weekly never"

/* Who may act for members (dcity(7) "Identity and roles"): the portal's integrator account, or
 * an admin. */
#define ON_BEHALF "integrator"

/* ---- members ---------------------------------------------------------------------------- */

/* A new member: member add's operand and options, or a record's fields. */
struct member_new {
	const char *handle, *name, *kind, *email, *district, *notify;
};

const struct dc_opt dc_feed_member_add_spec[] = {
	{"handle", DC_V_TEXT, DC_O_REQUIRED | DC_O_OPERAND, NULL, "HANDLE", NULL, NULL,
	 DC_AT(struct member_new, handle)},
	{"name", DC_V_TEXT, DC_O_REQUIRED, NULL, "N", NULL, NULL, DC_AT(struct member_new, name)},
	{"kind", DC_V_ENUM, DC_O_REQUIRED, MEMBER_KINDS, NULL, NULL, NULL,
	 DC_AT(struct member_new, kind)},
	{"email", DC_V_TEXT, 0, NULL, "E", NULL, NULL, DC_AT(struct member_new, email)},
	{"district", DC_V_TEXT, 0, NULL, "D", NULL, NULL, DC_AT(struct member_new, district)},
	/* every value, each a comma-separated list: word_list reads them */
	{"interests", DC_V_TEXT, DC_O_REPEAT | DC_O_LIST, NULL, "T", NULL, NULL, DC_NOFIELD},
	{"notify", DC_V_ENUM, 0, NOTIFY_MODES, NULL, NULL, NULL, DC_AT(struct member_new, notify)},
	{NULL},
};

int
dc_feed_member_add(struct dc *ctx, struct dc_args *rec, void *unused)
{
	struct member_new m;
	char *interests = NULL, at[21];
	int rc;

	if ((rc = dc_require(ctx, ON_BEHALF, "add members")) ||
	    (rc = dc_decode(ctx, dc_feed_member_add_spec, rec, &m)) ||
	    (rc = check_handle(ctx, "handle", m.handle)) ||
	    (rc = word_list(ctx, rec, "interests", &interests)))
		goto done;
	if (m.email && *m.email && !dc_email_ok(m.email)) {
		rc = dc_field_error(ctx, "field 'email': '%s' is not an email address", m.email);
		goto done;
	}
	if ((rc = dc_must_not_exist(ctx, "SELECT 1 FROM member WHERE handle = ?1", "member",
	                            m.handle)))
		goto done;
	dc_fmt_time(dc_now(ctx), at);
	if ((rc = dc_exec(ctx, "INSERT INTO member(handle, name, kind, email, district, interests,"
	                       " notify, created_at) VALUES (?1, ?2, ?3, ?4, ?5, coalesce(?6, '[]'),"
	                       " coalesce(?7, 'weekly'), ?8)",
	                  8, m.handle, m.name, m.kind, m.email, m.district, interests, m.notify,
	                  at)) ||
	    (rc = dc_feed_audit(ctx, m.handle, "member", m.handle, "created", NULL, m.kind,
	                        m.name)))
		goto done;
	rc = dc_touched(ctx, m.handle, NULL);
done:
	free(interests);
	return rc;
}

int
dc_feed_member_set(struct dc *ctx, const char *handle, struct dc_args *a)
{
	const char *notify = dc_arg(a, "notify"), *active = dc_arg(a, "active");
	char *interests = NULL, *change = NULL;
	int rc;

	/* the fields it changes are member add's, their values checked by its spec (--notify) */
	if ((rc = dc_require(ctx, ON_BEHALF, "change members")) ||
	    (rc = dc_feed_member_exists(ctx, NULL, handle)) ||
	    (rc = dc_spec_check(ctx, dc_feed_member_add_spec, a)) ||
	    (rc = word_list(ctx, a, "interests", &interests)))
		goto done;
	if (dc_arg(a, "email") && *dc_arg(a, "email") && !dc_email_ok(dc_arg(a, "email"))) {
		rc = dc_field_error(ctx, "field 'email': '%s' is not an email address",
		                    dc_arg(a, "email"));
		goto done;
	}
	if (active && strcmp(active, "true") && strcmp(active, "false")) {
		rc = dc_error(ctx, DC_EDATA, "field 'active': '%s' is not true or false", active);
		goto done;
	}
	if ((rc = dc_exec(ctx, "UPDATE member SET name = coalesce(?2, name), email = coalesce(?3, email),"
	                       " district = coalesce(?4, district), interests = coalesce(?5, interests),"
	                       " notify = coalesce(?6, notify),"
	                       " active = coalesce(" DC_SQL_FLAG("?7") ", active)"
	                       " WHERE handle = ?1",
	                  7, handle, dc_arg(a, "name"), dc_arg(a, "email"), dc_arg(a, "district"),
	                  interests, notify, active)))
		goto done;
	change = dc_printf("name=%s email=%s district=%s interests=%s notify=%s active=%s",
	                   dc_arg(a, "name") ? dc_arg(a, "name") : "-",
	                   dc_arg(a, "email") ? dc_arg(a, "email") : "-",
	                   dc_arg(a, "district") ? dc_arg(a, "district") : "-",
	                   interests ? interests : "-", notify ? notify : "-", active ? active : "-");
	/* the change names and addresses the member: the note, not the chained to_value */
	if (!(rc = dc_feed_audit(ctx, handle, "member", handle, "changed", NULL, NULL, change)))
		rc = dc_touched(ctx, handle, NULL);
done:
	free(interests);
	free(change);
	return rc;
}

/* dc-feed member list's filters: each given one adds its condition. */
const struct dc_opt dc_feed_member_list_spec[] = {
	{"district", DC_V_TEXT, 0, NULL, "D", NULL, "m.district = ? COLLATE NOCASE", DC_NOFIELD},
	{"kind", DC_V_ENUM, 0, MEMBER_KINDS, "K", NULL, "m.kind = ?", DC_NOFIELD},
	{NULL},
};

int
dc_feed_member_list(struct dc *ctx, const char *handle, struct dc_args *a, struct dc_stmt **st)
{
	int rc;

	if ((rc = dc_require(ctx, ON_BEHALF " moderator auditor", "see members")))
		return rc;
	return dc_q_list(ctx, st,
	                 "SELECT m.handle, m.name, m.kind, m.email, m.district, m.interests,"
	                 " m.notify, m.active,"
	                 " (SELECT json_group_array(x) FROM (SELECT CASE WHEN f.topic IS NOT NULL"
	                 "   THEN 'topic:' || f.topic ELSE 'district:' || f.district END AS x"
	                 "   FROM follow f WHERE f.member = m.handle ORDER BY x)),"
	                 " (SELECT count(*) FROM post p WHERE p.author = m.handle),"
	                 " m.created_at FROM member m",
	                 "m.handle = ?", handle, dc_feed_member_list_spec, a, " ORDER BY m.handle");
}

/* The topic or district of a follow/unfollow: exactly one of --topic, --district. */
static int
follow_target(struct dc *ctx, struct dc_args *a, char **topic, const char **district)
{
	const char *t = dc_arg(a, "topic");
	size_t i;

	*topic = NULL;
	*district = dc_arg(a, "district");
	if (!t == !*district || (t && !*t) || (*district && !**district))
		return dc_error(ctx, DC_EUSAGE, "give either --topic T or --district D");
	if (t) {
		*topic = dc_strdup(t);
		for (i = 0; (*topic)[i]; i++)
			(*topic)[i] = (char)tolower((unsigned char)(*topic)[i]);
	}
	return 0;
}

static int
follow_change(struct dc *ctx, const char *handle, struct dc_args *a, int on)
{
	const char *district;
	char *topic = NULL, *what = NULL, at[21];
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_require(ctx, ON_BEHALF, on ? "follow for members" : "unfollow for members")) ||
	    (rc = follow_target(ctx, a, &topic, &district)) ||
	    (rc = dc_feed_member_exists(ctx, NULL, handle)))
		goto done;
	what = topic ? dc_printf("topic:%s", topic) : dc_printf("district:%s", district);
	dc_fmt_time(dc_now(ctx), at);
	if ((rc = dc_prepare(ctx, &st,
	                     on ? "INSERT INTO follow(member, topic, district, created_at)"
	                          " VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING"
	                        : "DELETE FROM follow WHERE member = ?1 AND topic IS ?2"
	                          " AND district IS ?3 AND ?4 IS NOT NULL")))
		goto done;
	dc_bind_text_ref(st, 1, handle);
	dc_bind_text_ref(st, 2, topic);
	dc_bind_text_ref(st, 3, district);
	dc_bind_text_ref(st, 4, at);
	if ((rc = dc_step(ctx, st)) != 0)
		goto done;
	if (!dc_changes(ctx)) {
		/* following twice is no change; unfollowing what one does not follow is an error */
		if (!on)
			rc = dc_error(ctx, DC_ENOTFOUND, "member '%s' does not follow %s", handle, what);
		else
			rc = dc_touched(ctx, handle, NULL);
		goto done;
	}
	if (!(rc = dc_feed_audit(ctx, handle, "member", handle, on ? "follow" : "unfollow", NULL, what,
	                         NULL)))
		rc = dc_touched(ctx, handle, NULL);
done:
	dc_finish(ctx, st);
	free(topic);
	free(what);
	return rc;
}

int
dc_feed_follow(struct dc *ctx, const char *handle, struct dc_args *a)
{
	return follow_change(ctx, handle, a, 1);
}

int
dc_feed_unfollow(struct dc *ctx, const char *handle, struct dc_args *a)
{
	return follow_change(ctx, handle, a, 0);
}

/* ---- posts -------------------------------------------------------------------------------- */

/* An event time: a date (all day) or an instant, normalised to UTC. */
static int
event_time(struct dc *ctx, const char *field, const char *v, char buf[21], int *date_only)
{
	time_t t;
	long days;

	if (strlen(v) == 10 && dc_parse_date(v, &days) == 0) {
		dc_fmt_date(days, buf);
		*date_only = 1;
		return 0;
	}
	if (dc_parse_time(v, &t) < 0)
		return dc_error(ctx, DC_EDATA, "field '%s': '%s' is not a date or RFC 3339 time", field, v);
	dc_fmt_time(t, buf);
	*date_only = 0;
	return 0;
}

/* A new post: post's options, or a record's fields. */
struct post_new {
	const char *author, *title, *body, *kind, *district, *starts, *ends, *location, *ref;
};

const struct dc_opt dc_feed_post_spec[] = {
	{"author", DC_V_TEXT, DC_O_REQUIRED, NULL, "HANDLE", NULL, NULL,
	 DC_AT(struct post_new, author)},
	{"title", DC_V_TEXT, DC_O_REQUIRED, NULL, "T", NULL, NULL, DC_AT(struct post_new, title)},
	{"body", DC_V_TEXT, DC_O_REQUIRED | DC_O_LINES, NULL, "B", NULL, NULL,
	 DC_AT(struct post_new, body)},
	{"kind", DC_V_ENUM, 0, POST_KINDS, NULL, NULL, NULL, DC_AT(struct post_new, kind)},
	{"district", DC_V_TEXT, 0, NULL, "D", NULL, NULL, DC_AT(struct post_new, district)},
	/* every value, each a comma-separated list: word_list reads them */
	{"topics", DC_V_TEXT, DC_O_REPEAT | DC_O_LIST, NULL, "T", NULL, NULL, DC_NOFIELD},
	/* a date or an instant: event_time decides */
	{"starts", DC_V_TEXT, 0, NULL, "DT", NULL, NULL, DC_AT(struct post_new, starts)},
	{"ends", DC_V_TEXT, 0, NULL, "DT", NULL, NULL, DC_AT(struct post_new, ends)},
	{"location", DC_V_TEXT, 0, NULL, "L", NULL, NULL, DC_AT(struct post_new, location)},
	{"ref", DC_V_TEXT, 0, NULL, "ID", NULL, NULL, DC_AT(struct post_new, ref)},
	{NULL},
};

static int
check_event(struct dc *ctx, const struct post_new *p, char starts[21], char ends[21],
            int *all_day)
{
	const char *s = p->starts, *e = p->ends;
	int rc, edate = 0;

	*starts = *ends = '\0';
	*all_day = 0;
	if (strcmp(p->kind, "event")) {
		if (s || e)
			return dc_error(ctx, DC_EDATA, "field '%s': only events have start and end times",
			                s ? "starts" : "ends");
		return 0;
	}
	if (!s || !*s)
		return dc_error(ctx, DC_EDATA, "field 'starts': an event needs a start");
	if ((rc = event_time(ctx, "starts", s, starts, all_day)))
		return rc;
	if (!e || !*e)
		return 0;
	if ((rc = event_time(ctx, "ends", e, ends, &edate)))
		return rc;
	if (edate != *all_day)
		return dc_error(ctx, DC_EDATA, "field 'ends': '%s' must be a %s like the start", e,
		                *all_day ? "date" : "time");
	if (strcmp(ends, starts) < 0)
		return dc_error(ctx, DC_EDATA, "field 'ends': %s is before %s", ends, starts);
	return 0;
}

int
dc_feed_post(struct dc *ctx, struct dc_args *rec, void *unused)
{
	struct post_new p;
	const char *status = "visible";
	char *topics = NULL, *word = NULL, *reason = NULL, id[32], at[21], starts[21], ends[21];
	int rc, all_day;

	if ((rc = dc_require(ctx, ON_BEHALF, "post for members")) ||
	    (rc = dc_decode(ctx, dc_feed_post_spec, rec, &p)))
		goto done;
	if (!p.kind)
		p.kind = "news";
	if ((rc = check_event(ctx, &p, starts, ends, &all_day)) ||
	    (rc = word_list(ctx, rec, "topics", &topics)) ||
	    (rc = dc_feed_member_exists(ctx, "author", p.author)) ||
	    (rc = dc_feed_filter_match(ctx, p.title, p.body, &status, &word)))
		goto done;
	if (!status)
		status = "visible";
	else
		reason = dc_printf("filter word '%s'", word);
	/* the sequence dc-shop uses for the posts that announce its offers */
	if ((rc = dc_next_id(ctx, "post", "P", dc_now(ctx), id)))
		goto done;
	dc_fmt_time(dc_now(ctx), at);
	if ((rc = dc_exec(ctx, "INSERT INTO post(id, author, kind, title, body, district, topics,"
	                       " starts_at, ends_at, location, all_day, ref, status, hidden_by, reason,"
	                       " created_by, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
	                       " coalesce(?7, '[]'), nullif(?8, ''), nullif(?9, ''), ?10,"
	                       " CAST(?11 AS INTEGER),"
	                       " ?12, ?13, ?14, ?15, ?16, ?17, ?17)",
	                  17, id, p.author, p.kind, p.title, p.body, p.district, topics, starts,
	                  ends, p.location, all_day ? "1" : "0", p.ref, status,
	                  reason ? "filter" : NULL, reason, ctx->actor, at)) ||
	    (rc = dc_feed_audit(ctx, p.author, "post", id, "created", NULL, status, reason)))
		goto done;
	rc = dc_touched(ctx, id, NULL);
done:
	free(topics);
	free(word);
	free(reason);
	return rc;
}


/* dc-feed list's options, decoded into a struct dc_feed_query; dc_feed_list adds the
 * conditions, as dc-export calls it with a struct of its own.  --since (a date or an instant)
 * is left to the command. */
const struct dc_opt dc_feed_list_spec[] = {
	{"district", DC_V_TEXT, 0, NULL, "D", NULL, NULL, DC_AT(struct dc_feed_query, district)},
	{"topic", DC_V_TEXT, 0, NULL, "T", NULL, NULL, DC_AT(struct dc_feed_query, topic)},
	{"kind", DC_V_ENUM, 0, POST_KINDS, "K", NULL, NULL, DC_AT(struct dc_feed_query, kind)},
	{"since", DC_V_TEXT, 0, NULL, "DT", NULL, NULL, DC_NOFIELD},
	{"for", DC_V_TEXT, 0, NULL, "HANDLE", NULL, NULL, DC_AT(struct dc_feed_query, member)},
	{"limit", DC_V_INT, 0, "1..1000000000", "N", NULL, NULL, DC_AT(struct dc_feed_query, limit)},
	{NULL},
};

int
dc_feed_list(struct dc *ctx, const struct dc_feed_query *q, struct dc_stmt **st)
{
	struct dc_q sql = {0};
	int rc;

	if (q->member) {
		/* a member's targeted feed tells about their interests: not for the public */
		if ((rc = dc_require(ctx, ON_BEHALF " moderator auditor", "read a member's feed")) ||
		    (rc = dc_feed_member_exists(ctx, NULL, q->member)))
			return rc;
		dc_q_sql(&sql, "SELECT * FROM (SELECT " POST_COLS ", " FEED_WHY_EXPR " AS why"
		               " FROM post p JOIN member a ON a.handle = p.author");
		dc_q_text(&sql, " JOIN member m ON m.handle = ?", q->member);
	} else
		dc_q_sql(&sql, "SELECT " POST_COLS " FROM post p");
	dc_q_where(&sql, "p.status IN ('visible', 'locked')");
	dc_q_where_if(&sql, "p.district = ? COLLATE NOCASE", q->district);
	dc_q_where_if(&sql, "EXISTS (SELECT 1 FROM json_each(p.topics) t WHERE t.value = lower(?))",
	              q->topic);
	dc_q_where_if(&sql, "p.kind = ?", q->kind);
	dc_q_where_if(&sql, "p.created_at >= ?", q->since);
	dc_q_sql(&sql, q->member ? ") WHERE why IS NOT NULL"
	                           " ORDER BY why = 'notice' DESC, created_at DESC, id DESC"
	                         : " ORDER BY p.created_at DESC, p.id DESC");
	if (q->limit >= 0)
		dc_q_int(&sql, " LIMIT ?", q->limit);
	return dc_q_prepare(ctx, &sql, st);
}

/* Moderators (and auditors, who read everything) see hidden and held items. */
int
dc_feed_may_see_hidden(struct dc *ctx)
{
	return dc_has_role(ctx, "moderator auditor");
}

int
dc_feed_show(struct dc *ctx, const char *id, int any, struct dc_stmt **st)
{
	int rc, all = any || dc_feed_may_see_hidden(ctx);

	/* comments of a hidden post count as hidden; the public sees visible ones only */
	if ((rc = dc_prepare(ctx, st,
	                     "SELECT " POST_COLS ", (SELECT json_group_array(json_object('id', 'C-' || c.id,"
	                     "   'author', c.author, 'body', c.body, 'status', CASE WHEN p.status = 'hidden'"
	                     "   THEN 'hidden' ELSE c.status END, 'created_at', c.created_at))"
	                     "  FROM (SELECT * FROM comment WHERE post = p.id ORDER BY id) c"
	                     "  WHERE ?2 OR (c.status = 'visible' AND p.status IN ('visible', 'locked')))"
	                     " FROM post p WHERE p.id = ?1 AND (?2 OR p.status IN ('visible', 'locked'))")))
		return rc;
	dc_bind_text(*st, 1, id);
	dc_bind_int(*st, 2, all);
	return 0;
}

/* ---- comments ----------------------------------------------------------------------------- */

/* The status of post ID (caller frees) or 2. */
int
dc_feed_post_status(struct dc *ctx, const char *id, char **status)
{
	struct dc_stmt *st = NULL;
	int rc;

	*status = NULL;
	if ((rc = dc_prepare(ctx, &st, "SELECT status FROM post WHERE id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		*status = dc_strdup(dc_col_text(st, 0));
		rc = 0;
	} else if (rc == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no post '%s'", id);
	dc_finish(ctx, st);
	return rc;
}

/* A comment: comment's options (the post is its operand). */
struct comment_new {
	const char *author, *body;
};

const struct dc_opt dc_feed_comment_spec[] = {
	{"author", DC_V_TEXT, DC_O_REQUIRED, NULL, "HANDLE", NULL, NULL,
	 DC_AT(struct comment_new, author)},
	{"body", DC_V_TEXT, DC_O_REQUIRED | DC_O_LINES, NULL, "B", NULL, NULL,
	 DC_AT(struct comment_new, body)},
	{NULL},
};

int
dc_feed_comment(struct dc *ctx, const char *post, struct dc_args *a)
{
	struct comment_new c;
	const char *status;
	char *pstatus = NULL, *word = NULL, *reason = NULL, *cid = NULL, at[21];
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_require(ctx, ON_BEHALF, "comment for members")) ||
	    (rc = dc_decode(ctx, dc_feed_comment_spec, a, &c)) ||
	    (rc = dc_feed_member_exists(ctx, "author", c.author)) ||
	    (rc = dc_feed_post_status(ctx, post, &pstatus)))
		goto done;
	if (strcmp(pstatus, "visible")) {
		rc = dc_error(ctx, DC_ECONFLICT, "post '%s' is %s: no new comments", post, pstatus);
		goto done;
	}
	if ((rc = dc_feed_filter_match(ctx, c.body, NULL, &status, &word)))
		goto done;
	if (status)
		reason = dc_printf("filter word '%s'", word);
	dc_fmt_time(dc_now(ctx), at);
	if ((rc = dc_prepare(ctx, &st, "INSERT INTO comment(post, author, body, status, hidden_by, reason,"
	                               " created_by, created_at) VALUES (?1, ?2, ?3, coalesce(?4, 'visible'),"
	                               " ?5, ?6, ?7, ?8) RETURNING 'C-' || id")))
		goto done;
	dc_bind_text_ref(st, 1, post);
	dc_bind_text_ref(st, 2, c.author);
	dc_bind_text_ref(st, 3, c.body);
	dc_bind_text_ref(st, 4, status);
	dc_bind_text_ref(st, 5, status ? "filter" : NULL);
	dc_bind_text_ref(st, 6, reason);
	dc_bind_text_ref(st, 7, ctx->actor);
	dc_bind_text_ref(st, 8, at);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		cid = dc_strdup(dc_col_text(st, 0));
		rc = 0;
	}
	if (rc || (rc = dc_feed_audit(ctx, c.author, "post", post, "comment", NULL, cid, reason)))
		goto done;
	rc = dc_touched(ctx, cid, NULL);
done:
	dc_finish(ctx, st);
	free(pstatus);
	free(word);
	free(reason);
	free(cid);
	return rc;
}

int
dc_feed_comment_get(struct dc *ctx, const char *id, struct dc_stmt **st)
{
	int rc;

	if ((rc = dc_prepare(ctx, st, "SELECT 'C-' || c.id, c.post, c.author, c.body, c.status,"
	                              " c.hidden_by, c.reason, c.created_by, c.created_at"
	                              " FROM comment c WHERE 'C-' || c.id = ?1")))
		return rc;
	dc_bind_text(*st, 1, id);
	return 0;
}
