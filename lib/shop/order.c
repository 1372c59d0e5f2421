/*
 * Click & collect orders.  order new reserves stock inside the caller's BEGIN IMMEDIATE
 * transaction with guarded updates (stock >= qty, booked < capacity), so concurrent buyers of
 * the last items cannot oversell: the losers get DC_ECONFLICT and nothing of theirs is
 * written.  Cancelling and expiring give back stock, the slot place and offer quantities.
 */
#include <stdlib.h>
#include <string.h>

#include "shop/shop.h"

const struct dc_rectype dc_rt_shop_order = {"shop order",
                                            (const struct dc_field[]){{"id", DC_T_STR},
                                                                      {"merchant", DC_T_STR},
                                                                      {"member", DC_T_STR},
                                                                      {"email", DC_T_STR},
                                                                      {"slot", DC_T_STR},
                                                                      {"slot_at", DC_T_STR},
                                                                      {"status", DC_T_STR},
                                                                      {"total", DC_T_MONEY},
                                                                      {"lines", DC_T_JSON},
                                                                      {"created_by", DC_T_STR},
                                                                      {"created_at", DC_T_STR},
                                                                      {"updated_at", DC_T_STR}},
                                            12};

const struct dc_rectype dc_rt_shop_expired = {
    "expired",
    (const struct dc_field[]){
        {"id", DC_T_STR}, {"kind", DC_T_STR}, {"status", DC_T_STR}, {"at", DC_T_STR}},
    4};

/* One --item MERCHANT:SKU:QTY; merchant and sku point into spec, which the item owns. */
struct item {
	char *spec;
	const char *merchant, *sku;
	long qty;
};

static int
parse_item(struct dc *ctx, const char *v, struct item *it)
{
	char *first, *last, *end;

	it->spec = dc_strdup(v);
	first = strchr(it->spec, ':');
	last = strrchr(it->spec, ':');
	if (!first || first == last || first == it->spec || last == first + 1)
		return dc_error(ctx, DC_EDATA, "field 'item': '%s' is not MERCHANT:SKU:QTY", v);
	*first = *last = '\0';
	it->merchant = it->spec, it->sku = first + 1;
	it->qty = strtol(last + 1, &end, 10);
	if (!last[1] || *end || it->qty < 1 || it->qty > 1000000)
		return dc_error(ctx, DC_EDATA,
		                "field 'item': '%s': quantity is not a whole number "
		                "from 1 to 1000000",
		                v);
	return 0;
}

static int
run(struct dc *ctx, struct dc_stmt *st, int *changed)
{
	int rc = dc_step(ctx, st);

	if (changed)
		*changed = dc_changes(ctx);
	dc_finish(ctx, st);
	return rc == DC_ROW ? 0 : rc;
}

/* Insert one order line. */
static int
add_line(struct dc *ctx, const char *order, int line, long long product, long qty, long long price,
         const char *offer)
{
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_prepare(ctx, &st,
	                     "INSERT INTO shop_order_line(order_id, line, product, qty,"
	                     " price, offer) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")))
		return rc;
	dc_bind_text_ref(st, 1, order);
	dc_bind_int(st, 2, line);
	dc_bind_int(st, 3, product);
	dc_bind_int(st, 4, qty);
	dc_bind_int(st, 5, price);
	dc_bind_text_ref(st, 6, offer);
	return run(ctx, st, NULL);
}

static int
too_much(struct dc *ctx, const struct item *it)
{
	char top[32];

	dc_num_fmt(DC_MONEY_MAX, 2, 2, '.', top);
	return dc_error(ctx, DC_EDATA, "field 'item': '%s:%s:%ld': the order's total is above the "
	                "maximum %s EUR", it->merchant, it->sku, it->qty, top);
}

/* Reserve one item for order: stock first (guarded), then the offer's quantity; the part of
 * the quantity beyond the offer's max_qty is a second line at the regular price. */
