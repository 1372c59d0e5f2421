/* dc-open311: GeoReport v2's resources and the extensions that clients use (dc-open311(8)).
 * Requests are cases: created by intake as dc-case new creates them, and written by the one
 * serializer of lib/export, so that the endpoint and dc-export give the same records. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "export/export.h"
#include "open311/open311.h"
#include "org/org.h"

#define DAY 86400
#define WINDOW_DAYS 90 /* GeoReport's default window of GET requests */

/* A parameter that every resource takes: the key, and a jurisdiction (dcity serves one). */
#define COMMON_PARAMS                                                                          \
	{"api_key", DC_V_TEXT, 0, NULL, "KEY", NULL, NULL, DC_NOFIELD},                            \
	    {"jurisdiction_id", DC_V_TEXT, 0, NULL, "J", NULL, NULL, DC_NOFIELD}

static const struct dc_opt common_spec[] = {COMMON_PARAMS, {NULL}};

/* Refuse a parameter SPEC does not name, then check the values as dc_decode does. */
static int
params(struct dc *ctx, const struct dc_opt *spec, const struct dc_args *a, void *out)
{
	int i;

	for (i = 0; i < a->n; i++)
		if (!dc_spec_find(spec, a->keys[i]))
			return dc_error(ctx, DC_EUSAGE, "unknown parameter '%s'", a->keys[i]);
	return dc_decode(ctx, spec, a, out);
}

/* An RFC 3339 parameter as the UTC text the database compares with ("" when not given). */
static int
instant(struct dc *ctx, const struct dc_args *a, const char *name, char out[21])
{
	const char *v = dc_arg(a, name);
	time_t t;

	*out = '\0';
	if (!v)
		return 0;
	if (dc_parse_time(v, &t) < 0)
		return dc_error(ctx, DC_EUSAGE, "parameter '%s': '%s' is not an RFC 3339 date-time",
		                name, v);
	dc_fmt_time(t, out);
	return 0;
}

/* ---- discovery and services ---- */

static int
discovery(struct dc *ctx, struct dc_o311_req *r, int xml)
{
	json_object *d = json_object_new_object(), *ep = json_object_new_object();
	json_object *eps = json_object_new_array(), *fmts = json_object_new_array();
	struct dc_stmt *st = NULL;
	char *city = NULL, *mail = NULL, *changeset = NULL;
	int rc;

	if ((rc = params(ctx, common_spec, &r->params, NULL)))
		goto done;
	/* the document changes when a service does */
	if ((rc = dc_prepare(ctx, &st, "SELECT coalesce(max(created_at), '1970-01-01T00:00:00Z')"
	                               " FROM service")))
		goto done;
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		changeset = dc_strdup(dc_col_text(st, 0));
		rc = 0;
	}
	dc_finish(ctx, st);
	if (rc)
		goto done;
	city = dc_setting(ctx, "city.name");
	mail = dc_setting(ctx, "mail.from");
	json_object_object_add(d, "changeset", json_object_new_string(changeset));
	json_object_object_add(d, "contact", json_object_new_string(mail ? mail : ""));
	json_object_object_add(d, "key_service", json_object_new_string(
	    "API keys for writing: ask the city's dcity administrator"));
	json_object_object_add(ep, "specification",
	                       json_object_new_string("http://wiki.open311.org/GeoReport_v2"));
	json_object_object_add(ep, "url", json_object_new_string(r->base));
	json_object_object_add(ep, "changeset", json_object_new_string(changeset));
	json_object_object_add(ep, "type", json_object_new_string("production"));
	json_object_array_add(fmts, json_object_new_string("text/xml"));
	json_object_array_add(fmts, json_object_new_string("application/json"));
	json_object_object_add(ep, "formats", fmts);
	json_object_array_add(eps, ep);
	json_object_object_add(d, "endpoints", eps);
	rc = dc_o311_write_doc(ctx, d, xml, "discovery", NULL);
done:
	json_object_put(d);
	free(city);
	free(mail);
	free(changeset);
	return rc;
}

static int
services(struct dc *ctx, struct dc_o311_req *r, int xml)
{
	struct dc_export x = {0};
	int rc;

	if ((rc = params(ctx, common_spec, &r->params, NULL)))
		return rc;
	x.dataset = "services";
	return dc_export_open311_services(ctx, &x, xml);
}

