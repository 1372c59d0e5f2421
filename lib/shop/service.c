/* A merchant's services and the members' requests for them, with the merchant's replies. */
#include <stdlib.h>
#include <string.h>

#include "shop/shop.h"

const struct dc_rectype dc_rt_shop_service = {"service",
                                              (const struct dc_field[]){{"id", DC_T_STR},
                                                                        {"merchant", DC_T_STR},
                                                                        {"code", DC_T_STR},
                                                                        {"name", DC_T_STR},
                                                                        {"price_from", DC_T_MONEY},
                                                                        {"created_at", DC_T_STR}},
                                              6};

const struct dc_rectype dc_rt_service_request = {
    "service request",
    (const struct dc_field[]){{"id", DC_T_STR},
                              {"merchant", DC_T_STR},
                              {"service", DC_T_STR},
                              {"member", DC_T_STR},
                              {"text", DC_T_STR},
                              {"status", DC_T_STR},
                              {"replies", DC_T_JSON},
                              {"created_at", DC_T_STR},
                              {"updated_at", DC_T_STR}},
    9};

int
dc_shop_write_role(struct dc *ctx, const char *what)
{
	return dc_require(ctx, "integrator", what);
}

int
dc_shop_audit(struct dc *ctx, const char *whom, const char *entity, const char *ref,
              const char *kind, const char *from, const char *to)
{
	struct dc_event ev = {entity, ref, kind, from, to, NULL, 0};

	return dc_audit_citizen(ctx, &ev, whom, 0);
}

/* An RFC 3339 instant, or a local date: its start (or, with end, the start of the next day,
 * so that "--until 2026-03-08" includes the 8th). */
int
dc_shop_time_arg(struct dc *ctx, const char *field, const char *v, int end, char out[21])
{
	time_t t;
	long d;

	if (v && strlen(v) == 10 && dc_parse_date(v, &d) == 0) {
		dc_fmt_time(dc_local_start_of_day(ctx, d + (end ? 1 : 0)), out);
		return 0;
	}
	if (v && dc_parse_time(v, &t) == 0) {
		dc_fmt_time(t, out);
		return 0;
	}
	return dc_error(ctx, DC_EDATA, "field '%s': '%s' is not a time (RFC 3339) or a date", field,
	                v ? v : "");
}

int
dc_shop_money_arg(struct dc *ctx, const char *field, const char *v, char out[24])
{
	long long c = 0;
	int e = v ? dc_num_parse(v, ctx->reading, 2, "EUR", DC_MONEY_MAX, &c) : DC_NUM_BAD;

	if (e || c < 0)
		return dc_num_error(ctx, DC_EDATA, e ? e : DC_NUM_BAD, field, v ? v : "",
		                    "an amount", 2, DC_MONEY_MAX);
	snprintf(out, 24, "%lld", c);
	return 0;
}

int
dc_shop_price_check(struct dc *ctx, const struct dc_args *rec, const char *field, long long cents)
{
	if (cents == DC_UNSET || cents >= 0)
		return 0;
	return dc_field_error(ctx, "field '%s': '%s' is below 0", field, dc_arg(rec, field));
}

void
dc_shop_local_time(struct dc *ctx, const char *utc, char out[17])
{
	struct tm tm;
	time_t t;

	*out = '\0';
	if (!utc || dc_parse_time(utc, &t) < 0)
		return;
	dc_local_tm(ctx, t, &tm);
	strftime(out, 17, "%Y-%m-%d %H:%M", &tm);
}

/* Merchant ids stand in M:SKU item specs, so they are codes without ':' or blanks. */

/* A new service: service add's options, or a record's fields. */
struct service_new {
	const char *merchant, *code, *name;
	long long price_from;
};

