/* Services (Open311 terms) with attribute definitions, and district routing overrides. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases/cases.h"
#include "org/org.h"

const struct dc_rectype dc_rt_service = {
	"service",
	(const struct dc_field[]){{"code", DC_T_STR}, {"name", DC_T_STR}, {"kind", DC_T_STR},
	                          {"department", DC_T_STR}, {"sla", DC_T_INT},
	                          {"description", DC_T_STR}, {"attributes", DC_T_JSON},
	                          {"active", DC_T_BOOL}, {"created_at", DC_T_STR},
	                          {"retention", DC_T_INT}, {"archive", DC_T_STR}},
	11};
const struct dc_rectype dc_rt_route = {
	"route",
	(const struct dc_field[]){{"service", DC_T_STR}, {"district", DC_T_STR},
	                          {"department", DC_T_STR}},
	3};

static const char *const datatypes[] = {"string", "number", "datetime", "text",
                                        "singlevaluelist", "multivaluelist", NULL};

/* Check an Open311 attribute list and return it as compact JSON text (caller frees).  FIELD
 * is where it came from: --definition, or an imported service's attributes. */
static int
definition_check(struct dc *ctx, const char *field, json_object *def, char **out)
{
	size_t i, n;

	if (json_object_is_type(def, json_type_object)) {
		json_object *attrs;

		if (!json_object_object_get_ex(def, "attributes", &attrs))
			return dc_error(ctx, DC_EDATA, "field '%s': no 'attributes' array",
			                field);
		def = attrs;
	}
	if (!json_object_is_type(def, json_type_array))
		return dc_error(ctx, DC_EDATA, "field '%s': not an array of attributes", field);
	n = json_object_array_length(def);
	for (i = 0; i < n; i++) {
		json_object *a = json_object_array_get_idx(def, i), *code, *dt, *vals;
		const char *const *d;

		if (!json_object_is_type(a, json_type_object) ||
		    !json_object_object_get_ex(a, "code", &code) ||
		    !json_object_object_get_ex(a, "datatype", &dt))
			return dc_error(ctx, DC_EDATA,
			                "field '%s': attribute %zu needs 'code' and 'datatype'",
			                field, i + 1);
		for (d = datatypes; *d && strcmp(*d, json_object_get_string(dt)); d++)
			;
		if (!*d)
			return dc_error(ctx, DC_EDATA,
			                "field '%s': attribute '%s': unknown datatype '%s'", field,
			                json_object_get_string(code), json_object_get_string(dt));
		if (strstr(*d, "list") && (!json_object_object_get_ex(a, "values", &vals) ||
		                           !json_object_is_type(vals, json_type_array)))
			return dc_error(ctx, DC_EDATA,
			                "field '%s': attribute '%s': a %s needs 'values'", field,
			                json_object_get_string(code), *d);
	}
	*out = dc_strdup(json_object_to_json_string_ext(def, JSON_C_TO_STRING_PLAIN));
	return 0;
}

/* --definition is a file name, or JSON text when it starts with '[' or '{'. */
static int
definition_load(struct dc *ctx, const char *arg, char **out)
{
	json_object *def;
	int rc;

	*out = NULL;
	if (!arg)
		return 0;
	def = (*arg == '[' || *arg == '{') ? json_tokener_parse(arg) : json_object_from_file(arg);
	if (!def) {
		if (*arg != '[' && *arg != '{' && access(arg, R_OK) != 0)
			return dc_error(ctx, DC_ENOINPUT, "cannot open definition '%s'", arg);
		return dc_error(ctx, DC_EDATA, "field 'definition': '%s' is not valid JSON", arg);
	}
	rc = definition_check(ctx, "definition", def, out);
	json_object_put(def);
	return rc;
}

/* --retention DAYS, or none for no limit: *out is the column's text, or NULL for none and
 * for not given (*given tells which). */
static int
retention_arg(struct dc *ctx, struct dc_args *a, char buf[24], const char **out, int *given)
{
	const char *v = dc_arg(a, "retention");
	long n;
	int rc;

	*out = NULL;
	*given = v != NULL;
	if (!v || !strcmp(v, "none"))
		return 0;
	if ((rc = dc_arg_int(ctx, a, "retention", 0, 36500, &n)))
		return rc;
	snprintf(buf, 24, "%ld", n);
	*out = buf;
	return 0;
}

/* A new service: service add's options or a record's fields.  --retention is DAYS or none,
 * read by retention_arg as service set reads it. */
struct service_new {
	const char *code, *name, *kind, *dept, *definition, *description, *archive;
	long sla;
};