/* GET services/CODE: the attribute definitions the service stores (GeoReport's own form). */
static int
service_definition(struct dc *ctx, struct dc_o311_req *r, const char *code, int xml)
{
	struct dc_stmt *st = NULL;
	json_object *d = NULL;
	int rc;

	if ((rc = params(ctx, common_spec, &r->params, NULL)) ||
	    (rc = dc_prepare(ctx, &st, "SELECT definition FROM service WHERE code = ?1 AND active")))
		return rc;
	dc_bind_text_ref(st, 1, code);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		d = json_object_new_object();
		json_object_object_add(d, "service_code", json_object_new_string(code));
		json_object_object_add(d, "attributes", json_tokener_parse(dc_col_text(st, 0)));
		rc = 0;
	} else if (rc == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no service '%s'", code);
	dc_finish(ctx, st);
	if (!rc)
		rc = dc_o311_write_doc(ctx, d, xml, "service_definition", NULL);
	json_object_put(d);
	return rc;
}

/* ---- GET requests ---- */

struct req_query {
	const char *status, *bbox, *q;
	long page, page_size;
	int extensions;
};

static const struct dc_opt requests_spec[] = {
	COMMON_PARAMS,
	{"service_request_id", DC_V_TEXT, DC_O_LIST, NULL, "ID", NULL, "c.id IN (?)", DC_NOFIELD},
	{"service_code", DC_V_TEXT, DC_O_LIST, NULL, "C", NULL, "c.service IN (?)", DC_NOFIELD},
	{"status", DC_V_ENUM, DC_O_LIST, "open closed", "S", NULL, NULL,
	 DC_AT(struct req_query, status)},
	{"start_date", DC_V_TEXT, 0, NULL, "T", NULL, NULL, DC_NOFIELD},
	{"end_date", DC_V_TEXT, 0, NULL, "T", NULL, NULL, DC_NOFIELD},
	{"updated_after", DC_V_TEXT, 0, NULL, "T", NULL, NULL, DC_NOFIELD},
	{"updated_before", DC_V_TEXT, 0, NULL, "T", NULL, NULL, DC_NOFIELD},
	{"bbox", DC_V_TEXT, 0, NULL, "W,S,E,N", NULL, NULL, DC_AT(struct req_query, bbox)},
	{"q", DC_V_TEXT, 0, NULL, "TEXT", NULL, NULL, DC_AT(struct req_query, q)},
	{"page", DC_V_INT, 0, "1..1000000", "N", NULL, NULL, DC_AT(struct req_query, page)},
	{"page_size", DC_V_INT, 0, "1..1000", "N", NULL, NULL, DC_AT(struct req_query, page_size)},
	{"extensions", DC_V_BOOL, 0, NULL, NULL, NULL, NULL, DC_AT(struct req_query, extensions)},
	{NULL},
};
/* service_request_id alone: the spec says it overrides every other filter */
static const struct dc_opt ids_spec[] = {
	{"service_request_id", DC_V_TEXT, DC_O_LIST, NULL, "ID", NULL, "c.id IN (?)", DC_NOFIELD},
	{NULL},
};

/* bbox=west,south,east,north (longitudes and latitudes, as GeoJSON orders them). */
static int
bbox(struct dc *ctx, struct dc_q *q, const char *v)
{
	static const char *const cond[] = {"c.lon >= CAST(? AS REAL)", "c.lat >= CAST(? AS REAL)",
	                                   "c.lon <= CAST(? AS REAL)", "c.lat <= CAST(? AS REAL)"};
	const char *p = v;
	char *end, num[32];
	double d[4];
	int i;

	for (i = 0; i < 4; i++) {
		d[i] = strtod(p, &end);
		if (end == p || (i < 3 ? *end != ',' : *end != '\0') || !isfinite(d[i]))
			return dc_error(ctx, DC_EUSAGE,
			                "parameter 'bbox': '%s' is not west,south,east,north", v);
		p = end + 1;
	}
	for (i = 0; i < 4; i++) {
		snprintf(num, sizeof num, "%.17g", d[i]);
		dc_q_where_if(q, cond[i], num);
	}
	return 0;
}

