/*
 * OCDS 1.1 release package of the orders: one release per order (its latest state), written
 * as it is read.  Internal texts (justification, award reason, split notes, who created it)
 * stay inside; drafts are not published.
 */
#include <stdlib.h>
#include <string.h>

#include "export/export.h"

/* An amount of 10^-SCALE units (cents, or a unit price's ten-thousandths) as a Value. */
static json_object *
value(long long c, int scale, const char *currency)
{
	json_object *v = json_object_new_object();
	char buf[32];

	dc_num_fmt(c, scale, 2, '.', buf);
	json_object_object_add(v, "amount", json_object_new_double_s(strtod(buf, NULL), buf));
	json_object_object_add(v, "currency", json_object_new_string(currency));
	return v;
}

static json_object *
money(const char *cents, const char *currency)
{
	return value(cents ? strtoll(cents, NULL, 10) : 0, 2, currency);
}

static void
add_str(json_object *o, const char *k, const char *v)
{
	if (v && *v)
		json_object_object_add(o, k, json_object_new_string(v));
}

static json_object *
str_array(const char *a, const char *b)
{
	json_object *arr = json_object_new_array();

	json_object_array_add(arr, json_object_new_string(a));
	if (b)
		json_object_array_add(arr, json_object_new_string(b));
	return arr;
}

/* direct 0 < negotiated < tender < eu (lib/procure/rules.c) */
static const char *
method(const char *procedure, const char *framework)
{
	if (framework && *framework)
		return "limited"; /* a call-off from a framework agreement */
	if (!strcmp(procedure, "direct"))
		return "direct";
	if (!strcmp(procedure, "negotiated"))
		return "limited";
	if (!strcmp(procedure, "restricted"))
		return "selective";
	return "open";
}

enum {
	C_ID,
	C_STATUS,
	C_PROC,
	C_LEGAL,
	C_NET,
	C_GROSS,
	C_AWARD,
	C_AWARD_NAME,
	C_DEPT,
	C_DEPT_NAME,
	C_CREATED,
	C_UPDATED,
	C_CATEGORY,
	C_FRAMEWORK,
	C_LINES,
	C_QUOTES,
	C_INVOICE
};