const struct dc_opt dc_case_service_add_spec[] = {
	{"code", DC_V_TEXT, DC_O_REQUIRED, NULL, "C", NULL, NULL, DC_AT(struct service_new, code)},
	{"name", DC_V_TEXT, DC_O_REQUIRED, NULL, "N", NULL, NULL, DC_AT(struct service_new, name)},
	{"kind", DC_V_ENUM, DC_O_REQUIRED, "report application", NULL, NULL, NULL,
	 DC_AT(struct service_new, kind)},
	{"department", DC_V_TEXT, DC_O_REQUIRED, NULL, "D", NULL, NULL,
	 DC_AT(struct service_new, dept)},
	{"sla", DC_V_INT, 0, "0..365", "DAYS", NULL, NULL, DC_AT(struct service_new, sla)},
	{"definition", DC_V_TEXT, DC_O_LINES, NULL, "FILE|JSON", NULL, NULL,
	 DC_AT(struct service_new, definition)},
	{"description", DC_V_TEXT, DC_O_LINES, NULL, "T", NULL, NULL,
	 DC_AT(struct service_new, description)},
	{"retention", DC_V_TEXT, 0, NULL, "DAYS|none", NULL, NULL, DC_NOFIELD},
	{"archive", DC_V_ENUM, 0, "offer keep destroy", NULL, NULL, NULL,
	 DC_AT(struct service_new, archive)},
	{NULL},
};

int
dc_case_service_add(struct dc *ctx, struct dc_args *rec, void *unused)
{
	struct service_new s;
	struct dc_event ev = {"service", NULL, "created", NULL, NULL, NULL, 0};
	char at[21], *def = NULL, sla[24], rbuf[24];
	const char *retention;
	int rc, given;

	if ((rc = dc_require(ctx, "", "add services")) ||
	    (rc = dc_decode(ctx, dc_case_service_add_spec, rec, &s)) ||
	    (rc = retention_arg(ctx, rec, rbuf, &retention, &given)) ||
	    (rc = dc_org_dept_known(ctx, "department", s.dept)) ||
	    (rc = definition_load(ctx, s.definition, &def)))
		return rc;
	if ((rc = dc_must_not_exist(ctx, "SELECT 1 FROM service WHERE code = ?1", "service",
	                            s.code))) {
		free(def);
		return rc;
	}
	dc_fmt_time(dc_now(ctx), at);
	snprintf(sla, sizeof sla, "%ld", s.sla == DC_UNSET ? 10 : s.sla);
	rc = dc_exec(ctx, "INSERT INTO service(code, name, kind, dept, sla, description, definition,"
	                  " active, created_at, retention, archive)"
	                  " VALUES (?1,?2,?3,?4,?5,?6,coalesce(?7,'[]'),1,?8,?9,"
	                  " coalesce(?10,'offer'))",
	             10, s.code, s.name, s.kind, s.dept, sla, s.description, def, at, retention,
	             s.archive);
	free(def);
	ev.ref = s.code;
	ev.to = s.dept;
	if (rc || (rc = dc_audit(ctx, &ev)))
		return rc;
	return dc_touched(ctx, s.code, NULL);
}

int
dc_case_service_set(struct dc *ctx, const char *code, struct dc_args *a)
{
	const char *dept = dc_arg(a, "department"), *active = dc_arg(a, "active");
	const char *archive = dc_arg(a, "archive");
	struct dc_event ev = {"service", code, "changed", NULL, NULL, NULL, 0};
	char *def = NULL, *change, sla[24] = "", rbuf[24];
	const char *retention;
	long n;
	int rc, given;

	/* the fields are service add's: the same rules for their text and range */
	if ((rc = dc_require(ctx, "", "change services")) ||
	    (rc = dc_spec_check(ctx, dc_case_service_add_spec, a)))
		return rc;
	if ((rc = dc_must_exist(ctx, "SELECT 1 FROM service WHERE code = ?1", "service", code)))
		return rc;
	if (active && strcmp(active, "true") && strcmp(active, "false"))
		return dc_error(ctx, DC_EDATA, "field 'active': '%s' is not true or false", active);
	if ((rc = dc_arg_int(ctx, a, "sla", 0, 365, &n)))
		return rc;
	if (dc_arg(a, "sla"))
		snprintf(sla, sizeof sla, "%ld", n);
	if ((rc = retention_arg(ctx, a, rbuf, &retention, &given)) ||
	    (rc = dc_org_dept_known(ctx, "department", dept)) ||
	    (rc = definition_load(ctx, dc_arg(a, "definition"), &def)))
		return rc;
	rc = dc_exec(ctx, "UPDATE service SET dept = coalesce(?2, dept), sla = coalesce(?3, sla),"
	                  " active = coalesce(" DC_SQL_FLAG("?4") ", active),"
	                  " definition = coalesce(?5, definition),"
	                  " name = coalesce(?6, name),"
	                  " retention = CASE WHEN ?7 = '1' THEN ?8 ELSE retention END,"
	                  " archive = coalesce(?9, archive) WHERE code = ?1",
	             9, code, dept, *sla ? sla : NULL, active, def, dc_arg(a, "name"),
	             given ? "1" : "0", retention, archive);
	free(def);
	if (rc)
		return rc;
	change = dc_printf("department=%s sla=%s active=%s retention=%s%s%s", dept ? dept : "-",
	                   *sla ? sla : "-", active ? active : "-",
	                   !given ? "-" : retention ? retention : "none",
	                   archive ? " archive=" : "", archive ? archive : "");
	ev.to = change;
	rc = dc_audit(ctx, &ev);
	free(change);
	return rc ? rc : dc_touched(ctx, code, NULL);
}

