/* Cases: intake with routing and SLA, the status machine, notes, history, tracking, purge. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cases/cases.h"
#include "org/org.h"

#define CASE_FIELDS                                                                            \
	{"id", DC_T_STR}, {"service", DC_T_STR}, {"service_name", DC_T_STR}, {"kind", DC_T_STR},   \
	    {"department", DC_T_STR}, {"status", DC_T_STR}, {"assignee", DC_T_STR},                \
	    {"priority", DC_T_STR}, {"description", DC_T_STR}, {"address", DC_T_STR},              \
	    {"district", DC_T_STR}, {"lat", DC_T_REAL}, {"lon", DC_T_REAL},                        \
	    {"attributes", DC_T_JSON}, {"media", DC_T_JSON}, {"reporter.name", DC_T_STR},          \
	    {"reporter.email", DC_T_STR}, {"reporter.phone", DC_T_STR}, {"channel", DC_T_STR},     \
	    {"external_id", DC_T_STR}, {"duplicate_of", DC_T_STR}, {"created_at", DC_T_STR},       \
	    {"updated_at", DC_T_STR}, {"due_at", DC_T_STR}, {"closed_at", DC_T_STR},               \
	{                                                                                          \
		"overdue", DC_T_BOOL                                                                   \
	}
#define NCASE 26

const struct dc_rectype dc_rt_case = {"case", (const struct dc_field[]){CASE_FIELDS}, NCASE};
const struct dc_rectype dc_rt_case_new = {
	"case", (const struct dc_field[]){CASE_FIELDS, {"token", DC_T_STR}}, NCASE + 1};
const struct dc_rectype dc_rt_task = {
	"case", (const struct dc_field[]){CASE_FIELDS, {"on_behalf_of", DC_T_STR}}, NCASE + 1};
const struct dc_rectype dc_rt_event = {
	"event",
	(const struct dc_field[]){{"id", DC_T_INT}, {"case", DC_T_STR}, {"at", DC_T_STR},
	                          {"kind", DC_T_STR}, {"actor", DC_T_STR},
	                          {"on_behalf_of", DC_T_STR}, {"from", DC_T_STR}, {"to", DC_T_STR},
	                          {"note", DC_T_STR}, {"visibility", DC_T_STR}},
	10};
const struct dc_rectype dc_rt_track = {
	"track",
	(const struct dc_field[]){{"id", DC_T_STR}, {"service_name", DC_T_STR}, {"kind", DC_T_STR},
	                          {"status", DC_T_STR}, {"open311_status", DC_T_STR},
	                          {"department", DC_T_STR}, {"description", DC_T_STR},
	                          {"address", DC_T_STR}, {"district", DC_T_STR},
	                          {"created_at", DC_T_STR}, {"updated_at", DC_T_STR},
	                          {"due_at", DC_T_STR}, {"closed_at", DC_T_STR},
	                          {"updates", DC_T_JSON}},
	14};

/* The columns of a case record, in dc_rt_case order; ?20 must be bound to now.  `overdue` is
 * an OR chain: an IN list here builds a temporary b-tree each time the statement runs, which
 * was half the cost of showing one case. */
#define CASE_COLS                                                                              \
	"c.id, c.service, s.name, s.kind, c.dept, c.status, c.assignee, c.priority,"               \
	" c.description, c.address, c.district, c.lat, c.lon, c.attributes, c.media,"              \
	" c.reporter_name, c.reporter_email, c.reporter_phone, c.channel, c.external_id,"          \
	" c.duplicate_of, c.created_at, c.updated_at, c.due_at, c.closed_at,"                      \
	" c.due_at < ?20 AND (c.status = 'new' OR c.status = 'assigned'"                           \
	" OR c.status = 'in_progress' OR c.status = 'waiting')"
#define CASE_SELECT "SELECT " CASE_COLS " FROM cases c JOIN service s ON s.code = c.service "

#define OPEN_STATUSES "('new','assigned','in_progress','waiting')"

/* What a verb needs to know about one case; texts owned. */
struct casex {
	char *id, *dept, *status, *assignee, *email, *name, *lang, *service_name;
	char *dept_name, *created_at, *due_at;
};

static void
casex_free(struct casex *c)
{
	free(c->id);
	free(c->dept);
	free(c->status);
	free(c->assignee);
	free(c->email);
	free(c->name);
	free(c->lang);
	free(c->service_name);
	free(c->dept_name);
	free(c->created_at);
	free(c->due_at);
	memset(c, 0, sizeof *c);
}