/* The conditions of a GET requests, on the cases table c. */
static int
request_filters(struct dc *ctx, struct dc_q *q, const struct dc_args *a,
                const struct req_query *f)
{
	char start[21], end[21], after[21], before[21];
	int rc;

	if (dc_arg(a, "service_request_id"))
		return dc_q_where_spec(ctx, q, ids_spec, a);
	if ((rc = instant(ctx, a, "start_date", start)) || (rc = instant(ctx, a, "end_date", end)) ||
	    (rc = instant(ctx, a, "updated_after", after)) ||
	    (rc = instant(ctx, a, "updated_before", before)) ||
	    (rc = dc_q_where_spec(ctx, q, requests_spec, a)))
		return rc;
	/* no time given: GeoReport's default, the last 90 days */
	if (!*start && !*end && !*after && !*before)
		dc_fmt_time(dc_now(ctx) - WINDOW_DAYS * DAY, start);
	if (*start)
		dc_q_where_if(q, "c.created_at >= ?", start);
	if (*end)
		dc_q_where_if(q, "c.created_at <= ?", end);
	if (*after)
		dc_q_where_if(q, "c.updated_at > ?", after);
	if (*before)
		dc_q_where_if(q, "c.updated_at < ?", before);
	if (f->status && !strcmp(f->status, "open"))
		dc_q_where(q, "c.status IN " DC_CASE_OPEN_SQL);
	else if (f->status && !strcmp(f->status, "closed"))
		dc_q_where(q, "c.status NOT IN " DC_CASE_OPEN_SQL);
	if (f->bbox && (rc = bbox(ctx, q, f->bbox)))
		return rc;
	if (f->q && *f->q) {
		dc_q_open(q);
		dc_q_text(q, "(instr(lower(c.description), lower(?)) > 0"
		             " OR instr(lower(c.address), lower(?)) > 0)", f->q);
		dc_q_close(q);
	}
	return 0;
}

static int
requests_get(struct dc *ctx, struct dc_o311_req *r, int xml)
{
	struct req_query f = {0};
	struct dc_q q = {0}, cq = {0};
	struct dc_stmt *st = NULL;
	long long total = -1;
	int rc;

	if ((rc = params(ctx, requests_spec, &r->params, &f)))
		return rc;
	if (f.page == DC_UNSET)
		f.page = 1;
	if (f.page_size == DC_UNSET)
		f.page_size = 1000; /* GeoReport's most */
	f.extensions = f.extensions == 1;
	if (f.extensions) {
		dc_q_sql(&cq, "SELECT count(*) FROM cases c");
		if ((rc = request_filters(ctx, &cq, &r->params, &f)) ||
		    (rc = dc_q_int_value(ctx, &cq, &total)))
			goto done;
	}
	dc_export_open311_select(&q, f.extensions);
	if ((rc = request_filters(ctx, &q, &r->params, &f)))
		goto done;
	/* newest first: what a client's map and list show */
	dc_q_sql(&q, " ORDER BY c.created_at DESC, c.id DESC");
	dc_q_int(&q, " LIMIT ?", f.page_size);
	dc_q_int(&q, " OFFSET ?", (long long)(f.page - 1) * f.page_size);
	if ((rc = dc_q_prepare(ctx, &q, &st)))
		goto done;
	/* extensions' JSON is an object: the records and meta.total */
	if (f.extensions && !xml)
		printf("{\"meta\":{\"total\":%lld},\"service_requests\":", total);
	if ((rc = dc_export_open311_write(ctx, st, xml, f.extensions, total)))
		goto done;
	if (f.extensions && !xml)
		printf("}\n");
done:
	dc_q_free(&q);
	dc_q_free(&cq);
	return rc;
}

static int
request_one(struct dc *ctx, struct dc_o311_req *r, const char *id, int xml)
{
	struct dc_stmt *st = NULL;
	struct dc_q q = {0};
	int rc;

	if ((rc = params(ctx, common_spec, &r->params, NULL)) ||
	    (rc = dc_must_exist(ctx, "SELECT 1 FROM cases WHERE id = ?1", "request", id)))
		return rc;
	dc_export_open311_select(&q, 0);
	dc_q_where_if(&q, "c.id = ?", id);
	if ((rc = dc_q_prepare(ctx, &q, &st)))
		return rc;
	return dc_export_open311_write(ctx, st, xml, 0, -1);
}

