/*
 * Offers (time-limited promotions) and pickup slots.  An offer is active by the clock alone
 * (from <= now < until, not ended, sold < max_qty); a new offer is announced in the feed as
 * a post of kind 'offer' written by the merchant's owner.
 */
#include <stdlib.h>
#include <string.h>

#include "shop/shop.h"

const struct dc_rectype dc_rt_offer = {"offer",
                                       (const struct dc_field[]){{"id", DC_T_STR},
                                                                 {"merchant", DC_T_STR},
                                                                 {"title", DC_T_STR},
                                                                 {"product", DC_T_STR},
                                                                 {"price", DC_T_MONEY},
                                                                 {"regular_price", DC_T_MONEY},
                                                                 {"from_at", DC_T_STR},
                                                                 {"until_at", DC_T_STR},
                                                                 {"max_qty", DC_T_INT},
                                                                 {"sold", DC_T_INT},
                                                                 {"ended_at", DC_T_STR},
                                                                 {"active", DC_T_BOOL},
                                                                 {"post", DC_T_STR},
                                                                 {"created_at", DC_T_STR}},
                                       14};

const struct dc_rectype dc_rt_slot = {"slot",
                                      (const struct dc_field[]){{"id", DC_T_STR},
                                                                {"merchant", DC_T_STR},
                                                                {"at", DC_T_STR},
                                                                {"capacity", DC_T_INT},
                                                                {"booked", DC_T_INT},
                                                                {"free", DC_T_INT}},
                                      6};

/* The feed post announcing offer `id`; skipped (0) when the merchant has no owner. */
static int
announce(struct dc *ctx, const char *id, const char *m, const char *title, const char *product,
         const char *price, const char *from, const char *until)
{
	struct dc_stmt *st = NULL;
	char post[32], now[21], lf[17], lu[17], money[32] = "", regular[32] = "", *body = NULL;
	char *owner = NULL, *pname = NULL;
	int rc;

	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT m.owner, p.name, p.price FROM merchant m"
	                     " LEFT JOIN product p ON p.merchant = m.id AND p.sku = ?2"
	                     " WHERE m.id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, m);
	dc_bind_text_ref(st, 2, product);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		owner = dc_strdup(dc_col_text(st, 0));
		pname = dc_strdup(dc_col_text(st, 1));
		dc_num_fmt(dc_col_int(st, 2), 2, 2, '.', regular);
		rc = 0;
	}
	dc_finish(ctx, st);
	if (rc || !owner)
		goto done;
	dc_shop_local_time(ctx, from, lf);
	dc_shop_local_time(ctx, until, lu);
	if (price)
		dc_num_fmt(atoll(price), 2, 2, '.', money);
	body = pname ? dc_printf("%s: %s EUR (%s EUR)\n%s – %s", pname, money, regular, lf, lu)
	             : dc_printf("%s – %s", lf, lu);
	dc_fmt_time(dc_now(ctx), now);
	if (!(rc = dc_next_id(ctx, "post", "P", dc_now(ctx), post)) &&
	    !(rc = dc_exec(ctx,
	                   "INSERT INTO post(id, author, kind, title, body, district, topics,"
	                   " ref, status, created_by, created_at, updated_at)"
	                   " SELECT ?1, m.owner, 'offer', ?2, ?3, m.district,"
	                   " CASE WHEN m.category IS NULL THEN '[]' ELSE json_array(m.category)"
	                   " END, ?4, 'visible', ?5, ?6, ?6 FROM merchant m WHERE m.id = ?7",
	                   7, post, title, body, id, ctx->actor, now, m)))
		rc = dc_shop_audit(ctx, m, "post", post, "created", NULL, "offer");
done:
	free(owner);
	free(pname);
	free(body);
	return rc;
}

/* A new offer: offer add's options, or a record's fields.  The times are the shop's own
 * (dc_shop_time_arg: an instant or a local date). */
struct offer_new {
	const char *merchant, *title, *sku, *from, *until;
	long long price;
	long max_qty;
};

