/* Vendors: the companies the city buys from. */
#include <stdlib.h>
#include <string.h>

#include "procure/procure.h"

const struct dc_rectype dc_rt_vendor = {
	"vendor",
	(const struct dc_field[]){{"id", DC_T_STR}, {"name", DC_T_STR}, {"email", DC_T_STR},
	                          {"vat_id", DC_T_STR}, {"address", DC_T_STR},
	                          {"active", DC_T_BOOL}, {"items", DC_T_INT},
	                          {"last_import", DC_T_STR}, {"created_at", DC_T_STR},
	                          {"encoding", DC_T_STR}, {"columns", DC_T_STR}},
	11};

/* A new vendor: vendor add's operand and options, or a record's fields. */
struct vendor_new {
	const char *id, *name, *email, *vat_id, *address;
};

const struct dc_opt dc_procure_vendor_add_spec[] = {
	{"id", DC_V_TEXT, DC_O_REQUIRED | DC_O_OPERAND, NULL, "ID", NULL, NULL,
	 DC_AT(struct vendor_new, id)},
	{"name", DC_V_TEXT, DC_O_REQUIRED, NULL, "N", NULL, NULL, DC_AT(struct vendor_new, name)},
	{"email", DC_V_TEXT, 0, NULL, "E", NULL, NULL, DC_AT(struct vendor_new, email)},
	{"vat-id", DC_V_TEXT, 0, NULL, "V", NULL, NULL, DC_AT(struct vendor_new, vat_id)},
	{"address", DC_V_TEXT, DC_O_LINES, NULL, "A", NULL, NULL,
	 DC_AT(struct vendor_new, address)},
	{NULL},
};

int
dc_procure_vendor_add(struct dc *ctx, struct dc_args *rec, void *unused)
{
	struct vendor_new v;
	struct dc_event ev = {"vendor", NULL, "created", NULL, NULL, NULL, 0};
	char at[21];
	int rc;

	if ((rc = dc_require(ctx, "buyer", "add vendors")) ||
	    (rc = dc_decode(ctx, dc_procure_vendor_add_spec, rec, &v)))
		return rc;
	/* vendor ids name spool files (VENDOR--*.csv), so they are plain codes */
	if (strspn(v.id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") !=
	        strlen(v.id) || strlen(v.id) > 64)
		return dc_error(ctx, DC_EDATA,
		                "field 'id': '%s' is not a vendor code (letters, digits, _ ., at most 64)",
		                v.id);
	if ((rc = dc_must_not_exist(ctx, "SELECT 1 FROM vendor WHERE id = ?1", "vendor", v.id)))
		return rc;
	dc_fmt_time(dc_now(ctx), at);
	if ((rc = dc_exec(ctx, "INSERT INTO vendor(id, name, email, vat_id, address, created_at)"
	                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	                  6, v.id, v.name, v.email, v.vat_id, v.address, at)))
		return rc;
	ev.ref = v.id;
	ev.to = v.name;
	return (rc = dc_audit(ctx, &ev)) ? rc : dc_touched(ctx, v.id, NULL);
}

static const struct dc_setfield vendor_fields[] = {
	{"name", "name", 0},       {"email", "email", 0}, {"vat-id", "vat_id", 0},
	{"address", "address", 0}, {"active", "active", 1},
	{"encoding", "encoding", 0}, {"columns", "columns", 0},
};

int
dc_procure_vendor_set(struct dc *ctx, const char *id, struct dc_args *a)
{
	struct dc_event ev = {"vendor", id, "changed", NULL, NULL, NULL, 0};
	char *change = NULL;
	int rc;

	const char *enc = dc_arg(a, "encoding"), *cols = dc_arg(a, "columns");

	if ((enc && (rc = dc_in_encoding_check(ctx, "option '--encoding'", enc))) ||
	    (cols && (rc = dc_procure_columns_check(ctx, cols, &change))))
		return rc;
	/* stored as dcity names them: the encoding in small letters, the columns trimmed (the
	 * value added last is the one dc_set_fields takes) */
	if (enc)
		dc_args_add(a, "encoding", dc_in_encoding_name(enc));
	if (cols) {
		dc_args_add(a, "columns", change);
		free(change);
		change = NULL;
	}
	/* the fields are vendor add's: the same rules for their text */
	if ((rc = dc_require(ctx, "buyer", "change vendors")) ||
	    (rc = dc_spec_check(ctx, dc_procure_vendor_add_spec, a)) ||
	    (rc = dc_must_exist(ctx, "SELECT 1 FROM vendor WHERE id = ?1", "vendor", id)) ||
	    (rc = dc_set_fields(ctx, "vendor", "id", id, vendor_fields,
	                        sizeof vendor_fields / sizeof *vendor_fields, a, &change)))
		return rc;
	ev.to = change;
	rc = change ? dc_audit(ctx, &ev) : 0;
	free(change);
	return rc ? rc : dc_touched(ctx, id, NULL);
}

int
dc_procure_vendor_list(struct dc *ctx, const char *id, struct dc_stmt **st)
{
	int rc;

	if ((rc = dc_require(ctx, "buyer auditor head clerk integrator", "see vendors")))
		return rc;
	return dc_q_list(ctx, st,
	                 "SELECT v.id, v.name, v.email, v.vat_id, v.address, v.active,"
	                 " (SELECT count(*) FROM catalog_live i WHERE i.vendor = v.id"
	                 "   AND i.status = 'active'),"
	                 " (SELECT max(at) FROM catalog_import c"
	                 "   WHERE c.vendor = v.id AND c.state = 'done'),"
	                 " v.created_at, v.encoding, v.columns FROM vendor v",
	                 "v.id = ?", id, NULL, NULL, " ORDER BY v.id");
}
