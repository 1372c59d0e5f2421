/* Cases: intake — checking a new case against its service, routing it, its SLA and receipt. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "cases/internal.h"
#include "org/org.h"

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
	if (strcmp(type, "multivaluelist") && json_object_object_get_ex(attrs, code, NULL))
		return dc_error(ctx, DC_EDATA, "field 'attr': attribute '%s': one value expected,"
		                               " not a list", code);
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
		/* a list given as a JSON array comes as the attribute given once per value */
		json_object *arr = NULL;

		if (multi && json_object_object_get_ex(attrs, code, &o))
			arr = json_object_get(o);
		else if (multi)
			arr = json_object_new_array();

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
attributes(struct dc *ctx, struct dc_args *rec, json_object *def, char **out)
{
	json_object *attrs = json_object_new_object();
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
	json_object_put(attrs);
	return rc;
}


int
dc_cases_coordinate(struct dc *ctx, const char *field, const char *v, double lim)
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

int
dc_cases_service_info(struct dc *ctx, const char *code, const char *district,
                      struct service_info *s)
{
	struct dc_stmt *st = NULL;
	int rc;

	memset(s, 0, sizeof *s);
	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT r.dept, s.definition, s.name, s.sla, s.active,"
	                     " (SELECT name FROM dept WHERE code = r.dept)"
	                     " FROM service s, (SELECT coalesce((SELECT dept FROM route"
	                     " WHERE service = ?1 AND district = ?2), (SELECT dept FROM service"
	                     " WHERE code = ?1)) AS dept) r WHERE s.code = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, code);
	dc_bind_text_ref(st, 2, district);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		s->dept = dc_strdup(dc_col_text(st, 0));
		s->definition = dc_strdup(dc_col_text(st, 1));
		s->name = dc_strdup(dc_col_text(st, 2));
		s->sla = dc_col_int(st, 3);
		s->active = dc_col_int(st, 4);
		s->dept_name = dc_strdup(dc_col_text(st, 5));
		rc = 0;
	} else if (rc == 0)
		rc = dc_error(ctx, DC_EDATA, "field 'service': unknown service '%s'", code);
	dc_finish(ctx, st);
	return rc;
}

void
dc_cases_service_info_free(struct service_info *s)
{
	free(s->dept);
	free(s->definition);
	free(s->name);
	free(s->dept_name);
}

int
dc_cases_due_at(struct dc *ctx, time_t from, long sla, char out[21])
{
	long d;
	int rc;

	if ((rc = dc_org_add_business_days(ctx, dc_local_days(ctx, from), (int)sla, &d)))
		return rc;
	dc_fmt_time(dc_local_end_of_day(ctx, d), out);
	return 0;
}

char *
dc_cases_media_json(struct dc_args *rec)
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

/* A new case as dc-case new's options or a record's fields give it (dc_case_new_spec). */
struct case_new {
	const char *service, *description, *address, *district, *name, *email, *phone;
	const char *channel, *priority, *lang, *device_id, *account_id;
	double lat, lon;
};

/* The reporter's fields also read under the names dc-case list prints (reporter.name), and
 * attributes as the nested object it prints (attributes.CODE), so that a listing reads back. */
const struct dc_opt dc_case_new_spec[] = {
	{"service", DC_V_TEXT, DC_O_REQUIRED, NULL, "C", NULL, NULL,
	 DC_AT(struct case_new, service)},
	{"description", DC_V_TEXT, DC_O_LINES, NULL, "T", NULL, NULL,
	 DC_AT(struct case_new, description)},
	{"address", DC_V_TEXT, 0, NULL, "A", NULL, NULL, DC_AT(struct case_new, address)},
	{"lat", DC_V_NUM, 0, "-90..90", "X", NULL, NULL, DC_AT(struct case_new, lat)},
	{"lon", DC_V_NUM, 0, "-180..180", "Y", NULL, NULL, DC_AT(struct case_new, lon)},
	{"district", DC_V_TEXT, 0, NULL, "D", NULL, NULL, DC_AT(struct case_new, district)},
	{"attr", DC_V_TEXT, DC_O_REPEAT, NULL, "code=value", "attributes.*", NULL, DC_NOFIELD},
	{"media", DC_V_TEXT, DC_O_REPEAT, NULL, "URL", NULL, NULL, DC_NOFIELD},
	{"name", DC_V_TEXT, 0, NULL, "N", "reporter.name", NULL, DC_AT(struct case_new, name)},
	{"email", DC_V_TEXT, 0, NULL, "E", "reporter.email", NULL, DC_AT(struct case_new, email)},
	{"phone", DC_V_TEXT, 0, NULL, "P", "reporter.phone", NULL, DC_AT(struct case_new, phone)},
	{"channel", DC_V_ENUM, 0, "web phone email counter letter open311", "C", NULL, NULL,
	 DC_AT(struct case_new, channel)},
	{"priority", DC_V_ENUM, 0, "low normal high urgent", "P", NULL, NULL,
	 DC_AT(struct case_new, priority)},
	{"lang", DC_V_ENUM, 0, "de en", NULL, NULL, NULL, DC_AT(struct case_new, lang)},
	/* an Open311 client's ids of the reporter's device and account: personal, like the
	 * reporter's fields, and never in public output */
	{"device-id", DC_V_TEXT, 0, NULL, "ID", NULL, NULL, DC_AT(struct case_new, device_id)},
	{"account-id", DC_V_TEXT, 0, NULL, "ID", NULL, NULL, DC_AT(struct case_new, account_id)},
	/* records from - or FILE: commit every N of them (dc-case(1)); not a record's field */
	{"batch", DC_V_INT, DC_O_VERB, "1..1000000000", "N", NULL, NULL, DC_NOFIELD},
	{NULL},
};