const struct dc_opt dc_shop_offer_add_spec[] = {
	{"merchant", DC_V_TEXT, DC_O_REQUIRED, NULL, "M", NULL, NULL,
	 DC_AT(struct offer_new, merchant)},
	{"title", DC_V_TEXT, DC_O_REQUIRED, NULL, "T", NULL, NULL, DC_AT(struct offer_new, title)},
	{"sku", DC_V_TEXT, 0, NULL, "S", NULL, NULL, DC_AT(struct offer_new, sku)},
	{"price", DC_V_MONEY, 0, NULL, "P", NULL, NULL, DC_AT(struct offer_new, price)},
	{"from", DC_V_TEXT, DC_O_REQUIRED, NULL, "DT", NULL, NULL, DC_AT(struct offer_new, from)},
	{"until", DC_V_TEXT, DC_O_REQUIRED, NULL, "DT", NULL, NULL, DC_AT(struct offer_new, until)},
	{"max-qty", DC_V_INT, 0, "1..1000000000", "N", NULL, NULL,
	 DC_AT(struct offer_new, max_qty)},
	{NULL},
};

int
dc_shop_offer_add(struct dc *ctx, struct dc_args *rec, void *unused)
{
	struct offer_new o;
	char id[32], from[21], until[21], now[21], cents[24], mq[24], *pid = NULL;
	int rc;

	if ((rc = dc_shop_write_role(ctx, "add offers")) ||
	    (rc = dc_decode(ctx, dc_shop_offer_add_spec, rec, &o)) ||
	    (rc = dc_shop_price_check(ctx, rec, "price", o.price)))
		return rc;
	if (!o.sku != (o.price == DC_UNSET))
		return dc_field_error(ctx, "--sku and --price go together");
	if ((rc = dc_must_exist(ctx, "SELECT 1 FROM merchant WHERE id = ?1", "merchant",
	                        o.merchant)) ||
	    (rc = dc_shop_time_arg(ctx, "from", o.from, 0, from)) ||
	    (rc = dc_shop_time_arg(ctx, "until", o.until, 1, until)))
		return rc;
	if (strcmp(from, until) >= 0)
		return dc_error(ctx, DC_EDATA, "field 'until': '%s' is not after '%s'", until,
		                from);
	if (o.sku) {
		pid = dc_printf("%s:%s", o.merchant, o.sku);
		rc = dc_must_exist(ctx, "SELECT 1 FROM product WHERE merchant || ':' || sku = ?1",
		                   "product", pid);
		free(pid);
		if (rc)
			return rc;
	}
	if ((rc = dc_next_id(ctx, "offer", "O", dc_now(ctx), id)))
		return rc;
	dc_fmt_time(dc_now(ctx), now);
	snprintf(cents, sizeof cents, "%lld", o.price);
	snprintf(mq, sizeof mq, "%ld", o.max_qty);
	if ((rc = dc_exec(ctx,
	                  "INSERT INTO offer(id, merchant, title, product, price, from_at,"
	                  " until_at, max_qty, created_at) VALUES (?1, ?2, ?3,"
	                  " (SELECT id FROM product WHERE merchant = ?2 AND sku = ?4), ?5, ?6,"
	                  " ?7, ?8, ?9)",
	                  9, id, o.merchant, o.title, o.sku, o.price != DC_UNSET ? cents : NULL,
	                  from, until, o.max_qty != DC_UNSET ? mq : NULL, now)) ||
	    (rc = dc_shop_audit(ctx, o.merchant, "offer", id, "created", NULL, o.title)) ||
	    (rc = announce(ctx, id, o.merchant, o.title, o.sku, o.price != DC_UNSET ? cents : NULL,
	                   from, until)))
		return rc;
	return dc_touched(ctx, id, NULL);
}