static int
reserve(struct dc *ctx, const char *order, const struct item *it, const char *now, int *line,
        long long *total)
{
	struct dc_stmt *st = NULL;
	long long pid = 0, price = 0, oprice = 0, left = 0, sum;
	long oq = 0;
	char offer[32] = "";
	int rc, active = 0, changed = 0;

	if ((rc = dc_prepare(
	         ctx, &st,
	         "SELECT p.id, p.price, p.active, p.stock, o.id, o.price,"
	         " o.max_qty - o.sold FROM product p LEFT JOIN offer o ON o.id "
	         "= " DC_SHOP_ACTIVE_OFFER("p.id", "?3") " WHERE p.merchant = ?1 AND p.sku = ?2")))
		return rc;
	dc_bind_text_ref(st, 1, it->merchant);
	dc_bind_text_ref(st, 2, it->sku);
	dc_bind_text_ref(st, 3, now);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		pid = dc_col_int(st, 0);
		price = dc_col_int(st, 1);
		active = dc_col_int(st, 2);
		left = dc_col_int(st, 3);
		if (!dc_col_null(st, 4)) {
			snprintf(offer, sizeof offer, "%s", dc_col_text(st, 4));
			oprice = dc_col_int(st, 5);
			oq =
			    dc_col_null(st, 6)
			        ? it->qty
			        : (long)(dc_col_int(st, 6) < it->qty ? dc_col_int(st, 6) : it->qty);
		}
		rc = 0;
	} else if (rc == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no product '%s:%s'", it->merchant, it->sku);
	dc_finish(ctx, st);
	if (rc)
		return rc;
	if (!active)
		return dc_error(ctx, DC_ECONFLICT, "product '%s:%s' is not for sale", it->merchant,
		                it->sku);
	if ((rc = dc_prepare(ctx, &st,
	                     "UPDATE product SET stock = stock - ?2, updated_at = ?3"
	                     " WHERE id = ?1 AND stock >= ?2")))
		return rc;
	dc_bind_int(st, 1, pid);
	dc_bind_int(st, 2, it->qty);
	dc_bind_text_ref(st, 3, now);
	if ((rc = run(ctx, st, &changed)))
		return rc;
	if (!changed)
		return dc_error(ctx, DC_ECONFLICT, "out of stock: '%s:%s' has %lld, %ld ordered",
		                it->merchant, it->sku, left, it->qty);
	if (*offer) {
		/* reaching max_qty ends the offer now */
		if ((rc = dc_prepare(ctx, &st,
		                     "UPDATE offer SET sold = sold + ?2, ended_at = CASE"
		                     " WHEN max_qty IS NOT NULL AND sold + ?2 >= max_qty"
		                     " THEN ?3 END WHERE id = ?1")))
			return rc;
		dc_bind_text_ref(st, 1, offer);
		dc_bind_int(st, 2, oq);
		dc_bind_text_ref(st, 3, now);
		if ((rc = run(ctx, st, NULL)) ||
		    (rc = add_line(ctx, order, ++*line, pid, oq, oprice, offer)))
			return rc;
		if (dc_money_times(oprice, oq, &sum) || dc_money_add(*total, sum, total))
			return too_much(ctx, it);
	}
	if (it->qty > oq) {
		if ((rc = add_line(ctx, order, ++*line, pid, it->qty - oq, price, NULL)))
			return rc;
		if (dc_money_times(price, it->qty - oq, &sum) || dc_money_add(*total, sum, total))
			return too_much(ctx, it);
	}
	return 0;
}