const struct dc_opt dc_shop_service_add_spec[] = {
	{"merchant", DC_V_TEXT, DC_O_REQUIRED, NULL, "M", NULL, NULL,
	 DC_AT(struct service_new, merchant)},
	{"code", DC_V_TEXT, DC_O_REQUIRED, NULL, "C", NULL, NULL, DC_AT(struct service_new, code)},
	{"name", DC_V_TEXT, DC_O_REQUIRED, NULL, "N", NULL, NULL, DC_AT(struct service_new, name)},
	{"price-from", DC_V_MONEY, 0, NULL, "P", NULL, NULL,
	 DC_AT(struct service_new, price_from)},
	{NULL},
};

int
dc_shop_service_add(struct dc *ctx, struct dc_args *rec, void *unused)
{
	struct service_new s;
	char at[21], cents[24], *id;
	int rc;

	if ((rc = dc_shop_write_role(ctx, "add services")) ||
	    (rc = dc_decode(ctx, dc_shop_service_add_spec, rec, &s)) ||
	    (rc = dc_shop_price_check(ctx, rec, "price-from", s.price_from)))
		return rc;
	if ((rc = dc_must_exist(ctx, "SELECT 1 FROM merchant WHERE id = ?1", "merchant",
	                        s.merchant)))
		return rc;
	if (!dc_shop_code_ok(s.code))
		return dc_error(ctx, DC_EDATA, "field 'code': '%s' is not a code", s.code);
	snprintf(cents, sizeof cents, "%lld", s.price_from);
	id = dc_printf("%s:%s", s.merchant, s.code);
	if ((rc = dc_must_not_exist(ctx,
	                            "SELECT 1 FROM shop_service WHERE merchant || ':' || code = ?1",
	                            "service", id)))
		goto done;
	dc_fmt_time(dc_now(ctx), at);
	if (!(rc = dc_exec(ctx,
	                   "INSERT INTO shop_service(merchant, code, name, price_from,"
	                   " created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
	                   5, s.merchant, s.code, s.name, s.price_from != DC_UNSET ? cents : NULL,
	                   at)) &&
	    !(rc = dc_shop_audit(ctx, s.merchant, "shop_service", id, "created", NULL, s.name)))
		rc = dc_touched(ctx, id, NULL);
done:
	free(id);
	return rc;
}

int
dc_shop_service_list(struct dc *ctx, const char *id, const char *merchant, struct dc_stmt **st)
{
	struct dc_q q = {0};

	dc_q_sql(&q, "SELECT merchant || ':' || code, merchant, code, name, price_from, created_at"
	             " FROM shop_service");
	dc_q_where_if(&q, "merchant || ':' || code = ?", id);
	dc_q_where_if(&q, "merchant = ?", merchant);
	dc_q_sql(&q, " ORDER BY merchant, code");
	return dc_q_prepare(ctx, &q, st);
}

/* A member's request: request's options, or a record's fields. */
struct request_new {
	const char *merchant, *service, *member, *text;
};

const struct dc_opt dc_shop_request_spec[] = {
	{"merchant", DC_V_TEXT, DC_O_REQUIRED, NULL, "M", NULL, NULL,
	 DC_AT(struct request_new, merchant)},
	{"service", DC_V_TEXT, DC_O_REQUIRED, NULL, "C", NULL, NULL,
	 DC_AT(struct request_new, service)},
	{"member", DC_V_TEXT, DC_O_REQUIRED, NULL, "H", NULL, NULL,
	 DC_AT(struct request_new, member)},
	{"text", DC_V_TEXT, DC_O_REQUIRED | DC_O_LINES, NULL, "T", NULL, NULL,
	 DC_AT(struct request_new, text)},
	{NULL},
};