/* ---- POST requests ---- */

/* GeoReport's parameters as dc-case new's fields; attribute[CODE] and attribute[CODE][] are
 * taken apart by hand. */
static const struct {
	const char *param, *field;
} post_fields[] = {
	{"service_code", "service"},     {"lat", "lat"},
	{"long", "lon"},                 {"address_string", "address"},
	{"email", "email"},              {"phone", "phone"},
	{"description", "description"},  {"media_url", "media"},
	{"device_id", "device-id"},      {"account_id", "account-id"},
	{"api_key", NULL},               {"jurisdiction_id", NULL},
	{"first_name", NULL},            {"last_name", NULL},
	{"address_id", NULL},            {NULL, NULL},
};

/* attribute[CODE] or attribute[CODE][]: *code (caller frees), *multi */
static int
attribute_param(const char *key, char **code, int *multi)
{
	size_t n;

	if (strncmp(key, "attribute[", 10))
		return 0;
	n = strcspn(key + 10, "]");
	if (!n || key[10 + n] != ']' ||
	    (strcmp(key + 11 + n, "") && strcmp(key + 11 + n, "[]")))
		return 0;
	*code = dc_printf("%.*s", (int)n, key + 10);
	*multi = key[11 + n] == '[';
	return 1;
}

/* The form as a dc-case new record: REC gets service, lat, ..., attr CODE=VALUE (the values
 * of a multivaluelist joined by commas, as dc-case new takes them). */
static int
post_record(struct dc *ctx, const struct dc_args *a, struct dc_args *rec)
{
	const char *first = dc_arg(a, "first_name"), *last = dc_arg(a, "last_name");
	struct dc_args multi = {0};
	int i, j, rc = 0;

	for (i = 0; i < a->n && !rc; i++) {
		char *code = NULL;
		int is_multi;

		if (attribute_param(a->keys[i], &code, &is_multi)) {
			if (!is_multi) {
				char *kv = dc_printf("%s=%s", code, a->vals[i]);

				dc_args_add(rec, "attr", kv);
				free(kv);
			} else
				dc_args_add(&multi, code, a->vals[i]);
			free(code);
			continue;
		}
		for (j = 0; post_fields[j].param && strcmp(post_fields[j].param, a->keys[i]); j++)
			;
		if (!post_fields[j].param)
			rc = dc_error(ctx, DC_EUSAGE, "unknown parameter '%s'", a->keys[i]);
		else if (post_fields[j].field)
			dc_args_add(rec, post_fields[j].field, a->vals[i]);
	}
	/* each multivaluelist once, its values in the order given */
	for (i = 0; i < multi.n && !rc; i++) {
		char *kv = dc_printf("%s=", multi.keys[i]);
		int seen = 0;

		for (j = 0; j < i && !seen; j++)
			seen = !strcmp(multi.keys[j], multi.keys[i]);
		for (j = i; j < multi.n && !seen; j++)
			if (!strcmp(multi.keys[j], multi.keys[i])) {
				const char *sep = kv[strlen(kv) - 1] == '=' ? "" : ",";
				char *more = dc_printf("%s%s%s", kv, sep, multi.vals[j]);

				free(kv);
				kv = more;
			}
		if (!seen)
			dc_args_add(rec, "attr", kv);
		free(kv);
	}
	dc_args_free(&multi);
	if (rc)
		return rc;
	/* GeoReport: where is it — coordinates, an address, or the address's id */
	if (!dc_arg(a, "lat") && !dc_arg(a, "long") && !dc_arg(a, "address_string") &&
	    !dc_arg(a, "address_id"))
		return dc_error(ctx, DC_EUSAGE, "a request needs lat and long, address_string or "
		                "address_id");
	if (dc_arg(a, "address_id") && !dc_arg(a, "address_string"))
		dc_args_add(rec, "address", dc_arg(a, "address_id"));
	if (first || last) {
		char *name = dc_printf("%s%s%s", first ? first : "", first && last ? " " : "",
		                       last ? last : "");

		dc_args_add(rec, "name", name);
		free(name);
	}
	dc_args_add(rec, "channel", "open311");
	return 0;
}