/* The slot named by --slot: its merchant; it must lie ahead. */
static int
slot_check(struct dc *ctx, const char *slot, const char *now, char **merchant)
{
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_prepare(ctx, &st, "SELECT merchant, at < ?2 FROM slot WHERE id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, slot);
	dc_bind_text_ref(st, 2, now);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		*merchant = dc_strdup(dc_col_text(st, 0));
		rc = dc_col_int(st, 1) ? dc_error(ctx, DC_ECONFLICT, "slot %s is over", slot) : 0;
	} else if (rc == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no slot '%s'", slot);
	dc_finish(ctx, st);
	return rc;
}

/* A new order: order new's options, or a record's fields; the items are read by parse_item. */
struct order_new {
	const char *member, *email, *slot;
};

const struct dc_opt dc_shop_order_new_spec[] = {
	{"member", DC_V_TEXT, 0, NULL, "H", NULL, NULL, DC_AT(struct order_new, member)},
	{"email", DC_V_TEXT, 0, NULL, "E", NULL, NULL, DC_AT(struct order_new, email)},
	{"item", DC_V_TEXT, DC_O_REQUIRED | DC_O_REPEAT, NULL, "MERCHANT:SKU:QTY", NULL, NULL,
	 DC_NOFIELD},
	{"slot", DC_V_TEXT, 0, NULL, "SLOT_ID", NULL, NULL, DC_AT(struct order_new, slot)},
	{NULL},
};

static int
new_for_merchant(struct dc *ctx, const struct order_new *o, const struct item *items, int n,
                 int first, const char *slot, const char *now)
{
	const char *m = items[first].merchant;
	char id[32], total_s[24];
	long long total = 0;
	int i, rc, line = 0, changed = 0;
	struct dc_stmt *st = NULL;

	if ((rc = dc_must_exist(ctx, "SELECT 1 FROM merchant WHERE id = ?1 AND active = 1",
	                        "active merchant", m)))
		return rc;
	if ((rc = dc_next_id(ctx, "shop-order", "S", dc_now(ctx), id)) ||
	    (rc = dc_exec(ctx,
	                  "INSERT INTO shop_order(id, merchant, member, email, slot, total,"
	                  " created_by, created_at, updated_at)"
	                  " VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?7)",
	                  7, id, m, o->member, o->email, slot, ctx->actor, now)))
		return rc;
	for (i = first; i < n; i++)
		if (!strcmp(items[i].merchant, m) &&
		    (rc = reserve(ctx, id, &items[i], now, &line, &total)))
			return rc;
	if (slot) {
		if ((rc = dc_prepare(ctx, &st,
		                     "UPDATE slot SET booked = booked + 1 WHERE id = ?1"
		                     " AND booked < capacity")))
			return rc;
		dc_bind_text_ref(st, 1, slot);
		if ((rc = run(ctx, st, &changed)))
			return rc;
		if (!changed)
			return dc_error(ctx, DC_ECONFLICT, "slot %s is full", slot);
	}
	snprintf(total_s, sizeof total_s, "%lld", total);
	if ((rc = dc_exec(ctx, "UPDATE shop_order SET total = ?2 WHERE id = ?1", 2, id, total_s)) ||
	    (rc = dc_shop_audit(ctx, o->member ? o->member : o->email, "shop_order", id, "created",
	                        NULL, "reserved")))
		return rc;
	return dc_touched(ctx, id, NULL);
}

int
dc_shop_order_new(struct dc *ctx, struct dc_args *rec, void *unused)
{
	struct order_new o;
	int n = dc_arg_count(rec, "item"), i, j, rc = 0, slot_used = 0;
	struct item *items;
	char now[21], *slot_merchant = NULL;

	if ((rc = dc_shop_write_role(ctx, "order on behalf of members")) ||
	    (rc = dc_decode(ctx, dc_shop_order_new_spec, rec, &o)))
		return rc;
	if ((!o.member || !*o.member) && (!o.email || !*o.email))
		return dc_field_error(ctx, "order new needs --member H or --email E");
	if (o.email && !dc_email_ok(o.email))
		return dc_error(ctx, DC_EDATA, "field 'email': '%s' is not an address", o.email);
	if (o.member &&
	    (rc = dc_must_exist(ctx, "SELECT 1 FROM member WHERE handle = ?1", "member", o.member)))
		return rc;
	items = calloc((size_t)n, sizeof *items);
	if (!items)
		abort();
	for (i = 0, rc = 0; i < n && !rc; i++)
		rc = parse_item(ctx, dc_arg_nth(rec, "item", i), &items[i]);
	dc_fmt_time(dc_now(ctx), now);
	if (!rc && o.slot)
		rc = slot_check(ctx, o.slot, now, &slot_merchant);
	/* one order per merchant, in the order the merchants first appear */
	for (i = 0; i < n && !rc; i++) {
		int is_slot;

		for (j = 0; j < i && strcmp(items[j].merchant, items[i].merchant); j++)
			;
		if (j < i)
			continue;
		is_slot = slot_merchant && !strcmp(slot_merchant, items[i].merchant);
		slot_used |= is_slot;
		rc = new_for_merchant(ctx, &o, items, n, i, is_slot ? o.slot : NULL, now);
	}
	if (!rc && o.slot && !slot_used)
		rc = dc_error(ctx, DC_ECONFLICT,
		              "slot %s belongs to merchant '%s', not to one of this "
		              "order's merchants",
		              o.slot, slot_merchant);
	for (i = 0; i < n; i++)
		free(items[i].spec);
	free(items);
	free(slot_merchant);
	return rc;
}

/* Give back what an order holds: stock, offer quantities (an offer its sales ended opens
 * again while its window lasts), the slot place. */
static int
release(struct dc *ctx, const char *id, const char *now)
{
	int rc;

	if ((rc = dc_exec(ctx,
	                  "UPDATE product SET stock = stock + (SELECT sum(l.qty) FROM"
	                  " shop_order_line l WHERE l.order_id = ?1 AND l.product = product.id),"
	                  " updated_at = ?2 WHERE id IN (SELECT product FROM shop_order_line"
	                  " WHERE order_id = ?1)",
	                  2, id, now)) ||
	    (rc = dc_exec(ctx,
	                  "UPDATE offer SET sold = sold - (SELECT sum(l.qty) FROM"
	                  " shop_order_line l WHERE l.order_id = ?1 AND l.offer = offer.id),"
	                  " ended_at = CASE WHEN ended_at < until_at AND ?2 < until_at THEN NULL"
	                  " ELSE ended_at END WHERE id IN (SELECT offer FROM shop_order_line"
	                  " WHERE order_id = ?1)",
	                  2, id, now)))
		return rc;
	return dc_exec(ctx,
	               "UPDATE slot SET booked = booked - 1 WHERE id = (SELECT slot FROM"
	               " shop_order WHERE id = ?1) AND booked > 0",
	               1, id);
}

/* The shop-ready message to the customer: pickup slot (local time), merchant and address. */
static int
notify_ready(struct dc *ctx, const char *id)
{
	struct dc_stmt *st = NULL;
	char total[32];
	char *city = NULL, *lang = dc_setting(ctx, "lang"), *rcpt = NULL, *slot = NULL;
	char *vals[5] = {0};
	const char *vars[17];
	int rc, i;

	if ((rc = dc_prepare(
	         ctx, &st,
	         "SELECT coalesce(o.email, mb.email), mb.name, m.name,"
	         " coalesce(m.address, ''), s.at, o.total FROM shop_order o"
	         " JOIN merchant m ON m.id = o.merchant"
	         " LEFT JOIN member mb ON mb.handle = o.member"
	         " LEFT JOIN slot s ON s.id = o.slot WHERE o.id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		rcpt = dc_strdup(dc_col_text(st, 0));
		for (i = 0; i < 3; i++)
			vals[i] = dc_strdup(dc_col_text(st, i + 1));
		slot = dc_instant_text(ctx, dc_col_text(st, 4), lang, 1);
		dc_num_fmt(dc_col_int(st, 5), 2, 2, '.', total);
		rc = 0;
	}
	dc_finish(ctx, st);
	if (rc)
		goto done;
	if (!rcpt) {
		dc_warn(ctx, "order '%s': the customer has no email address; no notification", id);
		goto done;
	}
	city = dc_setting(ctx, "city.name");
	vars[0] = "id", vars[1] = id, vars[2] = "name", vars[3] = vals[0] ? vals[0] : "";
	vars[4] = "merchant", vars[5] = vals[1] ? vals[1] : "", vars[6] = "address";
	vars[7] = vals[2] ? vals[2] : "", vars[8] = "slot", vars[9] = slot && *slot ? slot : "-";
	vars[10] = "total", vars[11] = total, vars[12] = "city", vars[13] = city ? city : "";
	vars[14] = NULL;
	rc = dc_outbox_add(ctx, "shop-ready", lang, rcpt, "shop_order", id, vars);
done:
	for (i = 0; i < 3; i++)
		free(vals[i]);
	free(rcpt);
	free(city);
	free(lang);
	free(slot);
	return rc;
}

/* Change an order's status; `to` also "expired" (from dc_shop_expire). */
static int
set_status(struct dc *ctx, const char *id, const char *to, const char *now)
{
	struct dc_stmt *st = NULL;
	char from[16] = "", whom[256] = "", merchant[128] = "";
	int rc, ok;

	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT status, coalesce(member, email), merchant"
	                     " FROM shop_order WHERE id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		snprintf(from, sizeof from, "%s", dc_col_text(st, 0));
		snprintf(whom, sizeof whom, "%s", dc_col_text(st, 1));
		snprintf(merchant, sizeof merchant, "%s", dc_col_text(st, 2));
		rc = 0;
	} else if (rc == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no shop order '%s'", id);
	dc_finish(ctx, st);
	if (rc)
		return rc;
	if (!strcmp(to, "ready"))
		ok = !strcmp(from, "reserved");
	else if (!strcmp(to, "collected"))
		ok = !strcmp(from, "ready");
	else
		ok = !strcmp(from, "reserved") || !strcmp(from, "ready");
	if (!ok)
		return dc_error(ctx, DC_ECONFLICT, "shop order '%s' is %s; it cannot become %s", id,
		                from, to);
	if ((!strcmp(to, "cancelled") || !strcmp(to, "expired")) && (rc = release(ctx, id, now)))
		return rc;
	if ((rc = dc_exec(ctx, "UPDATE shop_order SET status = ?2, updated_at = ?3 WHERE id = ?1",
	                  3, id, to, now)))
		return rc;
	if (!strcmp(to, "ready") && (rc = notify_ready(ctx, id)))
		return rc;
	/* the customer cancels; the merchant readies, hands over and loses what expires */
	return dc_shop_audit(ctx, !strcmp(to, "cancelled") ? whom : merchant, "shop_order", id,
	                     "status", from, to);
}

int
dc_shop_order_status(struct dc *ctx, const char *id, struct dc_args *a)
{
	const char *to = dc_arg(a, "to");
	char now[21];
	int rc;

	if ((rc = dc_shop_write_role(ctx, "change shop orders")))
		return rc;
	if (!to || (strcmp(to, "ready") && strcmp(to, "collected") && strcmp(to, "cancelled")))
		return dc_error(ctx, DC_EUSAGE, "order status ID... ready|collected|cancelled");
	dc_fmt_time(dc_now(ctx), now);
	if ((rc = set_status(ctx, id, to, now)))
		return rc;
	return dc_touched(ctx, id, NULL);
}

/* The statuses of schemas/sql/0004-shop.sql's CHECK on shop_order.status. */
#define ORDER_STATUSES "reserved ready collected cancelled expired"

/* dc-shop order list's filters (and dc-export shop-orders'): each given one adds its
 * condition. */
const struct dc_opt dc_shop_order_list_spec[] = {
	{"merchant", DC_V_TEXT, 0, NULL, "M", NULL, "o.merchant = ?", DC_NOFIELD},
	{"member", DC_V_TEXT, 0, NULL, "H", NULL, "o.member = ?", DC_NOFIELD},
	{"status", DC_V_ENUM, 0, ORDER_STATUSES, "S", NULL, "o.status = ?", DC_NOFIELD},
	{NULL},
};

int
dc_shop_order_list(struct dc *ctx, const char *id, const struct dc_args *a, struct dc_stmt **st)
{
	int rc;

	/* orders name members: not public */
	if ((rc = dc_require(ctx, "integrator auditor", "see shop orders")))
		return rc;
	return dc_q_list(
	    ctx, st,
	    "SELECT o.id, o.merchant, o.member, o.email, CAST(o.slot AS TEXT), s.at,"
	    " o.status, o.total, (SELECT json_group_array(json_object('line', l.line,"
	    "   'product', l.merchant || ':' || l.sku, 'name', l.name, 'qty', l.qty,"
	    "   'price', " DC_SQL_MONEY("l.price") ", 'offer', l.offer))"
	    /* joined inside: the lines stay in their order into the array on both engines */
	    "   FROM (SELECT ol.*, p.merchant, p.sku, p.name FROM shop_order_line ol"
	    "   JOIN product p ON p.id = ol.product WHERE ol.order_id = o.id"
	    "   ORDER BY ol.line) l),"
	    " o.created_by, o.created_at, o.updated_at"
	    " FROM shop_order o LEFT JOIN slot s ON s.id = o.slot",
	    "o.id = ?", id, dc_shop_order_list_spec, a, " ORDER BY o.id");
}

/* Collect the text of column 0 of every row of st (finalized). */
static int
collect(struct dc *ctx, struct dc_stmt *st, char ***ids, int *n)
{
	int rc, cap = 0;

	*ids = NULL, *n = 0;
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*ids = realloc(*ids, (size_t)cap * sizeof **ids);
			if (!*ids)
				abort();
		}
		(*ids)[(*n)++] = dc_strdup(dc_col_text(st, 0));
	}
	dc_finish(ctx, st);
	return rc;
}

static void
free_ids(char **ids, int n)
{
	while (n > 0)
		free(ids[--n]);
	free(ids);
}

int
dc_shop_expire(struct dc *ctx, struct dc_args *a, void *unused)
{
	struct dc_stmt *st = NULL;
	char now[21], *grace_s, **ids = NULL, merchant[128];
	long grace;
	time_t tnow = dc_now(ctx);
	int rc, n = 0, i;

	if ((rc = dc_shop_write_role(ctx, "run the shop expiry")))
		return rc;
	dc_fmt_time(tnow, now);
	grace_s = dc_setting(ctx, "shop.grace_days");
	grace = grace_s ? atol(grace_s) : 1;
	free(grace_s);
	/* offers whose window has passed: they ended at until_at */
	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT id FROM offer WHERE ended_at IS NULL"
	                     " AND until_at <= ?1 ORDER BY id")))
		return rc;
	dc_bind_text_ref(st, 1, now);
	if ((rc = collect(ctx, st, &ids, &n)))
		goto done;
	for (i = 0; i < n && !rc; i++) {
		if (!(rc = dc_exec(ctx, "UPDATE offer SET ended_at = until_at WHERE id = ?1", 1,
		                   ids[i])) &&
		    (rc = dc_prepare(ctx, &st, "SELECT merchant FROM offer WHERE id = ?1")) == 0) {
			dc_bind_text_ref(st, 1, ids[i]);
			*merchant = '\0';
			if (dc_step(ctx, st) == DC_ROW)
				snprintf(merchant, sizeof merchant, "%s", dc_col_text(st, 0));
			dc_finish(ctx, st);
			if (!(rc = dc_shop_audit(ctx, merchant, "offer", ids[i], "ended", NULL,
			                         "expired")))
				rc = dc_touched(ctx, ids[i], "offer");
		}
	}
	free_ids(ids, n);
	ids = NULL, n = 0;
	if (rc)
		goto done;
	/* reservations not collected by the end of the pickup day (or the order day) + grace */
	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT o.id, coalesce(s.at, o.created_at) FROM shop_order o"
	                     " LEFT JOIN slot s ON s.id = o.slot"
	                     " WHERE o.status IN ('reserved', 'ready') ORDER BY o.id")))
		goto done;
	{
		int cap = 0;

		while ((rc = dc_step(ctx, st)) == DC_ROW) {
			time_t at;

			if (dc_parse_time(dc_col_text(st, 1), &at) < 0 ||
			    tnow <= dc_local_end_of_day(ctx, dc_local_days(ctx, at) + grace))
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				ids = realloc(ids, (size_t)cap * sizeof *ids);
				if (!ids)
					abort();
			}
			ids[n++] = dc_strdup(dc_col_text(st, 0));
		}
		dc_finish(ctx, st);
	}
	for (i = 0; i < n && !rc; i++)
		if (!(rc = set_status(ctx, ids[i], "expired", now)))
			rc = dc_touched(ctx, ids[i], "shop_order");
done:
	free_ids(ids, n);
	return rc;
}

int
dc_shop_expired_list(struct dc *ctx, const char *id, struct dc_stmt **st)
{
	int rc;

	if ((rc = dc_prepare(ctx, st,
	                     "SELECT id, 'offer', 'ended', ended_at FROM offer WHERE id = ?1"
	                     " UNION ALL SELECT id, 'shop_order', status, updated_at"
	                     " FROM shop_order WHERE id = ?1")))
		return rc;
	dc_bind_text(*st, 1, id);
	return 0;
}