static json_object *
release(const char *prefix, struct dc_stmt *st)
{
#define T(c) (dc_col_text(st, (c)))
	const char *id = T(C_ID), *status = T(C_STATUS), *award = T(C_AWARD);
	int placed =
	    !strcmp(status, "placed") || !strcmp(status, "received") || !strcmp(status, "invoiced");
	int cancelled = !strcmp(status, "cancelled");
	json_object *r = json_object_new_object(), *parties = json_object_new_array();
	json_object *buyer = json_object_new_object(), *tender = json_object_new_object();
	json_object *p, *items, *lines, *quotes, *tenderers = json_object_new_array();
	char *ocid = dc_printf("%s-%s", prefix, id), *rid = dc_printf("%s-%s", id, T(C_UPDATED));
	char *buyer_id = dc_printf("dept-%s", T(C_DEPT)), *details;
	size_t i;

	json_object_object_add(r, "ocid", json_object_new_string(ocid));
	json_object_object_add(r, "id", json_object_new_string(rid));
	json_object_object_add(r, "date", json_object_new_string(T(C_UPDATED)));
	json_object_object_add(r, "tag",
	                       cancelled ? str_array("tenderCancellation", NULL)
	                       : !strcmp(status, "invoiced")
	                           ? str_array("contract", "implementation")
	                       : placed ? str_array("award", "contract")
	                                : str_array("tender", NULL));
	json_object_object_add(r, "initiationType", json_object_new_string("tender"));
	json_object_object_add(r, "language", json_object_new_string("de"));
	add_str(buyer, "id", buyer_id);
	add_str(buyer, "name", T(C_DEPT_NAME) ? T(C_DEPT_NAME) : T(C_DEPT));
	p = json_object_new_object();
	add_str(p, "id", buyer_id);
	add_str(p, "name", T(C_DEPT_NAME) ? T(C_DEPT_NAME) : T(C_DEPT));
	json_object_object_add(p, "roles", str_array("buyer", "procuringEntity"));
	json_object_array_add(parties, p);

	/* quotes give the tenderers; the awarded vendor is a supplier (and a tenderer if quoted) */
	quotes = json_tokener_parse(T(C_QUOTES) ? T(C_QUOTES) : "[]");
	for (i = 0; quotes && i < json_object_array_length(quotes); i++) {
		json_object *q = json_object_array_get_idx(quotes, i), *v, *n = NULL, *ref;
		const char *vid = json_object_get_string(json_object_object_get(q, "vendor"));
		char *pid = dc_printf("vendor-%s", vid);
		size_t k;
		int seen = 0;

		for (k = 0; k < json_object_array_length(tenderers); k++)
			seen |= !strcmp(json_object_get_string(json_object_object_get(
			                    json_object_array_get_idx(tenderers, k), "id")),
			                pid);
		if (!seen) {
			json_object_object_get_ex(q, "name", &n);
			v = json_object_new_object();
			add_str(v, "id", pid);
			add_str(v, "name", n ? json_object_get_string(n) : vid);
			json_object_object_add(v, "roles",
			                       award && !strcmp(vid, award) &&
			                               (placed || !cancelled)
			                           ? str_array("tenderer", "supplier")
			                           : str_array("tenderer", NULL));
			json_object_array_add(parties, v);
			ref = json_object_new_object();
			add_str(ref, "id", pid);
			add_str(ref, "name", n ? json_object_get_string(n) : vid);
			json_object_array_add(tenderers, ref);
		}
		free(pid);
	}
	if (award) {
		char *pid = dc_printf("vendor-%s", award);
		int seen = 0;

		for (i = 0; i < json_object_array_length(tenderers); i++)
			seen |= !strcmp(json_object_get_string(json_object_object_get(
			                    json_object_array_get_idx(tenderers, i), "id")),
			                pid);
		if (!seen) {
			p = json_object_new_object();
			add_str(p, "id", pid);
			add_str(p, "name", T(C_AWARD_NAME) ? T(C_AWARD_NAME) : award);
			json_object_object_add(p, "roles", str_array("supplier", NULL));
			json_object_array_add(parties, p);
		}
		free(pid);
	}
	json_object_object_add(r, "parties", parties);
	json_object_object_add(r, "buyer", buyer);

	add_str(tender, "id", id);
	add_str(tender, "title", T(C_CATEGORY));
	json_object_object_add(tender, "status",
	                       json_object_new_string(cancelled                     ? "cancelled"
	                                              : placed                      ? "complete"
	                                              : !strcmp(status, "approved") ? "active"
	                                                                            : "planning"));
	json_object_object_add(tender, "value", money(T(C_NET), "EUR"));
	json_object_object_add(tender, "procurementMethod",
	                       json_object_new_string(method(T(C_PROC), T(C_FRAMEWORK))));
	details =
	    dc_printf("%s%s%s", T(C_PROC), T(C_LEGAL) ? "; " : "", T(C_LEGAL) ? T(C_LEGAL) : "");
	add_str(tender, "procurementMethodDetails", details);
	free(details);
	add_str(tender, "mainProcurementCategory", "goods");
	items = json_object_new_array();
	lines = json_tokener_parse(T(C_LINES) ? T(C_LINES) : "[]");
	for (i = 0; lines && i < json_object_array_length(lines); i++) {
		json_object *l = json_object_array_get_idx(lines, i),
		            *it = json_object_new_object();
		json_object *unit = json_object_new_object(), *un, *v;
		char *lid = dc_printf("%d", json_object_get_int(json_object_object_get(l, "line")));

		add_str(it, "id", lid);
		add_str(it, "description",
		        json_object_get_string(json_object_object_get(l, "text")));
		json_object_object_add(it, "quantity",
		                       json_object_new_double(json_object_get_double(
		                           json_object_object_get(l, "qty"))));
		if (json_object_object_get_ex(l, "unit", &un) && un)
			add_str(unit, "name", json_object_get_string(un));
		v = json_object_object_get(l, "unit_net");
		json_object_object_add(unit, "value",
		                       value(llround(json_object_get_double(v) * 10000), 4, "EUR"));
		json_object_object_add(it, "unit", unit);
		json_object_array_add(items, it);
		free(lid);
	}
	json_object_object_add(tender, "items", items);
	json_object_object_add(tender, "numberOfTenderers",
	                       json_object_new_int((int)json_object_array_length(tenderers)));
	if (json_object_array_length(tenderers))
		json_object_object_add(tender, "tenderers", tenderers);
	else
		json_object_put(tenderers);
	json_object_object_add(r, "tender", tender);

	if (award && !(!placed && !strcmp(status, "draft"))) {
		json_object *aw = json_object_new_object(), *sup = json_object_new_object();
		json_object *sups = json_object_new_array(), *awards = json_object_new_array();
		char *aid = dc_printf("%s-award", id), *pid = dc_printf("vendor-%s", award);

		add_str(aw, "id", aid);
		add_str(aw, "status", cancelled ? "cancelled" : placed ? "active" : "pending");
		json_object_object_add(aw, "value", money(T(C_NET), "EUR"));
		add_str(sup, "id", pid);
		add_str(sup, "name", T(C_AWARD_NAME) ? T(C_AWARD_NAME) : award);
		json_object_array_add(sups, sup);
		json_object_object_add(aw, "suppliers", sups);
		json_object_array_add(awards, aw);
		json_object_object_add(r, "awards", awards);
		if (placed) {
			json_object *c = json_object_new_object(), *cs = json_object_new_array();
			char *cid = dc_printf("%s-contract", id);

			add_str(c, "id", cid);
			add_str(c, "awardID", aid);
			add_str(c, "status", !strcmp(status, "invoiced") ? "terminated" : "active");
			json_object_object_add(c, "value", money(T(C_GROSS), "EUR"));
			/* each booked invoice is a transaction; a credit note's value is negative */
			if (T(C_INVOICE)) {
				json_object *impl = json_object_new_object(),
				            *txs = json_object_new_array(),
				            *invs = json_tokener_parse(T(C_INVOICE)), *v;
				size_t k, ni = json_object_array_length(invs);

				for (k = 0; k < ni; k++) {
					json_object *inv = json_object_array_get_idx(invs, k);
					json_object *tx = json_object_new_object();

					json_object_object_get_ex(inv, "id", &v);
					add_str(tx, "id", json_object_get_string(v));
					json_object_object_get_ex(inv, "date", &v);
					add_str(tx, "date", json_object_get_string(v));
					json_object_object_get_ex(inv, "cents", &v);
					v = value(json_object_get_int64(v), 2, "EUR");
					json_object_object_add(tx, "value", v);
					json_object_array_add(txs, tx);
				}
				json_object_put(invs);
				json_object_object_add(impl, "transactions", txs);
				json_object_object_add(c, "implementation", impl);
			}
			json_object_array_add(cs, c);
			json_object_object_add(r, "contracts", cs);
			free(cid);
		}
		free(aid);
		free(pid);
	}
	json_object_put(lines);
	json_object_put(quotes);
	free(ocid);
	free(rid);
	free(buyer_id);
	return r;
#undef T
}