int
dc_shop_offer_list(struct dc *ctx, const char *id, const struct dc_args *a, struct dc_stmt **st)
{
	struct dc_q q = {0};
	char now[21];

	dc_fmt_time(dc_now(ctx), now);
	dc_q_sql(&q, "SELECT id, merchant, title, sku, price, regular, from_at, until_at, max_qty,"
	             " sold, ended_at, active, post, created_at FROM (SELECT o.*,"
	             " p.merchant || ':' || p.sku AS sku, p.price AS regular,");
	/* an integer, as the flag columns are: "WHERE active" reads alike on both engines */
	dc_q_text(&q, " CASE WHEN o.from_at <= ? AND ? < o.until_at AND o.ended_at IS NULL", now);
	dc_q_sql(&q, "  AND (o.max_qty IS NULL OR o.sold < o.max_qty) THEN 1 ELSE 0 END AS active,"
	             " (SELECT min(f.id) FROM post f WHERE f.ref = o.id AND f.kind = 'offer')"
	             " AS post FROM offer o LEFT JOIN product p ON p.id = o.product)");
	dc_q_where_if(&q, "id = ?", id);
	if (a && dc_flag(a, "active"))
		dc_q_where(&q, "active");
	dc_q_where_if(&q, "merchant = ?", a ? dc_arg(a, "merchant") : NULL);
	dc_q_sql(&q, " ORDER BY id");
	return dc_q_prepare(ctx, &q, st);
}

/* A new pickup slot: slot add's options, or a record's fields. */
struct slot_new {
	const char *merchant, *at;
	long capacity;
};

const struct dc_opt dc_shop_slot_add_spec[] = {
	{"merchant", DC_V_TEXT, DC_O_REQUIRED, NULL, "M", NULL, NULL,
	 DC_AT(struct slot_new, merchant)},
	{"at", DC_V_TEXT, DC_O_REQUIRED, NULL, "DATETIME", NULL, NULL, DC_AT(struct slot_new, at)},
	{"capacity", DC_V_INT, DC_O_REQUIRED, "1..100000", "N", NULL, NULL,
	 DC_AT(struct slot_new, capacity)},
	{NULL},
};

int
dc_shop_slot_add(struct dc *ctx, struct dc_args *rec, void *unused)
{
	struct slot_new s;
	struct dc_stmt *st = NULL;
	char at[21], cap[24], id[24];
	int rc;

	if ((rc = dc_shop_write_role(ctx, "add pickup slots")) ||
	    (rc = dc_decode(ctx, dc_shop_slot_add_spec, rec, &s)) ||
	    (rc = dc_must_exist(ctx, "SELECT 1 FROM merchant WHERE id = ?1", "merchant",
	                        s.merchant)) ||
	    (rc = dc_shop_time_arg(ctx, "at", s.at, 0, at)))
		return rc;
	snprintf(cap, sizeof cap, "%ld", s.capacity);
	if ((rc = dc_prepare(ctx, &st, "SELECT 1 FROM slot WHERE merchant = ?1 AND at = ?2")))
		return rc;
	dc_bind_text_ref(st, 1, s.merchant);
	dc_bind_text_ref(st, 2, at);
	rc = dc_step(ctx, st);
	dc_finish(ctx, st);
	if (rc == DC_ROW)
		return dc_error(ctx, DC_ECONFLICT, "merchant '%s' has a slot at %s", s.merchant,
		                at);
	if (rc)
		return rc;
	if ((rc = dc_exec(ctx, "INSERT INTO slot(merchant, at, capacity) VALUES (?1, ?2, ?3)", 3,
	                  s.merchant, at, cap)))
		return rc;
	snprintf(id, sizeof id, "%lld", (long long)dc_last_id(ctx));
	if ((rc = dc_shop_audit(ctx, s.merchant, "slot", id, "created", NULL, at)))
		return rc;
	return dc_touched(ctx, id, NULL);
}

int
dc_shop_slot_list(struct dc *ctx, const char *id, const char *merchant, struct dc_stmt **st)
{
	struct dc_q q = {0};

	dc_q_sql(&q, "SELECT CAST(id AS TEXT), merchant, at, capacity, booked, capacity - booked"
	             " FROM slot");
	dc_q_where_if(&q, "id = ?", id);
	dc_q_where_if(&q, "merchant = ?", merchant);
	dc_q_sql(&q, " ORDER BY at, id");
	return dc_q_prepare(ctx, &q, st);
}