static int
requests_post(struct dc *ctx, struct dc_o311_req *r, int xml)
{
	struct dc_args rec = {0};
	json_object *a = NULL, *o;
	char id[32], token[33];
	int rc;

	if ((rc = post_record(ctx, &r->params, &rec)) || (rc = dc_tx_begin(ctx)))
		goto done;
	rc = dc_case_intake(ctx, &rec, id, token);
	if ((rc = dc_tx_end(ctx, rc)))
		goto done;
	a = json_object_new_array();
	o = json_object_new_object();
	json_object_object_add(o, "service_request_id", json_object_new_string(id));
	/* dcity's extension: the citizen's tracking token, shown here once and never again */
	json_object_object_add(o, "tracking_token", json_object_new_string(token));
	json_object_array_add(a, o);
	rc = dc_o311_write_doc(ctx, a, xml, "service_requests", "request");
done:
	json_object_put(a);
	dc_args_free(&rec);
	return rc;
}

/* ---- mySociety's service request updates (FixMyStreet) ---- */

static const struct dc_rectype rt_update = {
	"request_update",
	(const struct dc_field[]){{"update_id", DC_T_STR}, {"service_request_id", DC_T_STR},
	                          {"status", DC_T_STR}, {"description", DC_T_STR},
	                          {"updated_datetime", DC_T_STR}, {"media_url", DC_T_STR}},
	6};

static const struct dc_opt updates_spec[] = {
	COMMON_PARAMS,
	{"start_date", DC_V_TEXT, 0, NULL, "T", NULL, NULL, DC_NOFIELD},
	{"end_date", DC_V_TEXT, 0, NULL, "T", NULL, NULL, DC_NOFIELD},
	{NULL},
};

/* The public events of cases that change what a citizen sees: status changes and public
 * notes.  The status is the case's after the event, in the words FixMyStreet knows. */
static int
updates_get(struct dc *ctx, struct dc_o311_req *r, int xml)
{
	char start[21], end[21];
	struct dc_stmt *st = NULL;
	struct dc_q q = {0};
	int rc;

	if ((rc = params(ctx, updates_spec, &r->params, NULL)) ||
	    (rc = instant(ctx, &r->params, "start_date", start)) ||
	    (rc = instant(ctx, &r->params, "end_date", end)))
		return rc;
	if (!*start)
		dc_fmt_time(dc_now(ctx) - WINDOW_DAYS * DAY, start);
	dc_q_sql(&q, "SELECT CAST(e.id AS TEXT) AS update_id, e.ref AS service_request_id,"
	             " CASE coalesce(CASE WHEN e.kind = 'status' THEN e.to_value END,"
	             "  (SELECT p.to_value FROM event p WHERE p.entity = 'case' AND p.ref = e.ref"
	             "   AND p.kind = 'status' AND p.id < e.id ORDER BY p.id DESC LIMIT 1), 'new')"
	             "  WHEN 'new' THEN 'open' WHEN 'assigned' THEN 'action_scheduled'"
	             "  WHEN 'in_progress' THEN 'in_progress' WHEN 'waiting' THEN 'investigating'"
	             "  WHEN 'resolved' THEN 'fixed' WHEN 'closed' THEN 'closed'"
	             "  WHEN 'rejected' THEN 'no_further_action' WHEN 'duplicate' THEN 'duplicate'"
	             " END AS status, coalesce(e.note, '') AS description,"
	             " e.at AS updated_datetime, NULL AS media_url FROM event e");
	dc_q_where(&q, "e.entity = 'case' AND e.visibility = 'public'"
	               " AND e.kind IN ('note', 'status')");
	dc_q_where_if(&q, "e.at >= ?", start);
	if (*end)
		dc_q_where_if(&q, "e.at <= ?", end);
	dc_q_sql(&q, " ORDER BY e.at, e.id LIMIT 1000");
	if ((rc = dc_q_prepare(ctx, &q, &st)))
		return rc;
	if (xml)
		return dc_export_xml_rows(ctx, st, "service_request_updates", "request_update");
	ctx->format = DC_FMT_JSON;
	return dc_out_query(ctx, &rt_update, st);
}