static int
casex_load(struct dc *ctx, const char *id, struct casex *c)
{
	struct dc_stmt *st = NULL;
	int rc;

	memset(c, 0, sizeof *c);
	if ((rc = dc_prepare(ctx, &st, "SELECT c.id, c.dept, c.status, c.assignee, c.reporter_email,"
	                               " c.reporter_name, c.lang, s.name, d.name, c.created_at, c.due_at"
	                               " FROM cases c JOIN service s ON s.code = c.service"
	                               " LEFT JOIN dept d ON d.code = c.dept WHERE c.id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == 1) {
		char **f[] = {&c->id,   &c->dept,         &c->status,    &c->assignee,
		              &c->email, &c->name,        &c->lang,      &c->service_name,
		              &c->dept_name, &c->created_at, &c->due_at};

		for (int i = 0; i < 11; i++)
			*f[i] = dc_strdup(dc_col_text(st, i));
		rc = 0;
	} else if (rc == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no case '%s'", id);
	dc_finish(ctx, st);
	return rc;
}

static int
same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/*
 * May the actor work on this case?  Admin always; a head for the department; a clerk for a
 * case of the department that is unassigned or theirs; anyone who is today's deputy of the
 * assignee, recorded as acting on the assignee's behalf (dc-assign(1)).
 */
static int
may_work(struct dc *ctx, const struct casex *c)
{
	int rc;

	ctx->on_behalf_of = NULL;
	if ((rc = dc_whoami(ctx)))
		return rc;
	if (dc_is_admin(ctx))
		return 0;
	if (!strcmp(ctx->role, "head") && same(ctx->dept, c->dept))
		return 0;
	if (!strcmp(ctx->role, "clerk") && same(ctx->dept, c->dept) &&
	    (!c->assignee || same(c->assignee, ctx->actor)))
		return 0;
	if (*ctx->role && c->assignee && (rc = dc_org_is_deputy(ctx, ctx->actor, c->assignee))) {
		if (rc < 0)
			return -rc;
		ctx->on_behalf_of = c->assignee;
		return 0;
	}
	if (c->assignee && !strcmp(ctx->role, "clerk") && same(ctx->dept, c->dept))
		return dc_error(ctx, DC_EPERM, "permission denied: case '%s' is assigned to '%s'", c->id,
		                c->assignee);
	return dc_error(ctx, DC_EPERM, "permission denied: '%s'%s%s%s may not work on case '%s'",
	                ctx->actor, *ctx->role ? " (" : "", ctx->role, *ctx->role ? ")" : "", c->id);
}

/* Read access: admin, auditor, integrator everything; head and clerk their department's cases
 * and those they deputise for. */
static int
may_read(struct dc *ctx, const struct casex *c)
{
	int rc;

	if ((rc = dc_whoami(ctx)))
		return rc;
	if (dc_has_role(ctx, "auditor integrator"))
		return 0;
	if (dc_has_role(ctx, "head clerk") && same(ctx->dept, c->dept))
		return 0;
	if (*ctx->role && (rc = dc_org_is_deputy(ctx, ctx->actor, c->assignee)) == 1)
		return 0;
	return rc < 0 ? -rc
	              : dc_error(ctx, DC_EPERM, "permission denied: '%s' may not read case '%s'",
	                         ctx->actor, c->id);
}

static void
now_text(struct dc *ctx, char buf[21])
{
	dc_fmt_time(dc_now(ctx), buf);
}

static char *
track_url(struct dc *ctx, const char *id)
{
	char *tmpl = dc_setting(ctx, "track.url"), *p, *url;

	if (tmpl && (p = strstr(tmpl, "{id}"))) {
		*p = '\0';
		url = dc_printf("%s%s%s", tmpl, id, p + 4);
	} else
		url = dc_strdup(tmpl ? tmpl : "");
	free(tmpl);
	return url;
}

static const char *
status_text(const char *status, int en)
{
	static const char *const t[][3] = {
		{"new", "eingegangen", "received"},
		{"assigned", "in Bearbeitung (zugewiesen)", "assigned to a clerk"},
		{"in_progress", "in Bearbeitung", "in progress"},
		{"waiting", "wartet auf Rückmeldung", "waiting for a reply"},
		{"resolved", "erledigt", "resolved"},
		{"closed", "abgeschlossen", "closed"},
		{"rejected", "abgelehnt", "rejected"},
		{"duplicate", "bereits gemeldet (Duplikat)", "already reported (duplicate)"},
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		if (!strcmp(t[i][0], status))
			return t[i][en ? 2 : 1];
	return status;
}

/* Queue a notification to the reporter, if the case has an email. */
static int
notify(struct dc *ctx, const struct casex *c, const char *tmpl, const char *status,
       const char *note)
{
	char *city, *url, *lang, due[11] = "";
	const char *vars[24];
	time_t t;
	int rc, en;

	if (!c->email)
		return 0;
	city = dc_setting(ctx, "city.name");
	url = track_url(ctx, c->id);
	lang = c->lang ? dc_strdup(c->lang) : dc_setting(ctx, "lang");
	en = same(lang, "en");
	vars[0] = "id", vars[1] = c->id, vars[2] = "service_name", vars[3] = c->service_name;
	vars[4] = "name", vars[5] = c->name ? c->name : "";
	vars[6] = "city", vars[7] = city, vars[8] = "track_url", vars[9] = url;
	vars[10] = "status_text", vars[11] = status ? status_text(status, en) : "";
	vars[12] = "note", vars[13] = note ? note : "";
	if (c->due_at && dc_parse_time(c->due_at, &t) == 0)
		dc_fmt_date(dc_local_days(ctx, t), due);
	vars[14] = "department", vars[15] = c->dept_name ? c->dept_name : c->dept;
	vars[16] = "created_at", vars[17] = c->created_at, vars[18] = "due_date", vars[19] = due;
	vars[20] = NULL;
	rc = dc_outbox_add(ctx, tmpl, lang, c->email, "case", c->id, vars);
	free(city);
	free(url);
	free(lang);
	return rc;
}

/* Notes that clerks and citizens write may name people, so purge must be able to erase them
 * (dc_audit_purge); the system's own notes at intake (service name, district) do not. */
static int
case_event(struct dc *ctx, const char *id, const char *kind, const char *from, const char *to,
           const char *note, int public)
{
	struct dc_event ev = {"case", id, kind, from, to, note, public};

	return strcmp(kind, "created") && strcmp(kind, "routed") ? dc_audit_personal(ctx, &ev)
	                                                         : dc_audit(ctx, &ev);
}

/* ---- intake ---- */

/* Validate one attribute value against its definition; add it to attrs. */
static int
attr_value(struct dc *ctx, json_object *def, const char *code, const char *value,
           json_object *attrs)
{
	json_object *dt, *vals, *o;
	const char *type;
	size_t i, n;

	json_object_object_get_ex(def, "datatype", &dt);
	type = json_object_get_string(dt);
	if (!strcmp(type, "number")) {
		char *end;

		strtod(value, &end);
		if (!*value || *end)
			return dc_error(ctx, DC_EDATA, "field 'attr': attribute '%s': '%s' is not a number",
			                code, value);
		json_object_object_add(attrs, code, json_object_new_double_s(strtod(value, NULL), value));
		return 0;
	}
	if (!strcmp(type, "datetime")) {
		time_t t;

		if (dc_parse_time(value, &t) < 0)
			return dc_error(ctx, DC_EDATA,
			                "field 'attr': attribute '%s': '%s' is not an RFC 3339 date-time",
			                code, value);
	}
	if (strstr(type, "list")) {
		int multi = !strcmp(type, "multivaluelist");
		char *copy = dc_strdup(value), *tok, *save = NULL;
		json_object *arr = multi ? json_object_new_array() : NULL;

		json_object_object_get_ex(def, "values", &vals);
		n = json_object_array_length(vals);
		for (tok = multi ? strtok_r(copy, ",", &save) : copy; tok;
		     tok = multi ? strtok_r(NULL, ",", &save) : NULL) {
			for (i = 0; i < n; i++) {
				json_object *v = json_object_array_get_idx(vals, i), *key;

				if (json_object_object_get_ex(v, "key", &key) &&
				    !strcmp(json_object_get_string(key), tok))
					break;
			}
			if (i == n) {
				dc_error(ctx, DC_EDATA, "field 'attr': attribute '%s': '%s' is not one of its values",
				         code, tok);
				free(copy);
				json_object_put(arr);
				return ctx->err;
			}
			if (arr)
				json_object_array_add(arr, json_object_new_string(tok));
		}
		free(copy);
		o = arr ? arr : json_object_new_string(value);
	} else
		o = json_object_new_string(value);
	json_object_object_add(attrs, code, o);
	return 0;
}

/* attr code=value options (or attributes.code fields from records) against the service's
 * definition: unknown codes, missing required ones and wrong types are data errors. */
static int
attributes(struct dc *ctx, struct dc_args *rec, const char *definition, char **out)
{
	json_object *def = json_tokener_parse(definition), *attrs = json_object_new_object();
	size_t i, n = def ? json_object_array_length(def) : 0;
	int k, rc = 0;

	for (k = 0; k < rec->n && !rc; k++) {
		char *code, *value;

		if (!strcmp(rec->keys[k], "attr")) {
			code = dc_strdup(rec->vals[k]);
			if (!(value = strchr(code, '='))) {
				rc = dc_error(ctx, DC_EDATA, "field 'attr': '%s' is not code=value", code);
				free(code);
				break;
			}
			*value++ = '\0';
		} else if (!strncmp(rec->keys[k], "attributes.", 11)) {
			code = dc_strdup(rec->keys[k] + 11);
			value = rec->vals[k];
		} else
			continue;
		for (i = 0; i < n; i++) {
			json_object *a = json_object_array_get_idx(def, i), *c;

			if (json_object_object_get_ex(a, "code", &c) &&
			    !strcmp(json_object_get_string(c), code))
				break;
		}
		if (i == n)
			rc = dc_error(ctx, DC_EDATA, "field 'attr': unknown attribute '%s' for this service",
			              code);
		else
			rc = attr_value(ctx, json_object_array_get_idx(def, i), code, value, attrs);
		free(code);
	}
	for (i = 0; i < n && !rc; i++) {
		json_object *a = json_object_array_get_idx(def, i), *c, *req, *var;

		json_object_object_get_ex(a, "code", &c);
		if (json_object_object_get_ex(a, "variable", &var) && !json_object_get_boolean(var))
			continue;
		if (json_object_object_get_ex(a, "required", &req) && json_object_get_boolean(req) &&
		    !json_object_object_get_ex(attrs, json_object_get_string(c), NULL))
			rc = dc_error(ctx, DC_EDATA, "field 'attr': required attribute '%s' is missing",
			              json_object_get_string(c));
	}
	if (!rc)
		*out = dc_strdup(json_object_to_json_string_ext(attrs, JSON_C_TO_STRING_PLAIN));
	json_object_put(def);
	json_object_put(attrs);
	return rc;
}

static int
one_of(struct dc *ctx, const char *field, const char *v, const char *const *allowed)
{
	const char *const *a;

	if (!v)
		return 0;
	for (a = allowed; *a; a++)
		if (!strcmp(*a, v))
			return 0;
	return dc_error(ctx, DC_EDATA, "field '%s': '%s' is not allowed", field, v);
}

static int
coordinate(struct dc *ctx, const char *field, const char *v, double lim)
{
	char *end;
	double d;

	if (!v)
		return 0;
	d = strtod(v, &end);
	if (!*v || *end || d < -lim || d > lim)
		return dc_error(ctx, DC_EDATA, "field '%s': '%s' is not a coordinate", field, v);
	return 0;
}

/* A field given under its option name or its record name (reporter.email for email). */
static const char *
field2(struct dc_args *rec, const char *a, const char *b)
{
	const char *v = dc_arg(rec, a);

	return v ? v : dc_arg(rec, b);
}

struct service_info {
	char *dept, *definition, *name;
	long sla;
	int active;
};

static int
service_info(struct dc *ctx, const char *code, const char *district, struct service_info *s)
{
	struct dc_stmt *st = NULL;
	int rc;

	memset(s, 0, sizeof *s);
	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT coalesce((SELECT dept FROM route WHERE service = s.code"
	                     " AND district = ?2), s.dept), s.definition, s.name, s.sla, s.active"
	                     " FROM service s WHERE s.code = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, code);
	dc_bind_text_ref(st, 2, district);
	if ((rc = dc_step(ctx, st)) == 1) {
		s->dept = dc_strdup(dc_col_text(st, 0));
		s->definition = dc_strdup(dc_col_text(st, 1));
		s->name = dc_strdup(dc_col_text(st, 2));
		s->sla = dc_col_int(st, 3);
		s->active = dc_col_int(st, 4);
		rc = 0;
	} else if (rc == 0)
		rc = dc_error(ctx, DC_EDATA, "field 'service': unknown service '%s'", code);
	dc_finish(ctx, st);
	return rc;
}

static void
service_info_free(struct service_info *s)
{
	free(s->dept);
	free(s->definition);
	free(s->name);
}

static int
due_at(struct dc *ctx, time_t from, long sla, char out[21])
{
	long d;
	int rc;

	if ((rc = dc_org_add_business_days(ctx, dc_local_days(ctx, from), (int)sla, &d)))
		return rc;
	dc_fmt_time(dc_local_end_of_day(ctx, d), out);
	return 0;
}

static char *
media_json(struct dc_args *rec)
{
	json_object *arr = json_object_new_array();
	char *s;
	int i;

	for (i = 0; i < dc_arg_count(rec, "media"); i++)
		json_object_array_add(arr, json_object_new_string(dc_arg_nth(rec, "media", i)));
	s = dc_strdup(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
	json_object_put(arr);
	return s;
}

static const char *const priorities[] = {"low", "normal", "high", "urgent", NULL};
static const char *const channels[] = {"web", "phone", "email", "counter", "letter", "open311",
                                       NULL};
static const char *const langs[] = {"de", "en", NULL};

int
dc_case_new(struct dc *ctx, struct dc_args *rec, void *unused)
{
	const char *svc = dc_arg(rec, "service"), *district = dc_arg(rec, "district");
	const char *email = field2(rec, "email", "reporter.email");
	const char *lat = dc_arg(rec, "lat"), *lon = dc_arg(rec, "lon");
	struct service_info s = {0};
	struct dc_stmt *st = NULL;
	char id[32], now[21], due[21], token[33], hash[65], *attrs = NULL, *media = NULL;
	int rc;

	if ((rc = dc_require(ctx, "head clerk integrator", "create cases")))
		return rc;
	if (!svc)
		return dc_field_error(ctx, "field 'service' is required");
	if ((rc = one_of(ctx, "priority", dc_arg(rec, "priority"), priorities)) ||
	    (rc = one_of(ctx, "channel", dc_arg(rec, "channel"), channels)) ||
	    (rc = one_of(ctx, "lang", dc_arg(rec, "lang"), langs)) ||
	    (rc = coordinate(ctx, "lat", lat, 90)) || (rc = coordinate(ctx, "lon", lon, 180)))
		return rc;
	if (!lat != !lon)
		return dc_error(ctx, DC_EDATA, "field '%s': lat and lon go together", lat ? "lon" : "lat");
	if (email && !strchr(email, '@'))
		return dc_error(ctx, DC_EDATA, "field 'email': '%s' is not an email address", email);
	if ((rc = service_info(ctx, svc, district, &s)))
		goto done;
	if (!s.active || !s.dept) {
		rc = dc_error(ctx, DC_ECONFLICT, "field 'service': service '%s' is %s", svc,
		              !s.active ? "not active" : "not assigned to a department");
		goto done;
	}
	if ((rc = attributes(ctx, rec, s.definition, &attrs)))
		goto done;
	media = media_json(rec);
	if ((rc = dc_next_id(ctx, "case", NULL, dc_now(ctx), id)))
		goto done;
	now_text(ctx, now);
	if ((rc = due_at(ctx, dc_now(ctx), s.sla, due)))
		goto done;
	if (dc_random_hex(token, 16) < 0) {
		rc = dc_error(ctx, DC_EINTERNAL, "no random bytes for the tracking token");
		goto done;
	}
	dc_sha256_hex(token, 32, hash);
	if ((rc = dc_prepare(ctx, &st,
	                     "INSERT INTO cases(id, service, dept, status, priority, description,"
	                     " address, district, lat, lon, attributes, media, reporter_name,"
	                     " reporter_email, reporter_phone, lang, channel, token_hash, created_at,"
	                     " updated_at, due_at) VALUES (?1, ?2, ?3, 'new', coalesce(?4, 'normal'),"
	                     " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, coalesce(?16, 'web'),"
	                     " ?17, ?18, ?18, ?19)")))
		goto done;
	{
		const char *v[] = {id,
		                   svc,
		                   s.dept,
		                   dc_arg(rec, "priority"),
		                   dc_arg(rec, "description"),
		                   dc_arg(rec, "address"),
		                   district,
		                   lat,
		                   lon,
		                   attrs,
		                   media,
		                   field2(rec, "name", "reporter.name"),
		                   email,
		                   field2(rec, "phone", "reporter.phone"),
		                   dc_arg(rec, "lang"),
		                   dc_arg(rec, "channel"),
		                   hash,
		                   now,
		                   due};

		for (int i = 0; i < 19; i++)
			dc_bind_text_ref(st, i + 1, v[i]);
	}
	rc = dc_step(ctx, st);
	dc_finish(ctx, st);
	if (rc || (rc = case_event(ctx, id, "created", NULL, "new", s.name, 1)) ||
	    (rc = case_event(ctx, id, "routed", NULL, s.dept, district, 0)))
		goto done;
	if (email) {
		struct casex c = {0};

		if (!(rc = casex_load(ctx, id, &c)))
			rc = notify(ctx, &c, "case-receipt", NULL, NULL);
		casex_free(&c);
		if (rc)
			goto done;
	}
	rc = dc_touched(ctx, id, token);
done:
	service_info_free(&s);
	free(attrs);
	free(media);
	return rc;
}

/* One case record, with an extra last column (the token after intake) when the type has it. */
int
dc_case_show(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;
	char now[21];
	const char *vals[NCASE + 1];
	int rc, i;

	if ((rc = dc_prepare(ctx, &st, CASE_SELECT "WHERE c.id = ?1")))
		return rc;
	now_text(ctx, now);
	dc_bind_text_ref(st, 1, id);
	dc_bind_text_ref(st, 20, now);
	if ((rc = dc_step(ctx, st)) == 1) {
		for (i = 0; i < NCASE; i++)
			vals[i] = dc_col_text(st, i);
		vals[NCASE] = extra;
		rc = dc_out_row(ctx, vals);
	} else if (rc == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no case '%s'", id);
	dc_finish(ctx, st);
	return rc;
}

/* Listing with filters; clerks and heads see their department (and cases they deputise). */
int
dc_case_list(struct dc *ctx, struct dc_args *f, struct dc_stmt **st)
{
	static const char *const sorts[] = {"id", "created_at", "updated_at", "due_at", "status",
	                                    "priority", "service", "department", NULL};
	const char *sort = dc_arg(f, "sort");
	const char *order = "c.created_at, c.id";
	char now[21], *sql, since[21] = "", until[21] = "", orderbuf[64];
	long limit = -1, d;
	int rc, restrict_dept;

	if ((rc = dc_whoami(ctx)))
		return rc;
	if (!dc_has_role(ctx, "auditor integrator head clerk"))
		return dc_error(ctx, DC_EPERM, "permission denied: '%s' may not list cases", ctx->actor);
	restrict_dept = !dc_has_role(ctx, "auditor integrator");
	if (sort) {
		const char *const *s;

		for (s = sorts; *s && strcmp(*s, sort + (*sort == '-')); s++)
			;
		if (!*s)
			return dc_error(ctx, DC_EUSAGE, "--sort: unknown field '%s' (id, created_at, "
			                                "updated_at, due_at, status, priority, service, department)",
			                sort);
		order = !strcmp(*s, "priority")
		            ? (*sort == '-' ? "CASE c.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1"
		                              " WHEN 'normal' THEN 2 ELSE 3 END DESC, c.id"
		                            : "CASE c.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1"
		                              " WHEN 'normal' THEN 2 ELSE 3 END, c.id")
		        : !strcmp(*s, "department") ? (*sort == '-' ? "c.dept DESC, c.id" : "c.dept, c.id")
		                                    : NULL;
		if (!order) {
			/* *s is one of sorts[], never the user's text */
			snprintf(orderbuf, sizeof orderbuf, "c.%s%s, c.id", *s, *sort == '-' ? " DESC" : "");
			order = orderbuf;
		}
	}
	if ((rc = dc_arg_int(ctx, f, "limit", 0, 1000000000, &limit)) < 0)
		return -rc;
	if (dc_arg(f, "since")) {
		if (dc_parse_date(dc_arg(f, "since"), &d) < 0)
			return dc_error(ctx, DC_EUSAGE, "--since: '%s' is not a date", dc_arg(f, "since"));
		dc_fmt_time(dc_local_start_of_day(ctx, d), since);
	}
	if (dc_arg(f, "until")) {
		if (dc_parse_date(dc_arg(f, "until"), &d) < 0)
			return dc_error(ctx, DC_EUSAGE, "--until: '%s' is not a date", dc_arg(f, "until"));
		dc_fmt_time(dc_local_end_of_day(ctx, d), until);
	}
	sql = dc_printf(CASE_SELECT
	                "WHERE (?1 IS NULL OR instr(',' || ?1 || ',', ',' || c.status || ',') > 0)"
	                " AND (?2 IS NULL OR c.status IN " OPEN_STATUSES ")"
	                " AND (?3 IS NULL OR c.service = ?3) AND (?4 IS NULL OR c.dept = ?4)"
	                " AND (?5 IS NULL OR c.assignee = ?5) AND (?6 IS NULL OR c.district = ?6)"
	                " AND (?7 IS NULL OR c.reporter_email = ?7 COLLATE NOCASE)"
	                " AND (?8 IS NULL OR c.created_at >= ?8) AND (?9 IS NULL OR c.created_at <= ?9)"
	                " AND (?10 IS NULL OR (c.due_at < ?20 AND c.status IN " OPEN_STATUSES "))"
	                " AND (?11 IS NULL OR instr(lower(coalesce(c.description, '') || ' ' ||"
	                "  coalesce(c.address, '') || ' ' || s.name || ' ' || c.id), lower(?11)) > 0)"
	                " AND (?12 IS NULL OR c.dept = ?12 OR c.assignee IN (SELECT login FROM absence"
	                "  WHERE deputy = ?13 AND from_date <= ?14 AND until_date >= ?14))"
	                " ORDER BY %s LIMIT ?15",
	                order);
	rc = dc_prepare(ctx, st, sql);
	free(sql);
	if (!rc) {
		char today[11];

		dc_fmt_date(dc_local_days(ctx, dc_now(ctx)), today);
		now_text(ctx, now);
		dc_bind_text(*st, 1, dc_arg(f, "status"));
		dc_bind_text_ref(*st, 2, dc_flag(f, "open") ? "1" : NULL);
		dc_bind_text(*st, 3, dc_arg(f, "service"));
		dc_bind_text(*st, 4, dc_arg(f, "department"));
		dc_bind_text(*st, 5, dc_arg(f, "assignee"));
		dc_bind_text(*st, 6, dc_arg(f, "district"));
		dc_bind_text(*st, 7, dc_arg(f, "reporter"));
		dc_bind_text(*st, 8, *since ? since : NULL);
		dc_bind_text(*st, 9, *until ? until : NULL);
		dc_bind_text_ref(*st, 10, dc_flag(f, "overdue") ? "1" : NULL);
		dc_bind_text(*st, 11, dc_arg(f, "search"));
		dc_bind_text(*st, 12, restrict_dept ? (ctx->dept ? ctx->dept : "") : NULL);
		dc_bind_text(*st, 13, ctx->actor);
		dc_bind_text(*st, 14, today);
		dc_bind_int(*st, 15, limit);
		dc_bind_text(*st, 20, now);
	}
	return rc;
}

/* ---- the status machine (dc-case(1)) ---- */

static const struct {
	const char *from, *to;
} transitions[] = {
	{"new", "assigned"},         {"new", "in_progress"},      {"new", "rejected"},
	{"new", "duplicate"},        {"assigned", "in_progress"}, {"assigned", "waiting"},
	{"assigned", "resolved"},    {"assigned", "rejected"},    {"assigned", "duplicate"},
	{"assigned", "new"},         {"in_progress", "waiting"},  {"in_progress", "resolved"},
	{"in_progress", "rejected"}, {"in_progress", "duplicate"}, {"in_progress", "new"},
	{"waiting", "in_progress"},  {"waiting", "resolved"},     {"waiting", "rejected"},
	{"resolved", "closed"},      {"resolved", "in_progress"}, {"closed", "in_progress"},
	{"rejected", "in_progress"}, {"duplicate", "in_progress"},
};

static int
allowed(const char *from, const char *to)
{
	for (size_t i = 0; i < sizeof transitions / sizeof *transitions; i++)
		if (!strcmp(transitions[i].from, from) && !strcmp(transitions[i].to, to))
			return 1;
	return 0;
}

static int
is_closed(const char *s)
{
	return !strcmp(s, "closed") || !strcmp(s, "rejected") || !strcmp(s, "duplicate") ||
	       !strcmp(s, "resolved");
}

/* Move a loaded case to status `to`, with the assignee it has afterwards; records the event
 * (public) and queues the reporter's notification. */
static int
move(struct dc *ctx, struct casex *c, const char *to, const char *assignee, const char *note,
     const char *dup, const char *kind)
{
	char now[21];
	int rc;

	now_text(ctx, now);
	if ((rc = dc_exec(ctx, "UPDATE cases SET status = ?2, assignee = ?3, updated_at = ?4,"
	                       " duplicate_of = CASE WHEN ?2 = 'duplicate' THEN ?5 ELSE duplicate_of END,"
	                       " closed_at = CASE WHEN ?6 = '1' THEN coalesce(closed_at, ?4)"
	                       "  WHEN ?2 IN ('closed') THEN ?4 ELSE NULL END WHERE id = ?1",
	                  6, c->id, to, assignee, now, dup, is_closed(to) && strcmp(to, "closed") ? "1" : "0")))
		return rc;
	if (strcmp(c->status, to) &&
	    (rc = case_event(ctx, c->id, "status", c->status, to, note, 1)))
		return rc;
	if (kind && (rc = case_event(ctx, c->id, kind, c->assignee, assignee, NULL, 0)))
		return rc;
	if (strcmp(c->status, to) && (rc = notify(ctx, c, "case-status", to, note)))
		return rc;
	return dc_touched(ctx, c->id, NULL);
}

int
dc_case_set_status(struct dc *ctx, const char *id, struct dc_args *a)
{
	const char *to = dc_arg(a, "status"), *dup = dc_arg(a, "duplicate-of");
	const char *assignee;
	struct casex c;
	int rc;

	if ((rc = casex_load(ctx, id, &c)))
		return rc;
	if ((rc = may_work(ctx, &c)))
		goto done;
	if (!allowed(c.status, to)) {
		rc = dc_error(ctx, DC_ECONFLICT, "case '%s' cannot go from '%s' to '%s'", id, c.status, to);
		goto done;
	}
	/* reopening an unassigned case puts it back into the queue (dc-case(1)) */
	if (!strcmp(to, "in_progress") && is_closed(c.status) && strcmp(c.status, "resolved") &&
	    !c.assignee)
		to = "new";
	if (!strcmp(to, "duplicate")) {
		if (!dup) {
			rc = dc_error(ctx, DC_EUSAGE, "status 'duplicate' needs --duplicate-of ID");
			goto done;
		}
		if (!strcmp(dup, id) ||
		    (rc = dc_exists(ctx, "SELECT 1 FROM cases WHERE id = ?1", dup)) == 0) {
			rc = dc_error(ctx, DC_ENOTFOUND, "--duplicate-of: no other case '%s'", dup);
			goto done;
		}
		if (rc < 0) {
			rc = -rc;
			goto done;
		}
	} else if (dup) {
		rc = dc_error(ctx, DC_EUSAGE, "--duplicate-of goes with status 'duplicate'");
		goto done;
	}
	assignee = c.assignee;
	if (!strcmp(to, "new"))
		assignee = NULL;
	else if (!c.assignee && (!strcmp(to, "in_progress") || !strcmp(to, "assigned")))
		assignee = ctx->actor; /* moving a queue case into work claims it */
	rc = move(ctx, &c, to, assignee, dc_arg(a, "note"), dup,
	          !same(assignee, c.assignee) ? (assignee ? "claimed" : "released") : NULL);
done:
	ctx->on_behalf_of = NULL;
	casex_free(&c);
	return rc;
}

int
dc_case_note(struct dc *ctx, const char *id, struct dc_args *a)
{
	const char *text = dc_arg(a, "text");
	int public = dc_flag(a, "public"), rc;
	struct casex c;
	char now[21];

	if (!text || !*text)
		return dc_error(ctx, DC_EUSAGE, "a note needs TEXT");
	if ((rc = casex_load(ctx, id, &c)))
		return rc;
	if ((rc = may_work(ctx, &c)))
		goto done;
	now_text(ctx, now);
	if ((rc = case_event(ctx, id, "note", NULL, NULL, text, public)) ||
	    (rc = dc_exec(ctx, "UPDATE cases SET updated_at = ?2 WHERE id = ?1", 2, id, now)) ||
	    (public && (rc = notify(ctx, &c, "case-note", NULL, text))))
		goto done;
	rc = dc_touched(ctx, id, NULL);
done:
	ctx->on_behalf_of = NULL;
	casex_free(&c);
	return rc;
}

int
dc_case_history(struct dc *ctx, const char *id, struct dc_stmt **st)
{
	struct casex c;
	int rc;

	if ((rc = casex_load(ctx, id, &c)) == 0)
		rc = may_read(ctx, &c);
	casex_free(&c);
	if (rc || (rc = dc_prepare(ctx, st, "SELECT id, ref, at, kind, actor, on_behalf_of,"
	                                    " from_value, to_value, note, visibility FROM event"
	                                    " WHERE entity = 'case' AND ref = ?1 ORDER BY id")))
		return rc;
	dc_bind_text(*st, 1, id);
	return 0;
}

int
dc_case_check_read(struct dc *ctx, const char *id)
{
	struct casex c;
	int rc;

	if ((rc = casex_load(ctx, id, &c)) == 0)
		rc = may_read(ctx, &c);
	casex_free(&c);
	return rc;
}

int
dc_case_track(struct dc *ctx, const char *id, const char *token)
{
	struct dc_stmt *st = NULL;
	char hash[65];
	int rc;

	if (!token)
		return dc_error(ctx, DC_EUSAGE, "track needs --token TOKEN");
	dc_sha256_hex(token, strlen(token), hash);
	/* Public fields and public events only: no assignee, no actor, no reporter data. */
	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT c.id, s.name, s.kind, c.status,"
	                     " CASE WHEN c.status IN " OPEN_STATUSES " THEN 'open' ELSE 'closed' END,"
	                     " d.name, c.description, c.address, c.district, c.created_at, c.updated_at,"
	                     " c.due_at, c.closed_at,"
	                     " (SELECT json_group_array(json_object('at', e.at, 'kind', e.kind,"
	                     "   'status', CASE WHEN e.kind = 'status' THEN e.to_value END,"
	                     "   'note', e.note)) FROM (SELECT * FROM event e WHERE e.entity = 'case'"
	                     "   AND e.ref = c.id AND e.visibility = 'public' ORDER BY e.id) e),"
	                     " c.token_hash FROM cases c JOIN service s ON s.code = c.service"
	                     " LEFT JOIN dept d ON d.code = c.dept WHERE c.id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == 1) {
		const char *h = dc_col_text(st, 14);

		if (!h || strlen(h) != 64 || CRYPTO_memcmp(h, hash, 64))
			rc = dc_error(ctx, DC_EPERM, "permission denied: wrong token for case '%s'", id);
		else if (!(rc = dc_out_begin(ctx, &dc_rt_track)) && !(rc = dc_out_stmt(ctx, st)))
			rc = dc_out_end(ctx);
	} else if (rc == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no case '%s'", id);
	dc_finish(ctx, st);
	return rc;
}

int
dc_case_verify(struct dc *ctx)
{
	long bad, n;
	int rc;

	if ((rc = dc_audit_verify(ctx, &bad, &n)))
		return rc;
	if (bad)
		return dc_error(ctx, DC_EPROBLEM, "audit chain broken at event %ld (%ld events checked)",
		                bad, n);
	fprintf(stderr, "%s: audit chain intact: %ld events verified\n", ctx->prog, n);
	return 0;
}

/* ---- purge (GDPR: storage limitation and erasure) ---- */

struct purge_count {
	long left;   /* how many more cases this run may anonymise; -1: no limit */
	long cases;  /* anonymised */
	long notes;  /* notes erased from the audit trail */
	long legacy; /* notes written before schema 0008: in the chain, cannot be erased */
};

static int
legacy_notes(struct dc *ctx, const char *id, long *n)
{
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT count(*) FROM event WHERE entity = 'case' AND ref = ?1"
	                     " AND note IS NOT NULL AND note_hash IS NULL"
	                     " AND kind NOT IN ('created', 'routed', 'purged')")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == 1) {
		*n += dc_col_int(st, 0);
		rc = 0;
	}
	dc_finish(ctx, st);
	return rc;
}

/*
 * Anonymise the final cases (closed, rejected, duplicate) of SERVICE, or of every service,
 * that were closed before the start of the local day DAY and are not purged yet.  What stays
 * is what the statistics and the public record need: service, department, status and its
 * history, district, dates, list-valued attributes (the city's own words) and coordinates
 * rounded to 3 decimals (about 100 m).  Everything a citizen wrote or that points at them
 * goes: reporter, description, address, free-text attributes, media, the tracking token, the
 * notes in the audit trail, and the messages in the outbox.
 */
static int
purge_before(struct dc *ctx, long day, const char *service, const char *why, struct purge_count *n)
{
	struct dc_stmt *st = NULL;
	char cutoff[21], date[11], now[21], *note;
	int rc;

	dc_fmt_time(dc_local_start_of_day(ctx, day), cutoff);
	dc_fmt_date(day, date);
	now_text(ctx, now);
	note = dc_printf("personal data removed: closed before %s%s", date, why);
	/* RETURNING runs the whole UPDATE at the first step, so the loop may write meanwhile */
	if ((rc = dc_prepare(
	         ctx, &st,
	         "UPDATE cases AS c SET reporter_name = NULL, reporter_email = NULL,"
	         " reporter_phone = NULL, token_hash = NULL, description = NULL, address = NULL,"
	         " media = '[]', lat = round(lat, 3), lon = round(lon, 3),"
	         " attributes = (SELECT json_group_object(a.key, a.value)"
	         "  FROM json_each(c.attributes) a WHERE a.key IN"
	         "  (SELECT json_extract(d.value, '$.code')"
	         "   FROM service s, json_each(s.definition) d WHERE s.code = c.service"
	         "   AND json_extract(d.value, '$.datatype') IN ('singlevaluelist',"
	         "   'multivaluelist'))),"
	         " updated_at = ?3, purged_at = ?3 WHERE id IN (SELECT id FROM cases"
	         "  WHERE status IN ('closed', 'rejected', 'duplicate') AND closed_at < ?1"
	         "  AND purged_at IS NULL AND (?2 IS NULL OR service = ?2)"
	         "  ORDER BY closed_at, id LIMIT ?4) RETURNING id")))
		goto done;
	dc_bind_text_ref(st, 1, cutoff);
	dc_bind_text_ref(st, 2, service);
	dc_bind_text_ref(st, 3, now);
	dc_bind_int(st, 4, n->left);
	while ((rc = dc_step(ctx, st)) == 1) {
		const char *id = dc_col_text(st, 0);

		/* the messages to the reporter carry the address and the name too; one not yet
		 * delivered is given up rather than sent to nobody */
		if ((rc = dc_exec(ctx,
		                  "UPDATE outbox SET recipient = '(purged)', subject = '(purged)',"
		                  " body = '(purged)', last_error = CASE WHEN status IN ('pending',"
		                  " 'failed') THEN 'purged before delivery' END, status = CASE WHEN"
		                  " status IN ('pending', 'failed') THEN 'dead' ELSE status END"
		                  " WHERE ref_type = 'case' AND ref_id = ?1",
		                  1, id)) ||
		    (rc = legacy_notes(ctx, id, &n->legacy)) ||
		    (rc = dc_audit_purge(ctx, "case", id, note, &n->notes)) ||
		    (rc = dc_touched(ctx, id, NULL)))
			break;
		n->cases++;
		if (n->left > 0)
			n->left--;
	}
done:
	dc_finish(ctx, st);
	free(note);
	return rc > 1 ? rc : 0;
}

static void
purge_report(struct dc *ctx, const struct purge_count *n)
{
	fprintf(stderr, "%s: %ld case%s anonymised, %ld note%s erased\n", ctx->prog, n->cases,
	        n->cases == 1 ? "" : "s", n->notes, n->notes == 1 ? "" : "s");
	if (n->legacy)
		fprintf(stderr,
		        "%s: warning: %ld note%s written before schema 8 stay%s in the audit"
		        " trail\n",
		        ctx->prog, n->legacy, n->legacy == 1 ? "" : "s", n->legacy == 1 ? "s" : "");
}

static int
service_known(struct dc *ctx, const char *service)
{
	int rc;

	if (!service)
		return 0;
	if ((rc = dc_exists(ctx, "SELECT 1 FROM service WHERE code = ?1", service)) < 0)
		return -rc;
	return rc ? 0 : dc_error(ctx, DC_ENOTFOUND, "--service: no service '%s'", service);
}

int
dc_case_purge(struct dc *ctx, const char *before, const char *service, long limit)
{
	struct purge_count n = {limit, 0, 0, 0};
	long d;
	int rc;

	if ((rc = dc_require(ctx, "", "purge personal data")))
		return rc;
	if (!before || dc_parse_date(before, &d) < 0)
		return dc_error(ctx, DC_EUSAGE, "--closed-before: '%s' is not a date (YYYY-MM-DD)",
		                before ? before : "");
	if ((rc = service_known(ctx, service)) || (rc = purge_before(ctx, d, service, "", &n)))
		return rc;
	purge_report(ctx, &n);
	return 0;
}

/* Each service's own retention: a case closed on local day D keeps its personal data through
 * day D + retention and is anonymised by the first run after that.  Applying a policy the
 * admin set is a batch job, so the integrator account of cron may run it. */
int
dc_case_purge_retention(struct dc *ctx, const char *service, long limit)
{
	struct purge_count n = {limit, 0, 0, 0};
	struct dc_stmt *st = NULL;
	long today;
	int rc;

	if ((rc = dc_require(ctx, "integrator", "purge personal data")) ||
	    (rc = service_known(ctx, service)))
		return rc;
	today = dc_local_days(ctx, dc_now(ctx));
	if ((rc = dc_prepare(ctx, &st, "SELECT code, retention FROM service WHERE retention IS NOT"
	                               " NULL AND (?1 IS NULL OR code = ?1) ORDER BY code")))
		return rc;
	dc_bind_text_ref(st, 1, service);
	while (n.left && (rc = dc_step(ctx, st)) == 1) {
		long days = dc_col_int(st, 1);
		const char *code = dc_col_text(st, 0);
		char *why =
		    dc_printf(" (retention of %s: %ld day%s)", code, days, days == 1 ? "" : "s");

		rc = purge_before(ctx, today - days, code, why, &n);
		free(why);
		if (rc)
			break;
	}
	dc_finish(ctx, st);
	if (rc > 1)
		return rc;
	purge_report(ctx, &n);
	return 0;
}

/* ---- queue work ---- */

int
dc_case_queue(struct dc *ctx, const char *dept, long limit, struct dc_stmt **st)
{
	char now[21];
	int rc;

	if ((rc = dc_whoami(ctx)))
		return rc;
	if (!dc_has_role(ctx, "auditor integrator head clerk"))
		return dc_error(ctx, DC_EPERM, "permission denied: '%s' may not see queues", ctx->actor);
	if (!dept && !(dept = ctx->dept))
		return dc_error(ctx, DC_EUSAGE, "--dept D is needed ('%s' has no department)", ctx->actor);
	if (dc_has_role(ctx, "head clerk") && !dc_has_role(ctx, "auditor integrator") &&
	    !same(dept, ctx->dept))
		return dc_error(ctx, DC_EPERM, "permission denied: '%s' may not see the queue of '%s'",
		                ctx->actor, dept);
	/* most urgent first: due date, then priority, then age */
	if ((rc = dc_prepare(ctx, st, CASE_SELECT "WHERE c.dept = ?1 AND c.status = 'new'"
	                                          " ORDER BY c.due_at, CASE c.priority WHEN 'urgent'"
	                                          " THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2"
	                                          " ELSE 3 END, c.created_at, c.id LIMIT ?2")))
		return rc;
	now_text(ctx, now);
	dc_bind_text(*st, 1, dept);
	dc_bind_int(*st, 2, limit);
	dc_bind_text(*st, 20, now);
	return 0;
}

/* Take case c for `to` (claim: to = actor; give: to = target). */
static int
assign(struct dc *ctx, struct casex *c, const char *to, const char *kind)
{
	const char *status = !strcmp(c->status, "new") ? "assigned" : c->status;
	char now[21];
	int rc;

	now_text(ctx, now);
	if ((rc = dc_exec(ctx, "UPDATE cases SET assignee = ?2, status = ?3, updated_at = ?4"
	                       " WHERE id = ?1",
	                  4, c->id, to, status, now)) ||
	    (rc = case_event(ctx, c->id, kind, c->assignee, to, NULL, 0)))
		return rc;
	if (strcmp(status, c->status) &&
	    ((rc = case_event(ctx, c->id, "status", c->status, status, NULL, 1)) ||
	     (rc = notify(ctx, c, "case-status", status, NULL))))
		return rc;
	return dc_touched(ctx, c->id, NULL);
}

static int
open_case(struct dc *ctx, const struct casex *c)
{
	if (!strcmp(c->status, "new") || !strcmp(c->status, "assigned") ||
	    !strcmp(c->status, "in_progress") || !strcmp(c->status, "waiting"))
		return 0;
	return dc_error(ctx, DC_ECONFLICT, "case '%s' is %s", c->id, c->status);
}

int
dc_case_claim(struct dc *ctx, const char *id, struct dc_args *a)
{
	struct casex c;
	int rc;

	if ((rc = casex_load(ctx, id, &c)))
		return rc;
	if ((rc = dc_whoami(ctx)))
		goto done;
	/* the role first: who may not claim here learns nothing of the case's state or assignee */
	if (!dc_has_role(ctx, "head clerk") || (!dc_is_admin(ctx) && !same(ctx->dept, c.dept))) {
		rc = dc_error(ctx, DC_EPERM, "permission denied: '%s' may not claim cases of '%s'",
		              ctx->actor, c.dept ? c.dept : "");
		goto done;
	}
	if ((rc = open_case(ctx, &c)))
		goto done;
	if (c.assignee) {
		rc = same(c.assignee, ctx->actor)
		         ? dc_error(ctx, DC_ECONFLICT, "case '%s' is already yours", id)
		         : dc_error(ctx, DC_ECONFLICT, "case '%s' is assigned to '%s'", id, c.assignee);
		goto done;
	}
	rc = assign(ctx, &c, ctx->actor, "claimed");
done:
	casex_free(&c);
	return rc;
}

int
dc_case_claim_next(struct dc *ctx, const char *dept)
{
	struct dc_stmt *st = NULL;
	char *id = NULL;
	int rc;

	if ((rc = dc_case_queue(ctx, dept, 1, &st)))
		return rc;
	if ((rc = dc_step(ctx, st)) == 1) {
		id = dc_strdup(dc_col_text(st, 0));
		rc = 0;
	} else if (rc == 0)
		rc = dc_error(ctx, DC_EPROBLEM, "the queue is empty");
	dc_finish(ctx, st);
	if (!rc)
		rc = dc_case_claim(ctx, id, NULL);
	free(id);
	return rc;
}

/* give and steal: heads (for their department) and admins. */
static int
may_manage(struct dc *ctx, const struct casex *c, const char *what)
{
	int rc;

	if ((rc = dc_whoami(ctx)))
		return rc;
	if (dc_is_admin(ctx) || (!strcmp(ctx->role, "head") && same(ctx->dept, c->dept)))
		return 0;
	return dc_error(ctx, DC_EPERM, "permission denied: '%s' may not %s cases of '%s'", ctx->actor,
	                what, c->dept ? c->dept : "");
}

int
dc_case_give(struct dc *ctx, const char *id, struct dc_args *a)
{
	const char *to = dc_arg(a, "to");
	struct dc_stmt *st = NULL;
	struct casex c;
	int rc;

	if (!to)
		return dc_error(ctx, DC_EUSAGE, "give needs --to LOGIN");
	if ((rc = casex_load(ctx, id, &c)))
		return rc;
	if ((rc = may_manage(ctx, &c, "give")) || (rc = open_case(ctx, &c)))
		goto done;
	if ((rc = dc_prepare(ctx, &st, "SELECT 1 FROM staff WHERE login = ?1 AND active = 1"
	                               " AND dept = ?2")))
		goto done;
	dc_bind_text_ref(st, 1, to);
	dc_bind_text_ref(st, 2, c.dept);
	rc = dc_step(ctx, st);
	dc_finish(ctx, st);
	if (rc == 0)
		rc = dc_error(ctx, DC_ECONFLICT, "'%s' is not active staff of '%s'", to, c.dept);
	if (rc > 1)
		goto done;
	if (same(c.assignee, to)) {
		rc = dc_error(ctx, DC_ECONFLICT, "case '%s' is already assigned to '%s'", id, to);
		goto done;
	}
	rc = assign(ctx, &c, to, "given");
done:
	casex_free(&c);
	return rc;
}

int
dc_case_steal(struct dc *ctx, const char *id, struct dc_args *a)
{
	struct casex c;
	int rc;

	if ((rc = casex_load(ctx, id, &c)))
		return rc;
	if ((rc = may_manage(ctx, &c, "steal")) || (rc = open_case(ctx, &c)))
		goto done;
	if (same(c.assignee, ctx->actor)) {
		rc = dc_error(ctx, DC_ECONFLICT, "case '%s' is already yours", id);
		goto done;
	}
	rc = assign(ctx, &c, ctx->actor, "stolen");
done:
	casex_free(&c);
	return rc;
}

int
dc_case_release(struct dc *ctx, const char *id, struct dc_args *a)
{
	struct casex c;
	int rc;

	if ((rc = casex_load(ctx, id, &c)))
		return rc;
	if ((rc = may_work(ctx, &c)))
		goto done;
	if (!c.assignee) {
		rc = dc_error(ctx, DC_ECONFLICT, "case '%s' is not assigned", id);
		goto done;
	}
	if (!allowed(c.status, "new")) {
		rc = dc_error(ctx, DC_ECONFLICT, "case '%s' cannot go from '%s' to 'new'", id, c.status);
		goto done;
	}
	rc = move(ctx, &c, "new", NULL, dc_arg(a, "note"), NULL, "released");
done:
	ctx->on_behalf_of = NULL;
	casex_free(&c);
	return rc;
}

int
dc_case_transfer(struct dc *ctx, const char *id, struct dc_args *a)
{
	const char *to = dc_arg(a, "to-dept");
	struct casex c;
	char now[21];
	int rc;

	if (!to)
		return dc_error(ctx, DC_EUSAGE, "transfer needs --to-dept D");
	if ((rc = casex_load(ctx, id, &c)))
		return rc;
	if ((rc = may_work(ctx, &c)) || (rc = open_case(ctx, &c)))
		goto done;
	if ((rc = dc_must_exist(ctx, "SELECT 1 FROM dept WHERE code = ?1", "department", to))) {
		goto done;
	}
	if (same(c.dept, to)) {
		rc = dc_error(ctx, DC_ECONFLICT, "case '%s' is already in '%s'", id, to);
		goto done;
	}
	now_text(ctx, now);
	if ((rc = dc_exec(ctx, "UPDATE cases SET dept = ?2, assignee = NULL, status = 'new',"
	                       " updated_at = ?3 WHERE id = ?1",
	                  3, id, to, now)) ||
	    (rc = case_event(ctx, id, "transferred", c.dept, to, dc_arg(a, "note"), 0)))
		goto done;
	if (strcmp(c.status, "new") &&
	    ((rc = case_event(ctx, id, "status", c.status, "new", NULL, 1)) ||
	     (rc = notify(ctx, &c, "case-status", "new", NULL))))
		goto done;
	rc = dc_touched(ctx, id, NULL);
done:
	ctx->on_behalf_of = NULL;
	casex_free(&c);
	return rc;
}

int
dc_case_tasks(struct dc *ctx, const char *assignee, const char *dept, struct dc_stmt **st)
{
	char now[21], today[11];
	int rc;

	if ((rc = dc_whoami(ctx)))
		return rc;
	if (!assignee || !strcmp(assignee, "me"))
		assignee = dept && !assignee ? NULL : ctx->actor;
	if (assignee && strcmp(assignee, ctx->actor) && !dc_has_role(ctx, "head auditor"))
		return dc_error(ctx, DC_EPERM, "permission denied: '%s' may not see the tasks of '%s'",
		                ctx->actor, assignee);
	if (dept && !dc_has_role(ctx, "head auditor"))
		return dc_error(ctx, DC_EPERM, "permission denied: '%s' may not see all tasks of '%s'",
		                ctx->actor, dept);
	/* my own cases plus those of colleagues I deputise for today, marked on_behalf_of */
	rc = dc_prepare(ctx, st,
	                "SELECT " CASE_COLS ","
	                " CASE WHEN c.assignee = ?1 OR ?1 IS NULL THEN NULL ELSE c.assignee END"
	                " FROM cases c JOIN service s ON s.code = c.service"
	                " WHERE c.status IN " OPEN_STATUSES
	                " AND ((?1 IS NULL AND c.dept = ?2 AND c.assignee IS NOT NULL) OR c.assignee = ?1"
	                "  OR (?2 IS NULL AND c.assignee IN (SELECT login FROM absence WHERE deputy = ?1"
	                "   AND from_date <= ?3 AND until_date >= ?3)))"
	                " AND (?2 IS NULL OR c.dept = ?2)"
	                " ORDER BY c.due_at, c.id");
	if (rc)
		return rc;
	now_text(ctx, now);
	dc_fmt_date(dc_local_days(ctx, dc_now(ctx)), today);
	dc_bind_text(*st, 1, assignee);
	dc_bind_text(*st, 2, dept);
	dc_bind_text(*st, 3, today);
	dc_bind_text(*st, 20, now);
	return 0;
}

/* ---- Open311 import (fields of one GeoReport v2 request) ---- */

static int
open311_time(struct dc *ctx, struct dc_args *req, const char *field, char out[21])
{
	const char *v = dc_arg(req, field);
	time_t t;

	*out = '\0';
	if (!v || !*v)
		return 0;
	if (dc_parse_time(v, &t) < 0)
		return dc_error(ctx, DC_EDATA, "field '%s': '%s' is not an ISO 8601 date-time", field, v);
	dc_fmt_time(t, out);
	return 0;
}

/* An unknown service_code becomes an inactive service named by service_name. */
static int
open311_service(struct dc *ctx, const char *code, const char *name)
{
	char at[21];
	int rc = dc_exists(ctx, "SELECT 1 FROM service WHERE code = ?1", code);

	if (rc)
		return rc < 0 ? -rc : 0;
	dc_fmt_time(dc_now(ctx), at);
	if ((rc = dc_exec(ctx, "INSERT INTO service(code, name, kind, sla, active, created_at)"
	                       " VALUES (?1, coalesce(?2, ?1), 'report', 10, 0, ?3)",
	                  3, code, name, at)))
		return rc;
	{
		struct dc_event ev = {"service", code, "created", NULL, NULL, "open311 import", 0};

		return dc_audit(ctx, &ev);
	}
}

int
dc_case_upsert_open311(struct dc *ctx, struct dc_args *req, void *unused)
{
	const char *ext = dc_arg(req, "service_request_id"), *code = dc_arg(req, "service_code");
	const char *st311 = dc_arg(req, "status"), *notes = dc_arg(req, "status_notes");
	const char *lat = dc_arg(req, "lat"), *lon = dc_arg(req, "long");
	char requested[21], updated[21], expected[21], id[32], *media = NULL, *status = NULL;
	struct service_info s = {0};
	struct dc_args m = {0};
	struct dc_stmt *st = NULL;
	int rc, closed;

	if (!ext || !*ext)
		return dc_error(ctx, DC_EDATA, "field 'service_request_id' is required");
	if (!code || !*code)
		return dc_error(ctx, DC_EDATA, "field 'service_code' is required");
	if (st311 && strcmp(st311, "open") && strcmp(st311, "closed"))
		return dc_error(ctx, DC_EDATA, "field 'status': '%s' is not open or closed", st311);
	closed = st311 && !strcmp(st311, "closed");
	if ((rc = open311_time(ctx, req, "requested_datetime", requested)) ||
	    (rc = open311_time(ctx, req, "updated_datetime", updated)) ||
	    (rc = open311_time(ctx, req, "expected_datetime", expected)) ||
	    (rc = coordinate(ctx, "lat", lat, 90)) || (rc = coordinate(ctx, "long", lon, 180)))
		return rc;
	if (!*requested)
		dc_fmt_time(dc_now(ctx), requested);
	if (!*updated)
		memcpy(updated, requested, sizeof updated);
	if (dc_arg(req, "media_url") && *dc_arg(req, "media_url"))
		dc_args_add(&m, "media", dc_arg(req, "media_url"));
	media = media_json(&m);
	dc_args_free(&m);
	if ((rc = open311_service(ctx, code, dc_arg(req, "service_name"))) ||
	    (rc = service_info(ctx, code, NULL, &s)))
		goto done;
	if (!*expected) {
		time_t t;

		dc_parse_time(requested, &t);
		if ((rc = due_at(ctx, t, s.sla, expected)))
			goto done;
	}
	if ((rc = dc_prepare(ctx, &st, "SELECT id, status, assignee IS NULL, purged_at FROM cases"
	                               " WHERE external_id = ?1")))
		goto done;
	dc_bind_text_ref(st, 1, ext);
	if ((rc = dc_step(ctx, st)) == 1 && !dc_col_null(st, 3)) {
		/* an old dump imported again must not bring back what purge removed */
		snprintf(id, sizeof id, "%s", dc_col_text(st, 0));
		notes = NULL;
		rc = 0;
	} else if (rc == 1) {
		/* re-import: update in place, move the status only across open/closed */
		const char *old = dc_col_text(st, 1);
		int was_closed = is_closed(old), unassigned = dc_col_int(st, 2);

		snprintf(id, sizeof id, "%s", dc_col_text(st, 0));
		status = dc_strdup(closed == was_closed ? old
		                   : closed             ? "closed"
		                   : unassigned         ? "new"
		                                        : "in_progress");
		rc = 0;
		if (strcmp(status, old) && (rc = case_event(ctx, id, "status", old, status, NULL, 1)))
			goto done;
		rc = dc_exec(ctx, "UPDATE cases SET description = ?2, address = ?3, lat = ?4, lon = ?5,"
		                  " media = ?6, updated_at = ?7, due_at = ?8, status = ?9,"
		                  " closed_at = CASE WHEN ?9 = 'closed' THEN coalesce(closed_at, ?7) END"
		                  " WHERE id = ?1",
		             9, id, dc_arg(req, "description"), dc_arg(req, "address"), lat, lon, media,
		             updated, expected, status);
	} else if (rc == 0) {
		const char *first = dc_arg(req, "first_name"), *last = dc_arg(req, "last_name");
		char name[512];
		time_t t;

		snprintf(name, sizeof name, "%s%s%s", first ? first : "", first && last ? " " : "",
		         last ? last : "");
		/* an imported request counts in the year it was made */
		dc_parse_time(requested, &t);
		if ((rc = dc_next_id(ctx, "case", NULL, t, id)))
			goto done;
		rc = dc_exec(ctx, "INSERT INTO cases(id, service, dept, status, description, address,"
		                  " lat, lon, media, channel, external_id, created_at, updated_at, due_at,"
		                  " closed_at, reporter_email, reporter_name, reporter_phone)"
		                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'open311', ?10, ?11, ?12,"
		                  " ?13, CASE WHEN ?4 = 'closed' THEN ?12 END, ?14, nullif(?15, ''), ?16)",
		             16, id, code, s.dept, closed ? "closed" : "new", dc_arg(req, "description"),
		             dc_arg(req, "address"), lat, lon, media, ext, requested, updated, expected,
		             dc_arg(req, "email"), name, dc_arg(req, "phone"));
		if (!rc)
			rc = case_event(ctx, id, "created", NULL, closed ? "closed" : "new", "open311 import", 1);
	}
	dc_finish(ctx, st);
	st = NULL;
	if (rc)
		goto done;
	/* status_notes is a public note; the same text imported again is not added twice */
	if (notes && *notes) {
		if ((rc = dc_prepare(ctx, &st, "SELECT note FROM event WHERE entity = 'case' AND ref = ?1"
		                               " AND kind = 'note' AND visibility = 'public'"
		                               " ORDER BY id DESC LIMIT 1")))
			goto done;
		dc_bind_text_ref(st, 1, id);
		rc = dc_step(ctx, st);
		if (rc == 0 || (rc == 1 && !same(dc_col_text(st, 0), notes)))
			rc = case_event(ctx, id, "note", NULL, NULL, notes, 1);
		else if (rc == 1)
			rc = 0;
		if (rc)
			goto done;
	}
	rc = dc_touched(ctx, id, NULL);
done:
	dc_finish(ctx, st);
	service_info_free(&s);
	free(media);
	free(status);
	return rc;
}