/* The releases' filters: a draft is never published, so --status draft finds nothing. */
static const struct dc_opt orders_spec[] = {
	{"since", DC_V_DATE, DC_O_DAYSTART, NULL, "DATE", NULL, "o.updated_at >= ?", DC_NOFIELD},
	{"until", DC_V_DATE, DC_O_DAYEND, NULL, "DATE", NULL, "o.updated_at <= ?", DC_NOFIELD},
	{"status", DC_V_ENUM, 0, "draft approved placed received invoiced cancelled", "S", NULL,
	 "o.status = ?", DC_NOFIELD},
	{"department", DC_V_TEXT, 0, NULL, "D", NULL, "o.dept = ?", DC_NOFIELD},
	{NULL},
};

int
dc_export_ocds(struct dc *ctx, const struct dc_export *x)
{
	struct dc_stmt *st = NULL;
	struct dc_q q = {0};
	char *prefix = dc_setting(ctx, "ocds.prefix"), *url = dc_setting(ctx, "city.url");
	char *name = dc_setting(ctx, "city.name"), now[21];
	json_object *head;
	const char *h;
	int rc, n = 0;

	dc_q_sql(&q, "SELECT o.id, o.status, o.procedure, o.legal_basis, o.net, o.gross, o.award,"
	             " (SELECT name FROM vendor WHERE id = o.award), o.dept, d.name, o.created_at,"
	             " o.updated_at, o.category, o.framework,"
	             " (SELECT json_group_array(json_object('line', l.line, 'text', l.text,"
	             "   'qty', l.qty, 'unit', l.unit, 'unit_net', " DC_SQL_PRICE("l.unit_net") "))"
	             "   FROM (SELECT * FROM order_line WHERE order_id = o.id ORDER BY line) l),"
	             " (SELECT json_group_array(json_object('vendor', q.vendor, 'name', v.name))"
	             "   FROM (SELECT * FROM quote WHERE order_id = o.id ORDER BY amount, id) q"
	             "   LEFT JOIN vendor v ON v.id = q.vendor),"
	             " (SELECT json_group_array(json_object('id', i.id, 'cents',"
	             "   CASE WHEN i.type = '381' THEN -i.gross ELSE i.gross END,"
	             "   'date', i.booked_at)) FROM (SELECT * FROM invoice WHERE order_id = o.id"
	             "   AND status = 'booked' ORDER BY id) i HAVING count(*) > 0)"
	             " FROM purchase_order o LEFT JOIN dept d ON d.code = o.dept");
	dc_q_where(&q, "o.status <> 'draft'");
	if ((rc = dc_export_query(ctx, &q, orders_spec, x, " ORDER BY o.id", &st)))
		goto done;
	/* the package's date is the newest release's, so an unchanged export is byte-identical */
	{
		struct dc_stmt *m = NULL;

		dc_fmt_time(dc_now(ctx), now);
		if (!dc_prepare(
		        ctx, &m,
		        "SELECT max(updated_at) FROM purchase_order WHERE status <> 'draft'") &&
		    dc_step(ctx, m) == DC_ROW && dc_col_text(m, 0))
			snprintf(now, sizeof now, "%s", dc_col_text(m, 0));
		dc_finish(ctx, m);
	}
	head = json_object_new_object();
	{
		char *uri = dc_printf("%s/open-data/ocds/releases.json", url);

		json_object_object_add(head, "uri", json_object_new_string(uri));
		free(uri);
	}
	json_object_object_add(head, "version", json_object_new_string("1.1"));
	json_object_object_add(head, "publishedDate", json_object_new_string(now));
	{
		json_object *pub = json_object_new_object();

		add_str(pub, "name", name);
		add_str(pub, "uri", url);
		json_object_object_add(head, "publisher", pub);
	}
	h = json_object_to_json_string_ext(head,
	                                   JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	/* "{...}" without its closing brace, then the releases as they are read */
	fprintf(stdout, "%.*s,\"releases\":[", (int)strlen(h) - 1, h);
	json_object_put(head);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		json_object *r = release(prefix, st);

		fputs(n++ ? ",\n" : "\n", stdout);
		fputs(json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN |
		                                            JSON_C_TO_STRING_NOSLASHESCAPE),
		      stdout);
		json_object_put(r);
	}
	if (rc)
		goto done;
	fputs("\n]}\n", stdout);
	ctx->nrows = n;
	rc = dc_export_flush(ctx);
done:
	dc_finish(ctx, st);
	free(prefix);
	free(url);
	free(name);
	return rc;
}