/* What FixMyStreet sends with a citizen's comment; only the text is kept (a public note):
 * the names and address of the commenter are not needed and not stored. */
static const struct dc_opt update_post_spec[] = {
	COMMON_PARAMS,
	{"service_request_id", DC_V_TEXT, DC_O_REQUIRED, NULL, "ID", NULL, NULL, DC_NOFIELD},
	{"description", DC_V_TEXT, DC_O_REQUIRED, NULL, "T", NULL, NULL, DC_NOFIELD},
	{"update_id", DC_V_TEXT, 0, NULL, "ID", NULL, NULL, DC_NOFIELD},
	{"status", DC_V_TEXT, 0, NULL, "S", NULL, NULL, DC_NOFIELD},
	{"updated_datetime", DC_V_TEXT, 0, NULL, "T", NULL, NULL, DC_NOFIELD},
	{"email", DC_V_TEXT, 0, NULL, "E", NULL, NULL, DC_NOFIELD},
	{"first_name", DC_V_TEXT, 0, NULL, "N", NULL, NULL, DC_NOFIELD},
	{"last_name", DC_V_TEXT, 0, NULL, "N", NULL, NULL, DC_NOFIELD},
	{"account_id", DC_V_TEXT, 0, NULL, "ID", NULL, NULL, DC_NOFIELD},
	{"media_url", DC_V_TEXT, 0, NULL, "URL", NULL, NULL, DC_NOFIELD},
	{NULL},
};

static int
updates_post(struct dc *ctx, struct dc_o311_req *r, int xml)
{
	json_object *a = NULL, *o;
	long long event_id = 0;
	char *id;
	int rc;

	if ((rc = params(ctx, update_post_spec, &r->params, NULL)) || (rc = dc_tx_begin(ctx)))
		return rc;
	rc = dc_case_comment(ctx, dc_arg(&r->params, "service_request_id"),
	                     dc_arg(&r->params, "description"), &event_id);
	if ((rc = dc_tx_end(ctx, rc)))
		return rc;
	a = json_object_new_array();
	o = json_object_new_object();
	id = dc_printf("%lld", event_id);
	json_object_object_add(o, "update_id", json_object_new_string(id));
	free(id);
	json_object_array_add(a, o);
	rc = dc_o311_write_doc(ctx, a, xml, "service_request_updates", "request_update");
	json_object_put(a);
	return rc;
}

/* ---- the routes ---- */

enum { R_DISCOVERY, R_SERVICES, R_SERVICE, R_REQUESTS, R_REQUEST, R_UPDATES, R_TOKEN };

static const struct route {
	const char *name; /* the path's first segment */
	int with_id;      /* name/ID */
	const char *methods;
	int which;
} routes[] = {
	{"discovery", 0, "GET", R_DISCOVERY},
	{"services", 0, "GET", R_SERVICES},
	{"services", 1, "GET", R_SERVICE},
	{"requests", 0, "GET, POST", R_REQUESTS},
	{"requests", 1, "GET", R_REQUEST},
	{"servicerequestupdates", 0, "GET, POST", R_UPDATES},
	{"tokens", 1, "GET", R_TOKEN},
	{NULL, 0, NULL, 0},
};

/* HTTP's status for a dcity status. */
static int
http_status(int rc)
{
	switch (rc) {
	case DC_EUSAGE:
	case DC_EDATA:
	case DC_ECONFLICT:
		return 400;
	case DC_EPERM:
		return 403;
	case DC_ENOTFOUND:
		return 404;
	case DC_EBUSY:
		return 503;
	default:
		return 500;
	}
}

/* Who asks: the key's integrator, or (GET, open311.public_read) anyone. */
static int
authorize(struct dc *ctx, struct dc_o311_req *r, int post)
{
	const char *key = dc_arg(&r->params, "api_key");
	char *login = NULL, *pub;
	int rc, open_read;

	if (key && *key) {
		if (!(rc = dc_org_key_login(ctx, key, &login)))
			rc = dc_act_as(ctx, login);
		free(login);
		return rc;
	}
	if (post)
		return dc_error(ctx, DC_EPERM, "this needs an api_key");
	pub = dc_setting(ctx, "open311.public_read");
	open_read = pub && !strcmp(pub, "true");
	free(pub);
	return open_read ? 0 : dc_error(ctx, DC_EPERM, "reading needs an api_key here");
}

