/* Merchants, and helpers the shop shares (roles, audit, times, money, codes).  Their services
 * and the members' service requests are in service.c. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shop/shop.h"

const struct dc_rectype dc_rt_merchant = {"merchant",
                                          (const struct dc_field[]){{"id", DC_T_STR},
                                                                    {"name", DC_T_STR},
                                                                    {"owner", DC_T_STR},
                                                                    {"email", DC_T_STR},
                                                                    {"address", DC_T_STR},
                                                                    {"district", DC_T_STR},
                                                                    {"category", DC_T_STR},
                                                                    {"active", DC_T_BOOL},
                                                                    {"products", DC_T_INT},
                                                                    {"created_at", DC_T_STR}},
                                          10};

int
dc_shop_code_ok(const char *s)
{
	const unsigned char *p;

	if (!s || !*s || strlen(s) > 64)
		return 0;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == ':' || *p == 0x7f)
			return 0;
	return 1;
}

/* A new merchant: merchant add's operand and options, or a record's fields. */
struct merchant_new {
	const char *id, *name, *owner, *email, *address, *district, *category;
};

const struct dc_opt dc_shop_merchant_add_spec[] = {
	{"id", DC_V_TEXT, DC_O_REQUIRED | DC_O_OPERAND, NULL, "ID", NULL, NULL,
	 DC_AT(struct merchant_new, id)},
	{"name", DC_V_TEXT, DC_O_REQUIRED, NULL, "N", NULL, NULL, DC_AT(struct merchant_new, name)},
	{"owner", DC_V_TEXT, 0, NULL, "MEMBER", NULL, NULL, DC_AT(struct merchant_new, owner)},
	{"email", DC_V_TEXT, 0, NULL, "E", NULL, NULL, DC_AT(struct merchant_new, email)},
	{"address", DC_V_TEXT, DC_O_LINES, NULL, "A", NULL, NULL,
	 DC_AT(struct merchant_new, address)},
	{"district", DC_V_TEXT, 0, NULL, "D", NULL, NULL, DC_AT(struct merchant_new, district)},
	{"category", DC_V_TEXT, 0, NULL, "C", NULL, NULL, DC_AT(struct merchant_new, category)},
	{NULL},
};

int
dc_shop_merchant_add(struct dc *ctx, struct dc_args *rec, void *unused)
{
	struct merchant_new m;
	char at[21];
	int rc;

	if ((rc = dc_shop_write_role(ctx, "add merchants")) ||
	    (rc = dc_decode(ctx, dc_shop_merchant_add_spec, rec, &m)))
		return rc;
	if (!dc_shop_code_ok(m.id))
		return dc_error(ctx, DC_EDATA,
		                "field 'id': '%s' is not a merchant code (no blanks or "
		                "':', at most 64 bytes)",
		                m.id);
	if ((rc = dc_must_not_exist(ctx, "SELECT 1 FROM merchant WHERE id = ?1", "merchant", m.id)))
		return rc;
	if (m.owner &&
	    (rc = dc_must_exist(ctx, "SELECT 1 FROM member WHERE handle = ?1", "member", m.owner)))
		return rc;
	dc_fmt_time(dc_now(ctx), at);
	if ((rc = dc_exec(ctx,
	                  "INSERT INTO merchant(id, name, owner, email, address, district,"
	                  " category, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	                  8, m.id, m.name, m.owner, m.email, m.address, m.district, m.category,
	                  at)) ||
	    (rc = dc_shop_audit(ctx, m.id, "merchant", m.id, "created", NULL, m.name)))
		return rc;
	return dc_touched(ctx, m.id, NULL);
}

static const struct dc_setfield merchant_fields[] = {
	{"name", "name", 0},         {"owner", "owner", 0},       {"email", "email", 0},
	{"address", "address", 0},   {"district", "district", 0}, {"category", "category", 0},
	{"active", "active", 1},
};

int
dc_shop_merchant_set(struct dc *ctx, const char *id, struct dc_args *a)
{
	const char *owner = dc_arg(a, "owner");
	char *change = NULL;
	int rc;

	/* the fields are merchant add's: the same rules for their text */
	if ((rc = dc_shop_write_role(ctx, "change merchants")) ||
	    (rc = dc_spec_check(ctx, dc_shop_merchant_add_spec, a)) ||
	    (rc = dc_must_exist(ctx, "SELECT 1 FROM merchant WHERE id = ?1", "merchant", id)) ||
	    (owner &&
	     (rc = dc_must_exist(ctx, "SELECT 1 FROM member WHERE handle = ?1", "member", owner))) ||
	    (rc = dc_set_fields(ctx, "merchant", "id", id, merchant_fields,
	                        sizeof merchant_fields / sizeof *merchant_fields, a, &change)))
		return rc;
	rc = change ? dc_shop_audit(ctx, id, "merchant", id, "changed", NULL, change) : 0;
	free(change);
	return rc ? rc : dc_touched(ctx, id, NULL);
}

int
dc_shop_merchant_list(struct dc *ctx, const char *id, struct dc_stmt **st)
{

	return dc_q_list(ctx, st,
	                 "SELECT m.id, m.name, m.owner, m.email, m.address, m.district, m.category,"
	                 " m.active, (SELECT count(*) FROM product p"
	                 "   WHERE p.merchant = m.id AND p.active = 1), m.created_at"
	                 " FROM merchant m",
	                 "m.id = ?", id, NULL, NULL, " ORDER BY m.id");
}