/*
 * What a bulk intake looks up once per service and district instead of once per record
 * (perf: the lookup, parsing the attributes' definition and computing the due date were a
 * tenth of dc-case new's time): kept while the transaction that read it lasts.
 */
#define INTAKE_MEMO 512

static int intake(struct dc *ctx, struct dc_args *rec, struct dc_case_memo *m, char id[32],
                  char token[33]);

static int
same_key(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static unsigned long
key_hash(const char *code, const char *district)
{
	unsigned long h = dc_hash(district ? district : "", dc_hash(code, DC_HASH_SEED));

	return district ? h : ~h;
}

struct dc_case_memo {
	unsigned long gen;
	int n;
	struct intake_service {
		char *code, *district; /* the key */
		unsigned long hash;    /* of the key: compared first */
		struct service_info s;
		json_object *def;      /* s.definition parsed */
		char due[21];          /* the due date of a case taken in now */
	} e[INTAKE_MEMO];
};

static void
memo_clear(struct dc_case_memo *m)
{
	for (int i = 0; i < m->n; i++) {
		free(m->e[i].code);
		free(m->e[i].district);
		dc_cases_service_info_free(&m->e[i].s);
		json_object_put(m->e[i].def);
	}
	m->n = 0;
}

/* The service of a new case and what follows from it, from the memo when it has them; *out
 * points into the memo, or into tmp (which the caller frees) when there is none or it is full. */
static int
intake_service(struct dc *ctx, struct dc_case_memo *m, const char *code, const char *district,
               struct intake_service *tmp, struct intake_service **out)
{
	struct intake_service *e = tmp;
	unsigned long h = key_hash(code, district);
	int i, rc;

	if (m && m->gen != ctx->txgen) {
		memo_clear(m);
		m->gen = ctx->txgen;
	}
	for (i = 0; m && i < m->n; i++)
		if (m->e[i].hash == h && !strcmp(m->e[i].code, code) &&
		    same_key(m->e[i].district, district)) {
			*out = &m->e[i];
			return 0;
		}
	if (m && m->n < INTAKE_MEMO)
		e = &m->e[m->n];
	memset(e, 0, sizeof *e);
	if ((rc = dc_cases_service_info(ctx, code, district, &e->s)) ||
	    (e->s.active && e->s.dept &&
	     (rc = dc_cases_due_at(ctx, dc_now(ctx), e->s.sla, e->due)))) {
		dc_cases_service_info_free(&e->s);
		return rc;
	}
	e->def = e->s.definition ? json_tokener_parse(e->s.definition) : NULL;
	if (e != tmp) {
		e->code = dc_strdup(code);
		e->district = dc_strdup(district);
		e->hash = h;
		m->n++;
	}
	*out = e;
	return 0;
}

int
dc_case_new(struct dc *ctx, struct dc_args *rec, void *memo)
{
	char id[32], token[33];
	int rc;

	if ((rc = intake(ctx, rec, memo, id, token)))
		return rc;
	return dc_touched(ctx, id, token);
}

struct dc_case_memo *
dc_case_memo_new(void)
{
	struct dc_case_memo *m = calloc(1, sizeof *m);

	if (!m)
		abort();
	return m;
}

void
dc_case_memo_free(struct dc_case_memo *m)
{
	if (m)
		memo_clear(m);
	free(m);
}

int
dc_case_intake(struct dc *ctx, struct dc_args *rec, char id[32], char token[33])
{
	return intake(ctx, rec, NULL, id, token);
}

static int
intake(struct dc *ctx, struct dc_args *rec, struct dc_case_memo *m, char id[32], char token[33])
{
	struct case_new n;
	struct intake_service tmp = {0}, *sv = NULL;
	const struct service_info *s;
	struct dc_stmt *st = NULL;
	char now[21], hash[65], *attrs = NULL, *media = NULL;
	int rc;

	if ((rc = dc_require(ctx, "head clerk integrator", "create cases")) ||
	    (rc = dc_decode(ctx, dc_case_new_spec, rec, &n)))
		return rc;
	if (isnan(n.lat) != isnan(n.lon))
		return dc_field_error(ctx, "field '%s': lat and lon go together",
		                      isnan(n.lat) ? "lat" : "lon");
	if (n.email && !dc_email_ok(n.email))
		return dc_field_error(ctx, "field 'email': '%s' is not an email address", n.email);
	if ((rc = intake_service(ctx, m, n.service, n.district, &tmp, &sv)))
		goto done;
	s = &sv->s;
	if (!s->active || !s->dept) {
		rc = dc_error(ctx, DC_ECONFLICT, "field 'service': service '%s' is %s", n.service,
		              !s->active ? "not active" : "not assigned to a department");
		goto done;
	}
	if ((rc = attributes(ctx, rec, sv->def, &attrs)))
		goto done;
	media = dc_cases_media_json(rec);
	if ((rc = dc_next_id(ctx, "case", NULL, dc_now(ctx), id)))
		goto done;
	dc_cases_now(ctx, now);
	if (dc_random_hex(token, 16) < 0) {
		rc = dc_error(ctx, DC_EINTERNAL, "no random bytes for the tracking token");
		goto done;
	}
	dc_sha256_hex(token, 32, hash);
	if ((rc = dc_prepare(ctx, &st,
	                     "INSERT INTO cases(id, service, dept, status, priority, description,"
	                     " address, district, lat, lon, attributes, media, reporter_name,"
	                     " reporter_email, reporter_phone, lang, channel, token_hash, created_at,"
	                     " updated_at, due_at, device_id, account_id) VALUES (?1, ?2, ?3, 'new',"
	                     " coalesce(?4, 'normal'), ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
	                     " ?15, coalesce(?16, 'web'), ?17, ?18, ?18, ?19, ?20, ?21)")))
		goto done;
	{
		/* lat and lon (8, 9) are bound as numbers below */
		const char *v[] = {id,        n.service,  s->dept,     n.priority,  n.description,
		                   n.address, n.district, NULL,        NULL,        attrs,
		                   media,     n.name,     n.email,     n.phone,     n.lang,
		                   n.channel, hash,       now,         sv->due,     n.device_id,
		                   n.account_id};

		for (int i = 0; i < 21; i++)
			dc_bind_text_ref(st, i + 1, v[i]);
		if (!isnan(n.lat)) {
			dc_bind_double(st, 8, n.lat);
			dc_bind_double(st, 9, n.lon);
		}
	}
	rc = dc_step(ctx, st);
	dc_finish(ctx, st);
	if (rc || (rc = dc_cases_event(ctx, id, "created", NULL, "new", s->name, 1)) ||
	    (rc = dc_cases_event(ctx, id, "routed", NULL, s->dept, n.district, 0)))
		goto done;
	if (n.email) {
		/* the case as dc_cases_load would read it back, without reading it (perf) */
		struct casex c = {0};
		const char *f[] = {id,      s->dept, "new",   n.email,       n.name,
		                   n.lang,  s->name, now,     s->dept_name,  sv->due};
		char **to[] = {&c.id,   &c.dept,         &c.status,     &c.email,     &c.name,
		               &c.lang, &c.service_name, &c.created_at, &c.dept_name, &c.due_at};

		for (int i = 0; i < 10; i++)
			*to[i] = dc_strdup(f[i]);
		c.token = token;
		rc = dc_cases_notify(ctx, &c, "case-receipt", NULL, NULL);
		dc_cases_free(&c);
	}
done:
	if (sv == &tmp) {
		dc_cases_service_info_free(&tmp.s);
		json_object_put(tmp.def);
	}
	free(attrs);
	free(media);
	return rc;
}

/* One case record, with an extra last column (the token after intake) when the type has it. */