static int
work(struct dc *ctx, struct dc_o311_req *r, const struct route *rt, const char *id, int xml)
{
	int post = !strcmp(r->method, "POST"), rc;

	if ((rc = post ? dc_db_open(ctx) : dc_db_open_readonly(ctx)) ||
	    (rc = authorize(ctx, r, post)) || (rc = dc_o311_body_begin(ctx, r)))
		return rc;
	switch (rt->which) {
	case R_DISCOVERY: return discovery(ctx, r, xml);
	case R_SERVICES: return services(ctx, r, xml);
	case R_SERVICE: return service_definition(ctx, r, id, xml);
	case R_REQUESTS: return post ? requests_post(ctx, r, xml) : requests_get(ctx, r, xml);
	case R_REQUEST: return request_one(ctx, r, id, xml);
	case R_UPDATES: return post ? updates_post(ctx, r, xml) : updates_get(ctx, r, xml);
	default: return dc_error(ctx, DC_EINTERNAL, "no such route");
	}
}

/* Is METHOD one of the list "GET, POST"? */
static int
method_ok(const char *list, const char *method)
{
	size_t n = method ? strlen(method) : 0;
	const char *p;

	for (p = list; n && (p = strstr(p, method)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ',' || !p[n]))
			return 1;
	return 0;
}

int
dc_o311_serve(struct dc *ctx, struct dc_o311_req *r)
{
	const char *path = r->path ? r->path : "", *dot, *slash;
	const struct route *rt;
	char *name = NULL, *id = NULL, *allow = NULL;
	int xml = 0, rc = 0, http = 500, sent = 0;

	while (*path == '/')
		path++;
	dot = strrchr(path, '.');
	slash = strchr(path, '/');
	if (dot && (!slash || dot > slash) && (!strcmp(dot, ".xml") || !strcmp(dot, ".json"))) {
		xml = !strcmp(dot, ".xml");
		name = slash ? dc_printf("%.*s", (int)(slash - path), path)
		             : dc_printf("%.*s", (int)(dot - path), path);
		if (slash)
			id = dc_printf("%.*s", (int)(dot - slash - 1), slash + 1);
	}
	for (rt = routes; name && rt->name; rt++)
		if (!strcmp(rt->name, name) && rt->with_id == !!id &&
		    (!id || (*id && !strchr(id, '/'))))
			break;
	if (!name || !rt->name) {
		rc = dc_error(ctx, DC_ENOTFOUND, "no resource '/%s' (GeoReport v2: discovery,"
		              " services, requests, servicerequestupdates; .json or .xml)", path);
		http = 404;
	} else if (!method_ok(rt->methods, r->method)) {
		rc = dc_error(ctx, DC_EUSAGE, "'/%s' answers %s only", path, rt->methods);
		http = 405;
		allow = dc_printf("Allow: %s\r\n", rt->methods);
	} else if (rt->which == R_TOKEN) {
		rc = dc_error(ctx, DC_ENOTFOUND, "dcity issues no tokens: POST requests answers "
		              "with the service_request_id at once");
		http = 404;
	} else if ((rc = dc_o311_read_params(ctx, r, &http)) == 0) {
		if ((rc = work(ctx, r, rt, id, xml)) == 0) {
			rc = dc_o311_send(ctx, r, 200, xml);
			sent = 1;
		} else
			http = http_status(rc);
	}
	if (rc && sent)
		dc_print_error(ctx); /* the client went away */
	else if (rc) {
		/* the web server's error log gets what went wrong inside; the client a plain word */
		if (http >= 500)
			dc_print_error(ctx);
		dc_o311_send_error(r, http, xml, http >= 500 && http != 503 ? "internal error"
		                   : ctx->errmsg, http == 503 ? "Retry-After: 1\r\n" : allow);
	}
	free(name);
	free(id);
	free(allow);
	return rc;
}