int
dc_case_service_list(struct dc *ctx, const char *code, struct dc_stmt **st)
{

	return dc_q_list(ctx, st,
	                 "SELECT code, name, kind, dept, sla, description, definition, active,"
	                 " created_at, retention, archive FROM service",
	                 "code = ?", code, NULL, NULL, " ORDER BY code");
}

/* One record of an Open311 services list or service definition. */
static int
import_one(struct dc *ctx, struct dc_args *rec, void *arg)
{
	const char *dept = arg, *code = dc_arg(rec, "service_code");
	const char *name = dc_arg(rec, "service_name");
	json_object *attrs = json_object_new_array();
	char *def = NULL, at[21];
	int i, rc, exists;

	if (!code) {
		json_object_put(attrs);
		return dc_error(ctx, DC_EDATA, "field 'service_code' is required");
	}
	for (i = 0; i < dc_arg_count(rec, "attributes"); i++)
		json_object_array_add(attrs, json_tokener_parse(dc_arg_nth(rec, "attributes", i)));
	rc = dc_arg_count(rec, "attributes") ? definition_check(ctx, "attributes", attrs, &def) : 0;
	json_object_put(attrs);
	if (rc)
		return rc;
	if ((rc = dc_exists(ctx, "SELECT 1 FROM service WHERE code = ?1", code, &exists))) {
		free(def);
		return rc;
	}
	dc_fmt_time(dc_now(ctx), at);
	if (exists)
		rc = dc_exec(ctx, "UPDATE service SET name = coalesce(?2, name), description ="
		                  " coalesce(?3, description), definition = coalesce(?4, definition)"
		                  " WHERE code = ?1",
		             4, code, name, dc_arg(rec, "description"), def);
	else
		/* a service without a department cannot take cases until one is set */
		rc = dc_exec(ctx, "INSERT INTO service(code, name, kind, dept, sla, description,"
		                  " definition, active, created_at) VALUES (?1, coalesce(?2, ?1), 'report',"
		                  " ?3, 10, ?4, coalesce(?5, '[]'),"
		                  " CASE WHEN ?3 IS NOT NULL THEN 1 ELSE 0 END, ?6)",
		             6, code, name, dept, dc_arg(rec, "description"), def, at);
	free(def);
	if (!rc) {
		struct dc_event ev = {"service", code, exists ? "changed" : "created", NULL, dept,
		                      "open311 import", 0};

		rc = dc_audit(ctx, &ev);
	}
	return rc ? rc : dc_touched(ctx, code, NULL);
}

int
dc_case_service_import(struct dc *ctx, const char *path, const char *dept)
{
	int rc;

	if ((rc = dc_require(ctx, "", "import services")) ||
	    (rc = dc_org_dept_known(ctx, "department", dept)))
		return rc;
	return dc_bulk(ctx, path, NULL, 0, import_one, (void *)dept);
}

/* A district override: route add's options or a record's fields. */
struct route_new {
	const char *service, *district, *dept;
};

const struct dc_opt dc_case_route_add_spec[] = {
	{"service", DC_V_TEXT, DC_O_REQUIRED, NULL, "C", NULL, NULL,
	 DC_AT(struct route_new, service)},
	{"district", DC_V_TEXT, DC_O_REQUIRED, NULL, "NAME", NULL, NULL,
	 DC_AT(struct route_new, district)},
	{"department", DC_V_TEXT, DC_O_REQUIRED, NULL, "D", NULL, NULL,
	 DC_AT(struct route_new, dept)},
	{NULL},
};

int
dc_case_route_add(struct dc *ctx, struct dc_args *rec, void *unused)
{
	struct route_new r;
	struct dc_event ev = {"route", NULL, "created", NULL, NULL, NULL, 0};
	char *ref;
	int rc, known;

	if ((rc = dc_require(ctx, "", "add routes")) ||
	    (rc = dc_decode(ctx, dc_case_route_add_spec, rec, &r)) ||
	    (rc = dc_exists(ctx, "SELECT 1 FROM service WHERE code = ?1", r.service, &known)))
		return rc;
	if (!known)
		return dc_error(ctx, DC_EDATA, "field 'service': unknown service '%s'", r.service);
	if ((rc = dc_org_dept_known(ctx, "department", r.dept)) ||
	    (rc = dc_exec(ctx, "INSERT INTO route(service, district, dept) VALUES (?1, ?2, ?3)"
	                       " ON CONFLICT(service, district) DO UPDATE SET dept = excluded.dept",
	                  3, r.service, r.district, r.dept)))
		return rc;
	ref = dc_printf("%s/%s", r.service, r.district);
	ev.ref = ref;
	ev.to = r.dept;
	rc = dc_audit(ctx, &ev);
	free(ref);
	return rc;
}

int
dc_case_route_list(struct dc *ctx, struct dc_stmt **st)
{
	return dc_prepare(ctx, st, "SELECT service, district, dept FROM route ORDER BY 1, 2");
}
