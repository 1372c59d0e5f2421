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

int
dc_shop_merchant_add(struct dc *ctx, struct dc_args *rec, void *unused)
{
	static const char *const req[] = {"id", "name", NULL};
	const char *id = dc_arg(rec, "id"), *owner = dc_arg(rec, "owner");
	char at[21];
	int rc;

	if ((rc = dc_shop_write_role(ctx, "add merchants")) || (rc = dc_required(ctx, rec, req)))
		return rc;
	if (!dc_shop_code_ok(id))
		return dc_error(ctx, DC_EDATA,
		                "field 'id': '%s' is not a merchant code (no blanks or "
		                "':', at most 64 bytes)",
		                id);
	if ((rc = dc_must_not_exist(ctx, "SELECT 1 FROM merchant WHERE id = ?1", "merchant", id)))
		return rc;
	if (owner && (rc = dc_must_exist(ctx, "SELECT 1 FROM member WHERE handle = ?1", "member", owner)))
		return rc;
	dc_fmt_time(dc_now(ctx), at);
	if ((rc = dc_exec(ctx,
	                  "INSERT INTO merchant(id, name, owner, email, address, district,"
	                  " category, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	                  8, id, dc_arg(rec, "name"), owner, dc_arg(rec, "email"),
	                  dc_arg(rec, "address"), dc_arg(rec, "district"), dc_arg(rec, "category"),
	                  at)) ||
	    (rc = dc_shop_audit(ctx, id, "merchant", id, "created", NULL, dc_arg(rec, "name"))))
		return rc;
	return dc_touched(ctx, id, NULL);
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

	if ((rc = dc_shop_write_role(ctx, "change merchants")) ||
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