int
dc_shop_request(struct dc *ctx, struct dc_args *rec, void *unused)
{
	struct request_new r;
	char at[21], id[32], *key;
	int rc, known;

	if ((rc = dc_shop_write_role(ctx, "file service requests")) ||
	    (rc = dc_decode(ctx, dc_shop_request_spec, rec, &r)))
		return rc;
	key = dc_printf("%s:%s", r.merchant, r.service);
	rc = dc_exists(ctx, "SELECT 1 FROM shop_service WHERE merchant || ':' || code = ?1", key,
	               &known);
	free(key);
	if (rc)
		return rc;
	if (!known)
		return dc_error(ctx, DC_ENOTFOUND, "merchant '%s' has no service '%s'", r.merchant,
		                r.service);
	if ((rc = dc_must_exist(ctx, "SELECT 1 FROM member WHERE handle = ?1", "member",
	                        r.member)) ||
	    (rc = dc_next_id(ctx, "request", "R", dc_now(ctx), id)))
		return rc;
	dc_fmt_time(dc_now(ctx), at);
	if ((rc = dc_exec(ctx,
	                  "INSERT INTO service_request(id, merchant, service, member, text,"
	                  " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
	                  6, id, r.merchant, r.service, r.member, r.text, at)) ||
	    (rc = dc_shop_audit(ctx, r.member, "service_request", id, "created", NULL, "open")))
		return rc;
	return dc_touched(ctx, id, NULL);
}

int
dc_shop_reply(struct dc *ctx, const char *id, struct dc_args *a)
{
	const char *text = dc_arg(a, "text");
	struct dc_stmt *st = NULL;
	char at[21], *merchant = NULL, *from = NULL;
	int rc;

	if ((rc = dc_shop_write_role(ctx, "answer service requests")))
		return rc;
	if (!text || !*text)
		return dc_error(ctx, DC_EUSAGE, "reply needs --text T");
	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT merchant, status FROM service_request WHERE id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		merchant = dc_strdup(dc_col_text(st, 0));
		from = dc_strdup(dc_col_text(st, 1));
		rc = 0;
	} else if (rc == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no service request '%s'", id);
	dc_finish(ctx, st);
	if (rc)
		goto done;
	if (!strcmp(from, "closed")) {
		rc = dc_error(ctx, DC_ECONFLICT, "service request '%s' is closed", id);
		goto done;
	}
	dc_fmt_time(dc_now(ctx), at);
	if (!(rc = dc_exec(ctx,
	                   /* the reply appended to the compact array as json_insert(replies,
	                    * '$[#]', …) would, in SQL both engines speak */
	                   "UPDATE service_request SET status = 'answered', updated_at = ?2,"
	                   " replies = substr(replies, 1, length(replies) - 1)"
	                   " || CASE WHEN replies = '[]' THEN '' ELSE ',' END"
	                   " || json_object('at', ?2, 'by', ?3, 'text', ?4) || ']' WHERE id = ?1",
	                   4, id, at, merchant, text)) &&
	    !(rc =
	          dc_shop_audit(ctx, merchant, "service_request", id, "replied", from, "answered")))
		rc = dc_touched(ctx, id, NULL);
done:
	free(merchant);
	free(from);
	return rc;
}

/* dc-shop request list's filters: each given one adds its condition; the statuses are those
 * of schemas/sql/0004-shop.sql's CHECK on service_request.status. */
const struct dc_opt dc_shop_request_list_spec[] = {
	{"merchant", DC_V_TEXT, 0, NULL, "M", NULL, "merchant = ?", DC_NOFIELD},
	{"member", DC_V_TEXT, 0, NULL, "H", NULL, "member = ?", DC_NOFIELD},
	{"status", DC_V_ENUM, 0, "open answered closed", NULL, NULL, "status = ?", DC_NOFIELD},
	{NULL},
};

int
dc_shop_request_list(struct dc *ctx, const char *id, const struct dc_args *a, struct dc_stmt **st)
{
	int rc;

	/* requests carry what members wrote: not public */
	if ((rc = dc_require(ctx, "integrator auditor", "see service requests")))
		return rc;
	return dc_q_list(ctx, st,
	                 "SELECT id, merchant, service, member, text, status, replies, created_at,"
	                 " updated_at FROM service_request",
	                 "id = ?", id, dc_shop_request_list_spec, a, " ORDER BY id");
}
