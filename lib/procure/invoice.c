/*
 * Invoices (dc-order(1) "Invoices"): typed (--number --amount) or read from an XRechnung or
 * ZUGFeRD file, checked against the city (Leitweg-ID), the vendor (VAT id), the seller's other
 * invoices (the number), and matched line by line against the order and what was received.
 * An invoice whose order is not known is kept as unmatched until `invoice assign`.  The file
 * stays with the invoice as evidence; show renders it for the clerk in German.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "einvoice/einvoice.h"
#include "einvoice/validate.h"
#include "export/export.h"
#include "procure/procure.h"

/* The largest invoice file taken: a ZUGFeRD PDF with its images, never a whole archive. */
#define INVOICE_MAX_BYTES (32L * 1024 * 1024)

#define INVOICE_COLS                                                                           \
	"i.id, i.order_id, i.status, i.type, i.number, i.issue_date, i.currency, i.seller_name,"   \
	" i.seller_vat_id, i.vendor, i.buyer_reference, i.order_reference, i.preceding,"          \
	" i.replaces, i.net, i.vat, i.gross, i.payable, i.iban, i.format, i.source, i.sha256,"    \
	" length(i.file), i.findings, i.extra_accepted_by,"                                        \
	" (SELECT json_group_array(json_object('pos', l.pos, 'id', l.line_id, 'order_ref',"        \
	"   l.order_ref, 'sku', l.sku, 'name', l.name, 'qty', l.qty, 'unit', l.unit, 'price', "   \
	DC_SQL_PRICE("l.price") ", 'net', " DC_SQL_MONEY("l.net") ", 'vat', l.vat,"                \
	"   'order_line', l.order_line)) FROM (SELECT * FROM invoice_line l"                       \
	"   WHERE l.invoice_id = i.id ORDER BY l.pos) l),"                                         \
	" i.created_by, i.created_at, i.booked_at"

const struct dc_rectype dc_rt_invoice = {
	"invoice",
	(const struct dc_field[]){
	    {"id", DC_T_STR},           {"order", DC_T_STR},          {"status", DC_T_STR},
	    {"type", DC_T_STR},         {"number", DC_T_STR},         {"issue_date", DC_T_STR},
	    {"currency", DC_T_STR},     {"seller_name", DC_T_STR},    {"seller_vat_id", DC_T_STR},
	    {"vendor", DC_T_STR},       {"buyer_reference", DC_T_STR},
	    {"order_reference", DC_T_STR}, {"preceding", DC_T_STR},   {"replaces", DC_T_STR},
	    {"net", DC_T_MONEY},        {"vat", DC_T_MONEY},          {"gross", DC_T_MONEY},
	    {"payable", DC_T_MONEY},    {"iban", DC_T_STR},           {"format", DC_T_STR},
	    {"source", DC_T_STR},       {"sha256", DC_T_STR},         {"size", DC_T_INT},
	    {"findings", DC_T_JSON},    {"extra_accepted_by", DC_T_STR}, {"lines", DC_T_JSON},
	    {"created_by", DC_T_STR},   {"created_at", DC_T_STR},     {"booked_at", DC_T_STR}},
	29};

static int
event(struct dc *ctx, const char *entity, const char *id, const char *kind, const char *from,
      const char *to, const char *note)
{
	struct dc_event ev = {entity, id, kind, from, to, note, 0};

	return dc_audit(ctx, &ev);
}

static void
money(long long cents, char buf[32])
{
	dc_num_fmt(cents, 2, 2, '.', buf);
}

/* A VAT id as compared: upper case, without spaces. */
static char *
vat_norm(const char *s)
{
	char *out, *p;

	if (!s || !*s)
		return NULL;
	out = p = dc_strdup(s);
	for (; *s; s++)
		if (*s != ' ')
			*p++ = *s >= 'a' && *s <= 'z' ? (char)(*s - 'a' + 'A') : *s;
	*p = '\0';
	return out;
}

/* Whom an invoice number belongs to, for the duplicate rule (schema 12's invoice.seller). */
static char *
seller_key(const char *vat_id, const char *vendor, const char *name)
{
	char *v = vat_norm(vat_id);

	if (v)
		return v;
	if (vendor)
		return dc_printf("vendor:%s", vendor);
	return dc_printf("name:%s", name ? name : "");
}

/* A file's bytes, at most INVOICE_MAX_BYTES. */
static int
read_bytes(struct dc *ctx, const char *path, unsigned char **buf, size_t *len)
{
	struct stat sb;
	ssize_t n;
	int fd, rc = 0;

	*buf = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return dc_error(ctx, DC_ENOINPUT, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode))
		rc = dc_error(ctx, DC_ENOINPUT, "'%s' is not a regular file", path);
	else if (sb.st_size > INVOICE_MAX_BYTES)
		rc = dc_error(ctx, DC_EDATA,
		              "'%s': %lld bytes is more than an invoice file may have "
		              "(%ld)",
		              path, (long long)sb.st_size, INVOICE_MAX_BYTES);
	else if (!(*buf = malloc((size_t)sb.st_size + 1)))
		abort();
	while (!rc && *len < (size_t)sb.st_size) {
		if ((n = read(fd, *buf + *len, (size_t)sb.st_size - *len)) < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = dc_error(ctx, DC_EIO, "cannot read '%s': %s", path,
			              n < 0 ? strerror(errno) : "file shrank");
			break;
		}
		*len += (size_t)n;
	}
	close(fd);
	if (rc) {
		free(*buf);
		*buf = NULL;
	}
	return rc;
}

/* ---- the order an invoice is matched against ---- */

struct oline {
	long line;
	char *sku, *unit, *text;
	long long qty, received, invoiced; /* thousandths; invoiced: by the booked invoices */
	long long unit_net;                /* ten-thousandths */
	double vat;
};

struct porder {
	char *id, *dept, *status, *award;
	long long net, gross;
	struct oline *lines;
	int n;
};

static void
porder_free(struct porder *o)
{
	for (int i = 0; i < o->n; i++) {
		free(o->lines[i].sku);
		free(o->lines[i].unit);
		free(o->lines[i].text);
	}
	free(o->lines);
	free(o->id);
	free(o->dept);
	free(o->status);
	free(o->award);
	memset(o, 0, sizeof *o);
}

/* Order ID with its lines and what the booked invoices (credit notes subtracted) took of
 * each; *found 0 when there is no such order. */
static int
porder_load(struct dc *ctx, const char *id, struct porder *o, int *found)
{
	struct dc_stmt *st = NULL;
	int rc;

	memset(o, 0, sizeof *o);
	*found = 0;
	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT id, dept, status, award, net, gross"
	                     " FROM purchase_order WHERE id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		o->id = dc_strdup(dc_col_text(st, 0));
		o->dept = dc_strdup(dc_col_text(st, 1));
		o->status = dc_strdup(dc_col_text(st, 2));
		o->award = dc_strdup(dc_col_text(st, 3));
		o->net = dc_col_int(st, 4);
		o->gross = dc_col_int(st, 5);
		*found = 1;
		rc = 0;
	}
	dc_finish(ctx, st);
	if (rc || !*found)
		return rc;
	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT l.line, l.sku, l.unit, l.text, l.qty, l.received, l.unit_net,"
	                     " l.vat, coalesce((SELECT sum(CASE WHEN i.type = '381' THEN -il.qty"
	                     "   ELSE il.qty END) FROM invoice_line il JOIN invoice i"
	                     "   ON i.id = il.invoice_id WHERE i.order_id = l.order_id"
	                     "   AND i.status = 'booked' AND il.order_line = l.line), 0)"
	                     " FROM order_line l WHERE l.order_id = ?1 ORDER BY l.line")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		struct oline *l;

		if (!(o->lines = realloc(o->lines, (size_t)(o->n + 1) * sizeof *o->lines)))
			abort();
		l = &o->lines[o->n++];
		l->line = (long)dc_col_int(st, 0);
		l->sku = dc_strdup(dc_col_text(st, 1));
		l->unit = dc_strdup(dc_col_text(st, 2));
		l->text = dc_strdup(dc_col_text(st, 3));
		l->qty = llround(dc_col_double(st, 4) * 1000);
		l->received = llround(dc_col_double(st, 5) * 1000);
		l->unit_net = dc_col_int(st, 6);
		l->vat = dc_col_double(st, 7);
		l->invoiced = llround(dc_col_double(st, 8) * 1000);
	}
	dc_finish(ctx, st);
	return rc;
}

/* The gross of what was received of O. */
static int
received_gross(struct dc *ctx, const struct porder *o, long long *gross)
{
	long long ln, lg;

	*gross = 0;
	for (int i = 0; i < o->n; i++)
		if (dc_money_line(o->lines[i].received, o->lines[i].unit_net, &ln) ||
		    dc_money_vat(ln, o->lines[i].vat, &lg) || dc_money_add(*gross, lg, gross))
			return dc_error(ctx, DC_EDATA,
			                "order '%s': received value above the maximum", o->id);
	return 0;
}

/* After a booking: a received order whose booked invoices cover what was received (within
 * 1 %) is invoiced; one that a credit note uncovers is received again. */
static int
order_follow(struct dc *ctx, const char *id, const char *inv)
{
	struct dc_stmt *st = NULL;
	struct porder o;
	long long rec = 0, covered = 0;
	const char *to;
	char now[21];
	int rc, found;

	if ((rc = porder_load(ctx, id, &o, &found)) || !found)
		goto done;
	if (strcmp(o.status, "received") && strcmp(o.status, "invoiced"))
		goto done;
	if ((rc = received_gross(ctx, &o, &rec)) ||
	    (rc = dc_prepare(ctx, &st, "SELECT gross FROM order_invoiced WHERE order_id = ?1")))
		goto done;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		covered = dc_col_int(st, 0);
		rc = 0;
	}
	dc_finish(ctx, st);
	if (rc)
		goto done;
	to = (covered - rec) * 100 >= -rec ? "invoiced" : "received";
	if (!strcmp(to, o.status))
		goto done;
	dc_fmt_time(dc_now(ctx), now);
	if (!(rc = dc_exec(ctx,
	                   "UPDATE purchase_order SET status = ?2, updated_at = ?3"
	                   " WHERE id = ?1",
	                   3, id, to, now)))
		rc = event(ctx, "order", id, "invoiced", o.status, to, inv);
done:
	porder_free(&o);
	return rc;
}

/* ---- matching an invoice's lines ---- */

/* Do an order's unit and an invoice's BT-130 mean the same?  The order's unit is the
 * catalog's (Stk, kg, H87), the invoice's a UN/ECE Rec 20 code: both through the unit table
 * (dc-order(1) UNITS), a unit the table does not know only as the same text. */
static int
unit_same(const char *order_unit, const char *inv_unit)
{
	if (!order_unit || !*order_unit || !inv_unit || !*inv_unit)
		return 1;
	if (dc_unit_rec20(order_unit) && dc_unit_rec20(inv_unit))
		return dc_unit_same(order_unit, inv_unit);
	return !strcasecmp(order_unit, inv_unit);
}

/* Which order line an invoice line is for: the one BT-132 numbers; else among the lines of
 * the SKU BT-155 gives, or else of the text BT-153 gives, the first that takes the line
 * (unit, price and quantity fit), else the first of them, whose differences are reported;
 * -1 for none (an extra line). */
static int
find_line(const struct porder *o, const char *ref, const char *sku, const char *name,
          const char *unit, long long price, long long q, int credit)
{
	int i, pass, first = -1;

	if (ref && *ref) {
		char *end;
		long n = strtol(ref, &end, 10);

		for (i = 0; !*end && i < o->n; i++)
			if (o->lines[i].line == n)
				return i;
	}
	for (pass = 0; pass < 2 && first < 0; pass++)
		for (i = 0; i < o->n; i++) {
			const struct oline *l = &o->lines[i];

			if (pass == 0 ? !sku || !*sku || !l->sku || strcmp(l->sku, sku)
			              : !name || !l->text || strcmp(l->text, name))
				continue;
			if (unit_same(l->unit, unit) &&
			    llabs(price - l->unit_net) * 100 <= l->unit_net &&
			    (credit ? q <= l->invoiced : l->invoiced + q <= l->received))
				return i;
			if (first < 0)
				first = i;
		}
	return first;
}

struct booking {
	int accept_extra; /* --accept-extra given */
	int unmatched;    /* out: stored without an order */
	char id[32];      /* out: the invoice */
};

/* Match invoice INV's stored lines against order O (type TYPE); set each line's order_line.
 * The differing lines are warned one by one; then exit 3. */
static int
match_lines(struct dc *ctx, const char *inv, const char *type, struct porder *o, struct booking *b)
{
	struct dc_stmt *st = NULL;
	int credit = !strcmp(type, "381"), bad = 0, extras = 0, rc;
	long long extra_net = 0;
	char a[32], c[32];

	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT pos, order_ref, sku, name, qty, unit, price, net"
	                     " FROM invoice_line WHERE invoice_id = ?1 ORDER BY pos")))
		return rc;
	dc_bind_text_ref(st, 1, inv);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		long pos = (long)dc_col_int(st, 0);
		const char *name = dc_col_text(st, 3), *unit = dc_col_text(st, 5);
		long long q = llround(dc_col_double(st, 4) * 1000), price = dc_col_int(st, 6);
		int k = find_line(o, dc_col_text(st, 1), dc_col_text(st, 2), name, unit, price, q,
		                  credit);
		struct oline *l;
		char pl[32];

		if (k < 0) {
			extras++;
			extra_net += credit ? -dc_col_int(st, 7) : dc_col_int(st, 7);
			money(dc_col_int(st, 7), a);
			dc_warn(ctx,
			        "invoice line %ld ('%s', %s net) matches no line of order '%s'",
			        pos, name ? name : "", a, o->id);
			continue;
		}
		l = &o->lines[k];
		snprintf(pl, sizeof pl, "%ld", l->line);
		if (!unit_same(l->unit, unit)) {
			bad++;
			dc_warn(ctx, "invoice line %ld: unit '%s', order '%s' line %ld: '%s'", pos,
			        unit, o->id, l->line, l->unit);
		}
		if (llabs(price - l->unit_net) * 100 > l->unit_net) {
			bad++;
			dc_num_fmt(price, 4, 2, '.', a);
			dc_num_fmt(l->unit_net, 4, 2, '.', c);
			dc_warn(ctx,
			        "invoice line %ld: unit price %s, order '%s' line %ld: %s "
			        "(tolerance 1 %%)",
			        pos, a, o->id, l->line, c);
		}
		if (credit ? q > l->invoiced : l->invoiced + q > l->received) {
			bad++;
			dc_warn(ctx,
			        "invoice line %ld: quantity %g, order '%s' line %ld: %s %g, "
			        "invoiced so far %g",
			        pos, (double)q / 1000, o->id, l->line,
			        credit ? "credited at most" : "received",
			        (double)l->received / 1000, (double)l->invoiced / 1000);
		}
		l->invoiced += credit ? -q : q;
		if ((rc = dc_exec(ctx,
		                  "UPDATE invoice_line SET order_line = ?3"
		                  " WHERE invoice_id = ?1 AND pos = ?2",
		                  3, inv, dc_col_text(st, 0), pl)))
			break;
	}
	dc_finish(ctx, st);
	if (rc)
		return rc;
	if (bad)
		return dc_error(ctx, DC_ECONFLICT,
		                "three-way match failed for '%s': %d difference%s "
		                "between invoice '%s' and the order",
		                o->id, bad, bad == 1 ? "" : "s", inv);
	if (!extras)
		return 0;
	if (!b->accept_extra)
		return dc_error(ctx, DC_ECONFLICT,
		                "invoice '%s' has %d line%s that match no line of "
		                "order '%s': a head or admin books them with --accept-extra",
		                inv, extras, extras == 1 ? "" : "s", o->id);
	if ((rc = dc_whoami(ctx)))
		return rc;
	if (!dc_is_admin(ctx) &&
	    !(!strcmp(ctx->role, "head") && ctx->dept && !strcmp(ctx->dept, o->dept)))
		return dc_error(ctx, DC_EPERM,
		                "permission denied: only the head of '%s' or an admin "
		                "accepts extra invoice lines",
		                o->dept);
	if (llabs(extra_net) * 100 > o->net) {
		money(extra_net, a);
		money(o->net, c);
		return dc_error(ctx, DC_ECONFLICT,
		                "invoice '%s': extra lines of %s net are more "
		                "than 1 %% of order '%s' (%s net)",
		                inv, a, o->id, c);
	}
	return dc_exec(ctx, "UPDATE invoice SET extra_accepted_by = ?2 WHERE id = ?1", 2, inv,
	               ctx->actor);
}

/* A typed invoice: as before schema 12, the whole order at once: ordered, received and
 * invoiced gross agree within 1 %. */
static int
match_amount(struct dc *ctx, struct porder *o, long long amount)
{
	long long rec, booked = 0;
	struct dc_stmt *st = NULL;
	int rc;

	if (strcmp(o->status, "received"))
		return dc_error(ctx, DC_ECONFLICT, "order '%s' is %s; an invoice needs it received",
		                o->id, o->status);
	if ((rc = received_gross(ctx, o, &rec)) ||
	    (rc = dc_prepare(ctx, &st, "SELECT gross FROM order_invoiced WHERE order_id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, o->id);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		booked = dc_col_int(st, 0);
		rc = 0;
	}
	dc_finish(ctx, st);
	if (rc)
		return rc;
	amount += booked;
	if (llabs(rec - o->gross) * 100 > o->gross || llabs(amount - rec) * 100 > rec)
		return dc_error(ctx, DC_ECONFLICT,
		                "three-way match failed for '%s': ordered %.2f, "
		                "received %.2f, invoiced %.2f (gross; tolerance 1 %%)",
		                o->id, (double)o->gross / 100, (double)rec / 100,
		                (double)amount / 100);
	return 0;
}

char *
dc_procure_leitweg(struct dc *ctx, const char *dept)
{
	struct dc_stmt *st = NULL;
	char *id = NULL;

	if (!dc_prepare(ctx, &st, "SELECT leitweg_id FROM dept WHERE code = ?1"
	                          " AND leitweg_id IS NOT NULL AND leitweg_id <> ''")) {
		dc_bind_text_ref(st, 1, dept);
		if (dc_step(ctx, st) == DC_ROW)
			id = dc_strdup(dc_col_text(st, 0));
		dc_finish(ctx, st);
	}
	return id ? id : dc_setting(ctx, "procurement.leitweg_id");
}

/* The Leitweg-ID an invoice names (BT-10) must be right and the city's or the ordering
 * department's (DEPT NULL: any department's, while the order is not known). */
static int
check_leitweg(struct dc *ctx, const char *path, const char *id, const char *dept)
{
	const char *why = NULL;
	char *city = NULL;
	int rc = 0, known = 0;

	if (!id || !*id)
		return dc_error(ctx, DC_EDATA,
		                "%s: BT-10 (Leitweg-ID): missing; an XRechnung to the "
		                "city names its Leitweg-ID",
		                path);
	if (!dc_leitweg_valid(id, &why))
		return dc_error(ctx, DC_EDATA, "%s: BT-10 (Leitweg-ID): '%s' %s", path, id,
		                why ? why : "is not a Leitweg-ID");
	if ((city = dc_setting(ctx, "procurement.leitweg_id")) && !strcmp(city, id))
		goto done;
	{
		struct dc_stmt *st = NULL;

		if ((rc = dc_prepare(ctx, &st,
		                     dept ? "SELECT 1 FROM dept WHERE leitweg_id = ?1"
		                            " AND code = ?2"
		                          : "SELECT 1 FROM dept WHERE leitweg_id = ?1")))
			goto done;
		dc_bind_text_ref(st, 1, id);
		if (dept)
			dc_bind_text_ref(st, 2, dept);
		if ((rc = dc_step(ctx, st)) == DC_ROW) {
			known = 1;
			rc = 0;
		}
		dc_finish(ctx, st);
	}
	if (!rc && !known)
		rc = dc_error(ctx, DC_EDATA,
		              "%s: BT-10 (Leitweg-ID): '%s' is neither the city's "
		              "(procurement.leitweg_id %s) nor %s%s%s",
		              path, id, city ? city : "not set",
		              dept ? "department '" : "any department's", dept ? dept : "",
		              dept ? "'s" : "");
done:
	free(city);
	return rc;
}

/* The seller's VAT id (BT-31) against the vendor's, when both are known. */
static int
check_vat(struct dc *ctx, const char *path, const char *given, const char *vendor)
{
	struct dc_stmt *st = NULL;
	char *g = vat_norm(given), *v = NULL;
	int rc;

	if (!g || !vendor) {
		free(g);
		return 0;
	}
	if ((rc = dc_prepare(ctx, &st, "SELECT vat_id FROM vendor WHERE id = ?1")))
		goto done;
	dc_bind_text_ref(st, 1, vendor);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		v = vat_norm(dc_col_text(st, 0));
		rc = 0;
	}
	dc_finish(ctx, st);
	if (!rc && v && strcmp(g, v))
		rc = dc_error(ctx, DC_EDATA,
		              "%s: BT-31 (seller VAT identifier): '%s' is not the VAT "
		              "id of vendor '%s' (%s)",
		              path, given, vendor, v);
done:
	free(g);
	free(v);
	return rc;
}

/* ---- storing ---- */

/* What an invoice is when it comes in: from a file (E read) or typed (E's few fields set). */
struct incoming {
	struct dc_einv *e;
	const char *path;   /* for messages */
	const char *format; /* manual, ubl, cii, pdf */
	const char *source; /* the file's name or NULL */
	const unsigned char *bytes;
	size_t len;
	const char *findings; /* JSON array of the validator's warnings, or NULL */
};

static const char *
type_of(const struct dc_einv *e)
{
	return e->type && *e->type ? e->type : "380";
}

static int
insert_lines(struct dc *ctx, const char *id, const struct dc_einv *e)
{
	struct dc_stmt *st = NULL;
	int rc;
	size_t i;

	if (!e->nlines)
		return 0;
	if ((rc = dc_prepare(ctx, &st,
	                     "INSERT INTO invoice_line(invoice_id, pos, line_id,"
	                     " order_ref, sku, name, qty, unit, price, net, vat)"
	                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")))
		return rc;
	for (i = 0; i < e->nlines && !rc; i++) {
		const struct dc_einv_line *l = &e->lines[i];
		double base = l->base_quantity > 0 ? l->base_quantity : 1;

		dc_reset(st);
		dc_bind_text_ref(st, 1, id);
		dc_bind_int(st, 2, (long long)i + 1);
		dc_bind_text_ref(st, 3, l->id);
		dc_bind_text_ref(st, 4, l->order_line);
		dc_bind_text_ref(st, 5, l->seller_item);
		dc_bind_text_ref(st, 6, l->name);
		dc_bind_double(st, 7, l->quantity);
		dc_bind_text_ref(st, 8, l->unit);
		/* the price per one unit of BT-130, as the order keeps it */
		dc_bind_int(st, 9, llround((double)l->price / base));
		dc_bind_int(st, 10, l->net);
		if (isnan(l->vat_rate))
			dc_bind_null(st, 11);
		else
			dc_bind_double(st, 11, l->vat_rate);
		rc = dc_step(ctx, st);
	}
	dc_finish(ctx, st);
	return rc;
}

/* The vendor whose VAT id is the seller's, when exactly one has it. */
static char *
vendor_by_vat(struct dc *ctx, const char *vat_id)
{
	struct dc_stmt *st = NULL;
	char *v = vat_norm(vat_id), *out = NULL;

	if (!v || dc_prepare(ctx, &st,
	                     "SELECT id FROM vendor WHERE upper(replace(vat_id, ' ', ''))"
	                     " = ?1 LIMIT 2")) {
		free(v);
		return NULL;
	}
	dc_bind_text_ref(st, 1, v);
	if (dc_step_row(st)) {
		out = dc_strdup(dc_col_text(st, 0));
		if (dc_step_row(st)) {
			free(out);
			out = NULL;
		}
	}
	dc_finish(ctx, st);
	free(v);
	return out;
}

/* Book stored invoice ID against order O: replace what a corrected invoice corrects, match,
 * mark it booked, let the order follow. */
static int
book(struct dc *ctx, const char *id, const struct dc_einv *e, int typed, struct porder *o,
     struct booking *b)
{
	const char *type = type_of(e);
	char now[21], *note;
	int rc = 0;

	if (!dc_has_role(ctx, "buyer integrator") && (!ctx->dept || strcmp(ctx->dept, o->dept)))
		return dc_error(ctx, DC_EPERM,
		                "permission denied: '%s' may not book invoices of "
		                "'%s'",
		                ctx->actor, o->dept);
	if (strcmp(o->status, "placed") && strcmp(o->status, "received") &&
	    strcmp(o->status, "invoiced"))
		return dc_error(ctx, DC_ECONFLICT,
		                "order '%s' is %s; invoices are booked against "
		                "placed, received or invoiced orders",
		                o->id, o->status);
	/* a corrected invoice takes the place of the one it names (BT-25) */
	if (!strcmp(type, "384") && e->preceding && *e->preceding) {
		struct dc_stmt *st = NULL;
		char *old = NULL;

		if ((rc = dc_prepare(ctx, &st,
		                     "SELECT id FROM invoice WHERE order_id = ?1"
		                     " AND number = ?2 AND status = 'booked'")))
			return rc;
		dc_bind_text_ref(st, 1, o->id);
		dc_bind_text_ref(st, 2, e->preceding);
		if (dc_step_row(st))
			old = dc_strdup(dc_col_text(st, 0));
		dc_finish(ctx, st);
		if (!old)
			dc_warn(ctx,
			        "invoice '%s' corrects '%s' (BT-25), which is not booked for order "
			        "'%s': booked as an invoice of its own",
			        id, e->preceding, o->id);
		else if (!(rc = dc_exec(ctx, "UPDATE invoice SET status = 'replaced' WHERE id = ?1",
		                        1, old)) &&
		         !(rc = dc_exec(ctx, "UPDATE invoice SET replaces = ?2 WHERE id = ?1", 2,
		                        id, old)) &&
		         !(rc = event(ctx, "invoice", old, "replaced", "booked", "replaced", id))) {
			/* what the replaced invoice took of each line is free again */
			char *po = dc_strdup(o->id);
			int found;

			porder_free(o);
			rc = porder_load(ctx, po, o, &found);
			free(po);
		}
		free(old);
		if (rc)
			return rc;
	}
	if ((rc =
	         typed ? match_amount(ctx, o, e->tax_inclusive) : match_lines(ctx, id, type, o, b)))
		return rc;
	dc_fmt_time(dc_now(ctx), now);
	if ((rc = dc_exec(ctx,
	                  "UPDATE invoice SET status = 'booked', order_id = ?2, booked_at = ?3,"
	                  " vendor = coalesce(vendor, ?4) WHERE id = ?1",
	                  4, id, o->id, now, o->award)))
		return rc;
	note = dc_printf("%s %s", o->id, e->number);
	rc = event(ctx, "invoice", id, "booked", NULL, "booked", note);
	free(note);
	if (!rc)
		rc = order_follow(ctx, o->id, e->number);
	if (!rc)
		rc = dc_touched(ctx, o->id, id);
	return rc;
}

/* Store IN, and book it against PO (or its BT-13) when that order is known. */
static int
take(struct dc *ctx, const struct incoming *in, const char *po, struct booking *b)
{
	const struct dc_einv *e = in->e;
	const char *type = type_of(e), *ref = po ? po : e->order_reference;
	struct porder o = {0};
	struct dc_stmt *st = NULL;
	char now[21], sha[65], *vendor = NULL, *key = NULL;
	int rc, found = 0, typed = !strcmp(in->format, "manual");

	if (strspn(type, "0123456789") != strlen(type) || strlen(type) != 3)
		return dc_error(ctx, DC_EDATA,
		                "%s: BT-3 (invoice type code): '%s' is not a code of "
		                "UNTDID 1001",
		                in->path, type);
	if (!e->currency || strcmp(e->currency, "EUR"))
		return dc_error(ctx, DC_EDATA,
		                "%s: BT-5 (invoice currency code): '%s' is not EUR, "
		                "the currency of the city's budgets",
		                in->path, e->currency ? e->currency : "");
	if (ref && (rc = porder_load(ctx, ref, &o, &found)))
		goto done;
	if (po && !found) {
		rc = dc_error(ctx, DC_ENOTFOUND, "no order '%s'", po);
		goto done;
	}
	vendor = found ? dc_strdup(o.award) : vendor_by_vat(ctx, e->seller.vat_id);
	if (!typed &&
	    ((rc = check_leitweg(ctx, in->path, e->buyer_reference, found ? o.dept : NULL)) ||
	     (rc = check_vat(ctx, in->path, e->seller.vat_id, vendor))))
		goto done;
	if (typed) {
		struct dc_stmt *v = NULL;

		/* a typed invoice's seller is the vendor, known by its VAT id where it has one */
		if ((rc = dc_prepare(ctx, &v, "SELECT vat_id FROM vendor WHERE id = ?1")))
			goto done;
		dc_bind_text_ref(v, 1, vendor);
		key = seller_key(dc_step_row(v) ? dc_col_text(v, 0) : NULL, vendor, NULL);
		dc_finish(ctx, v);
	} else
		key = seller_key(e->seller.vat_id, vendor, e->seller.name);
	if ((rc = dc_prepare(ctx, &st, "SELECT id FROM invoice WHERE seller = ?1 AND number = ?2")))
		goto done;
	dc_bind_text_ref(st, 1, key);
	dc_bind_text_ref(st, 2, e->number);
	if ((rc = dc_step(ctx, st)) == DC_ROW)
		rc = dc_error(ctx, DC_ECONFLICT,
		              "%s: BT-1 (invoice number): '%s' of seller '%s' is "
		              "booked already as '%s'",
		              in->path, e->number, key, dc_col_text(st, 0));
	dc_finish(ctx, st);
	st = NULL;
	if (rc)
		goto done;
	if ((rc = dc_next_id(ctx, "inv", "INV", dc_now(ctx), b->id)))
		goto done;
	dc_fmt_time(dc_now(ctx), now);
	if (in->bytes)
		dc_sha256_hex(in->bytes, in->len, sha);
	if ((rc = dc_prepare(ctx, &st,
	                     "INSERT INTO invoice(id, status, type, number, seller, seller_name,"
	                     " seller_vat_id, vendor, issue_date, currency, buyer_reference,"
	                     " order_reference, preceding, net, vat, gross, payable, iban, format,"
	                     " source, sha256, file, findings, created_by, created_at)"
	                     " VALUES (?1, 'unmatched', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
	                     " ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)")))
		goto done;
	dc_bind_text_ref(st, 1, b->id);
	dc_bind_text_ref(st, 2, type);
	dc_bind_text_ref(st, 3, e->number);
	dc_bind_text_ref(st, 4, key);
	dc_bind_text_ref(st, 5, e->seller.name);
	dc_bind_text_ref(st, 6, e->seller.vat_id);
	dc_bind_text_ref(st, 7, vendor);
	dc_bind_text_ref(st, 8, e->issue_date);
	dc_bind_text_ref(st, 9, e->currency);
	dc_bind_text_ref(st, 10, e->buyer_reference);
	dc_bind_text_ref(st, 11, e->order_reference);
	dc_bind_text_ref(st, 12, e->preceding);
	if (typed) {
		dc_bind_null(st, 13);
		dc_bind_null(st, 14);
	} else {
		dc_bind_int(st, 13, e->tax_exclusive);
		dc_bind_int(st, 14, e->tax_total);
	}
	dc_bind_int(st, 15, e->tax_inclusive);
	if (typed)
		dc_bind_null(st, 16);
	else
		dc_bind_int(st, 16, e->payable);
	dc_bind_text_ref(st, 17, e->iban);
	dc_bind_text_ref(st, 18, in->format);
	dc_bind_text_ref(st, 19, in->source);
	dc_bind_text_ref(st, 20, in->bytes ? sha : NULL);
	if (in->bytes)
		dc_bind_blob(st, 21, in->bytes, in->len);
	else
		dc_bind_null(st, 21);
	dc_bind_text_ref(st, 22, in->findings ? in->findings : "[]");
	dc_bind_text_ref(st, 23, ctx->actor);
	dc_bind_text_ref(st, 24, now);
	rc = dc_step(ctx, st);
	dc_finish(ctx, st);
	if (rc || (rc = insert_lines(ctx, b->id, e)) ||
	    (rc = event(ctx, "invoice", b->id, "received", NULL, "unmatched", e->number)))
		goto done;
	if (!found) {
		/* kept for `invoice assign`: the caller reports it and exits 3 */
		b->unmatched = 1;
		rc = dc_touched(ctx, b->id, b->id);
		goto done;
	}
	rc = book(ctx, b->id, e, typed, &o, b);
done:
	porder_free(&o);
	free(vendor);
	free(key);
	return rc;
}

/* The configured validator (einvoice.validator) on E's XML, written to a file of its own so
 * that what is checked is what is stored (a PDF's embedded XML, never a name that could be
 * swapped meanwhile).  A fatal finding refuses the invoice (65); the others go into
 * *findings (JSON, caller frees), NULL when no validator is configured. */
static int
validate(struct dc *ctx, const char *name, const struct dc_einv *e, char **findings)
{
	struct dc_einv_finding *f = NULL;
	char *cmd = dc_setting(ctx, "einvoice.validator"), *tmp = NULL;
	const char *dir = getenv("TMPDIR");
	size_t n = 0, i;
	int fd = -1, rc = 0;

	*findings = NULL;
	if (!cmd || !*cmd)
		goto done;
	tmp = dc_printf("%s/dc-einvoice-XXXXXX.xml", dir && *dir ? dir : "/tmp");
	if ((fd = mkstemps(tmp, 4)) < 0) {
		rc = dc_error(ctx, DC_ECANTCREAT, "cannot create '%s': %s", tmp, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto done;
	}
	if (write(fd, e->xml, e->xml_len) != (ssize_t)e->xml_len || close(fd) < 0) {
		fd = -1;
		rc = dc_error(ctx, DC_EIO, "cannot write '%s': %s", tmp, strerror(errno));
		goto done;
	}
	fd = -1;
	if ((rc = dc_einv_validate(ctx, tmp, &f, &n)))
		goto done;
	if (dc_einv_any_fatal(f, n)) {
		for (i = 0; i < n; i++)
			if (!strcmp(f[i].flag, "fatal"))
				dc_warn(ctx, "%s: %s: %s", name,
				        f[i].rule ? f[i].rule : "(no rule)", f[i].text);
		rc = dc_error(ctx, DC_EDATA,
		              "%s: the validator (einvoice.validator) found fatal "
		              "errors; nothing is booked",
		              name);
		goto done;
	}
	{
		json_object *j = dc_einv_findings_json(f, n);

		*findings = dc_strdup(json_object_to_json_string_ext(
		    j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
	}
done:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	dc_einv_findings_free(f, n);
	free(cmd);
	return rc;
}

/* Read and check the file at PATH (named NAME in messages and the record). */
static int
take_file(struct dc *ctx, const char *path, const char *name, const char *po, struct booking *b)
{
	struct dc_einv e = {0};
	unsigned char *bytes = NULL;
	size_t len = 0;
	struct incoming in = {&e, name, NULL, name, NULL, 0, NULL};
	char *findings = NULL;
	int rc;

	if ((rc = read_bytes(ctx, path, &bytes, &len)) ||
	    (rc = dc_einv_read(ctx, name, bytes, len, &e)) || (rc = dc_einv_check(ctx, name, &e)) ||
	    (rc = validate(ctx, name, &e, &findings)))
		goto done;
	in.findings = findings;
	in.format = e.source && strcmp(e.source, "xml") ? "pdf"
	            : e.syntax == DC_EINV_CII           ? "cii"
	                                                : "ubl";
	in.bytes = bytes;
	in.len = len;
	rc = take(ctx, &in, po, b);
done:
	dc_einv_free(&e);
	free(bytes);
	free(findings);
	return rc;
}

/* ---- the verbs ---- */

/* Buyers book invoices; with --accept-extra the head of the ordering department may too (the
 * department is checked in book). */
static int
may_book(struct dc *ctx, int accept_extra)
{
	return dc_require(ctx, accept_extra ? "buyer head" : "buyer", "book invoices");
}

int
dc_procure_invoice_add(struct dc *ctx, const char *po, struct dc_args *a, char id[32],
                       int *unmatched)
{
	const char *file = dc_arg(a, "file"), *number = dc_arg(a, "number");
	struct booking b = {dc_flag(a, "accept-extra"), 0, ""};
	int rc;

	*unmatched = 0;
	if ((rc = may_book(ctx, b.accept_extra)))
		return rc;
	if (!file == !number)
		return dc_error(ctx, DC_EUSAGE,
		                "invoice add needs --file F or --number N --amount "
		                "GROSS");
	if (file && dc_arg(a, "amount"))
		return dc_error(ctx, DC_EUSAGE, "--amount goes with --number, not with --file");
	if (file) {
		const char *base = strrchr(file, '/');

		rc = take_file(ctx, file, base ? base + 1 : file, po, &b);
	} else {
		struct dc_einv e = {0};
		struct incoming in = {&e, "invoice", "manual", NULL, NULL, 0, NULL};

		if (!po)
			return dc_error(ctx, DC_EUSAGE,
			                "a typed invoice (--number) needs the order ID");
		if (!dc_arg(a, "amount"))
			return dc_error(ctx, DC_EUSAGE, "--number N needs --amount GROSS");
		if ((rc = dc_procure_num(ctx, "amount", dc_arg(a, "amount"), "an amount of money",
		                         2, DC_MONEY_MAX, "EUR", &e.tax_inclusive)))
			return rc;
		e.number = (char *)number;
		e.currency = (char *)"EUR";
		rc = take(ctx, &in, po, &b);
	}
	memcpy(id, b.id, 32);
	*unmatched = b.unmatched;
	return rc;
}

int
dc_procure_order_invoice(struct dc *ctx, const char *id, struct dc_args *a)
{
	char inv[32];
	int unmatched;

	if (!dc_arg(a, "number") || !dc_arg(a, "amount"))
		return dc_error(ctx, DC_EUSAGE, "invoice needs --number N and --amount GROSS");
	return dc_procure_invoice_add(ctx, id, a, inv, &unmatched);
}

int
dc_procure_invoice_import(struct dc *ctx, const char *path, const char *name, char id[32],
                          int *unmatched)
{
	struct booking b = {0, 0, ""};
	int rc;

	*unmatched = 0;
	if ((rc = dc_require(ctx, "integrator buyer", "run invoice imports")))
		return rc;
	rc = take_file(ctx, path, name, NULL, &b);
	memcpy(id, b.id, 32);
	*unmatched = b.unmatched;
	return rc;
}

/* One file of dc-import invoices: its own transaction, the invoice printed, the log. */
static int
invoice_one(struct dc *ctx, const char *path, const char *name, char **log)
{
	struct dc_stmt *st = NULL;
	char id[32] = "";
	int rc, unmatched = 0;

	if ((rc = dc_touched_open(ctx)) || (rc = dc_tx_begin(ctx)))
		return rc;
	rc = dc_procure_invoice_import(ctx, path, name, id, &unmatched);
	if ((rc = dc_tx_end(ctx, rc)))
		return rc;
	if (unmatched)
		dc_warn(ctx,
		        "%s: invoice '%s' names no known order: kept as unmatched; book it with "
		        "dc-order invoice assign %s PO",
		        name, id, id);
	/* a dry run rolled it back: nothing to print or log */
	if (ctx->dry_run)
		return 0;
	if ((rc = dc_procure_invoice_list(ctx, id, NULL, &st)))
		return rc;
	if ((rc = dc_step(ctx, st)) == DC_ROW)
		rc = dc_out_stmt(ctx, st);
	dc_finish(ctx, st);
	if (rc || (rc = dc_prepare(ctx, &st,
	                           "SELECT json_object('file', ?2, 'status', status,"
	                           " 'invoice', id, 'order', order_id, 'number', number,"
	                           " 'seller', seller, 'gross', " DC_SQL_MONEY(
	                               "gross") ", 'sha256', sha256, 'at', created_at)"
	                                        " FROM invoice WHERE id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	dc_bind_text_ref(st, 2, name);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		*log = dc_strdup(dc_col_text(st, 0));
		rc = 0;
	}
	dc_finish(ctx, st);
	return rc;
}

int
dc_procure_invoice_spool(struct dc *ctx, const char *dir)
{
	return dc_procure_spool_each(ctx, dir, "integrator buyer", "run invoice imports",
	                             invoice_one);
}

int
dc_procure_invoice_assign(struct dc *ctx, const char *inv, const char *po, int accept_extra)
{
	struct dc_stmt *st = NULL;
	struct dc_einv e = {0};
	struct booking b = {accept_extra, 0, ""};
	struct porder o = {0};
	char *status = NULL, *vat = NULL, *leitweg = NULL, *format = NULL;
	int rc, found;

	if ((rc = may_book(ctx, accept_extra)))
		return rc;
	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT status, type, number, seller_vat_id,"
	                     " buyer_reference, preceding, gross, format"
	                     " FROM invoice WHERE id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, inv);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		status = dc_strdup(dc_col_text(st, 0));
		e.type = dc_strdup(dc_col_text(st, 1));
		e.number = dc_strdup(dc_col_text(st, 2));
		vat = dc_strdup(dc_col_text(st, 3));
		leitweg = dc_strdup(dc_col_text(st, 4));
		e.preceding = dc_strdup(dc_col_text(st, 5));
		e.tax_inclusive = dc_col_int(st, 6);
		format = dc_strdup(dc_col_text(st, 7));
		rc = 0;
	} else if (rc == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no invoice '%s'", inv);
	dc_finish(ctx, st);
	if (rc)
		goto done;
	if (strcmp(status, "unmatched")) {
		rc = dc_error(ctx, DC_ECONFLICT, "invoice '%s' is %s; assign takes unmatched ones",
		              inv, status);
		goto done;
	}
	if ((rc = porder_load(ctx, po, &o, &found)))
		goto done;
	if (!found) {
		rc = dc_error(ctx, DC_ENOTFOUND, "no order '%s'", po);
		goto done;
	}
	memcpy(b.id, inv, strlen(inv) < 32 ? strlen(inv) + 1 : 32);
	if (!(rc = check_leitweg(ctx, inv, leitweg, o.dept)) &&
	    !(rc = check_vat(ctx, inv, vat, o.award)) &&
	    !(rc = dc_exec(ctx, "UPDATE invoice SET vendor = ?2 WHERE id = ?1", 2, inv, o.award)))
		rc = book(ctx, inv, &e, !strcmp(format, "manual"), &o, &b);
done:
	porder_free(&o);
	free(status);
	free(vat);
	free(leitweg);
	free(format);
	dc_einv_free(&e);
	return rc;
}

/* dc-order invoice list's filters */
const struct dc_opt dc_procure_invoice_list_spec[] = {
    {"unmatched", DC_V_FLAG, 0, NULL, NULL, NULL, "i.status = 'unmatched'", DC_NOFIELD},
    {"order", DC_V_TEXT, 0, NULL, "PO", NULL, "i.order_id = ?", DC_NOFIELD},
    {NULL},
};

int
dc_procure_invoice_list(struct dc *ctx, const char *id, struct dc_args *f, struct dc_stmt **st)
{
	int rc;

	/* the integrator too: dc-import invoices prints what it booked */
	if ((rc = dc_require(ctx, "buyer auditor head clerk integrator", "see invoices")))
		return rc;
	return dc_q_list(ctx, st, "SELECT " INVOICE_COLS " FROM invoice i", "i.id = ?", id,
	                 dc_procure_invoice_list_spec, f, " ORDER BY i.id");
}

/* ---- the clerk's view (show -f text|html) ---- */

/* A document as text or as HTML, built line by line. */
struct doc {
	char *s; /* owned */
	int html;
};

static void doc_add(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
doc_add(struct doc *d, const char *fmt, ...)
{
	va_list ap;
	char *piece, *next;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (!(piece = malloc((size_t)n + 1)))
		abort();
	va_start(ap, fmt);
	vsnprintf(piece, (size_t)n + 1, fmt, ap);
	va_end(ap);
	next = dc_printf("%s%s", d->s ? d->s : "", piece);
	free(d->s);
	free(piece);
	d->s = next;
}

/* T as the document writes it: escaped in HTML. */
static void
doc_text(struct doc *d, const char *t)
{
	char *e;

	if (!d->html) {
		doc_add(d, "%s", t ? t : "");
		return;
	}
	e = dc_export_html_escape(t ? t : "");
	doc_add(d, "%s", e);
	free(e);
}

static void
doc_section(struct doc *d, const char *title)
{
	if (d->html) {
		doc_add(d, "<h2>");
		doc_text(d, title);
		doc_add(d, "</h2>\n");
	} else
		doc_add(d, "\n%s\n", title);
}

/* LABEL: VALUE, left out when VALUE is not given. */
static void
doc_kv(struct doc *d, const char *label, const char *value)
{
	if (!value || !*value)
		return;
	if (d->html) {
		doc_add(d, "<tr><th>");
		doc_text(d, label);
		doc_add(d, "</th><td>");
		doc_text(d, value);
		doc_add(d, "</td></tr>\n");
	} else {
		/* padded by characters, not bytes: "Währung" is 7 wide */
		int w = 0;

		for (const char *p = label; *p; p++)
			w += (*p & 0xC0) != 0x80;
		doc_add(d, "   %s%*s%s\n", label, w < 24 ? 24 - w : 0, "", value);
	}
}

static void
doc_kv_open(struct doc *d)
{
	if (d->html)
		doc_add(d, "<table class=\"kv\">\n");
}

static void
doc_kv_close(struct doc *d)
{
	if (d->html)
		doc_add(d, "</table>\n");
}

/* A row of N cells; HEAD: the header row.  Text: columns of WIDTH (negative: right-aligned). */
static void
doc_row(struct doc *d, const char *const *cells, const int *width, int n, int head)
{
	int i;

	if (d->html) {
		doc_add(d, "<tr>");
		for (i = 0; i < n; i++) {
			doc_add(d, head ? "<th>" : width[i] < 0 ? "<td class=\"num\">" : "<td>");
			doc_text(d, cells[i]);
			doc_add(d, head ? "</th>" : "</td>");
		}
		doc_add(d, "</tr>\n");
		return;
	}
	doc_add(d, "  ");
	for (i = 0; i < n; i++)
		doc_add(d, " %*s", -width[i], cells[i] ? cells[i] : "");
	doc_add(d, "\n");
}

static void
de_money(long long cents, char buf[32])
{
	dc_num_fmt(cents, 2, 2, ',', buf);
}

static const char *
type_name(const char *type)
{
	return !strcmp(type, "381")   ? "Gutschrift"
	       : !strcmp(type, "384") ? "Korrigierte Rechnung"
	                              : "Rechnung";
}

static const char *
status_name(const char *status)
{
	return !strcmp(status, "booked")     ? "gebucht"
	       : !strcmp(status, "replaced") ? "ersetzt"
	                                     : "keiner Bestellung zugeordnet";
}

static void
doc_party(struct doc *d, const char *title, const struct dc_einv_party *p)
{
	char *place = dc_printf("%s%s%s%s%s", p->postcode ? p->postcode : "",
	                        p->postcode && p->city ? " " : "", p->city ? p->city : "",
	                        p->country ? ", " : "", p->country ? p->country : "");

	doc_section(d, title);
	doc_kv_open(d);
	doc_kv(d, "Name", p->name);
	doc_kv(d, "Straße", p->street);
	doc_kv(d, "Ort", place);
	doc_kv(d, "USt-IdNr.", p->vat_id);
	doc_kv(d, "Steuernummer", p->tax_id);
	doc_kv(d, "Kennung", p->id);
	doc_kv(d, "Kontakt", p->contact);
	doc_kv(d, "E-Mail", p->email);
	doc_kv_close(d);
	free(place);
}

/* The invoice's lines, read from the file when it has one, else as stored. */
static void
doc_lines(struct doc *d, const struct dc_einv *e)
{
	static const char *const head[] = {"Pos.",    "Art.-Nr.",    "Bezeichnung",  "Menge",
	                                   "Einheit", "Preis netto", "Betrag netto", "USt %"};
	static const int width[] = {5, 12, 30, -9, 7, -12, -13, -6};
	size_t i;

	doc_section(d, "Positionen");
	if (d->html)
		doc_add(d, "<table class=\"lines\">\n");
	doc_row(d, head, width, 8, 1);
	for (i = 0; i < e->nlines; i++) {
		const struct dc_einv_line *l = &e->lines[i];
		char q[32], p[32], n[32], v[16];
		const char *cells[8];

		snprintf(q, sizeof q, "%g", l->quantity);
		dc_num_fmt(l->price, 4, 2, ',', p);
		de_money(l->net, n);
		if (isnan(l->vat_rate))
			v[0] = '\0';
		else
			snprintf(v, sizeof v, "%g", l->vat_rate);
		cells[0] = l->id, cells[1] = l->seller_item, cells[2] = l->name, cells[3] = q;
		cells[4] = l->unit, cells[5] = p, cells[6] = n, cells[7] = v;
		doc_row(d, cells, width, 8, 0);
	}
	if (d->html)
		doc_add(d, "</table>\n");
}

static void
doc_vats(struct doc *d, const struct dc_einv *e)
{
	static const char *const head[] = {"Kategorie", "Satz %", "Bemessungsgrundlage", "Steuer",
	                                   "Befreiungsgrund"};
	static const int width[] = {9, -7, -20, -12, 20};
	size_t i;

	if (!e->nvats)
		return;
	doc_section(d, "Umsatzsteuer");
	if (d->html)
		doc_add(d, "<table class=\"vat\">\n");
	doc_row(d, head, width, 5, 1);
	for (i = 0; i < e->nvats; i++) {
		const struct dc_einv_vat *v = &e->vats[i];
		char r[16], b[32], a[32];
		const char *cells[5];

		if (isnan(v->rate))
			r[0] = '\0';
		else
			snprintf(r, sizeof r, "%g", v->rate);
		de_money(v->base, b);
		de_money(v->amount, a);
		cells[0] = v->category, cells[1] = r, cells[2] = b, cells[3] = a;
		cells[4] = v->exemption;
		doc_row(d, cells, width, 5, 0);
	}
	if (d->html)
		doc_add(d, "</table>\n");
}

static void
doc_totals(struct doc *d, const struct dc_einv *e, int full)
{
	struct {
		const char *label;
		long long v;
		int always;
	} t[] = {{"Summe Positionen netto", e->line_total, 1},
	         {"Nachlässe", e->allowance_total, 0},
	         {"Zuschläge", e->charge_total, 0},
	         {"Gesamtbetrag netto", e->tax_exclusive, 1},
	         {"Umsatzsteuer", e->tax_total, 1},
	         {"Gesamtbetrag brutto", e->tax_inclusive, 1},
	         {"Bereits gezahlt", e->prepaid, 0},
	         {"Rundung", e->rounding, 0},
	         {"Zahlbetrag", e->payable, 1}};
	size_t i;

	doc_section(d, "Summen");
	doc_kv_open(d);
	for (i = 0; i < sizeof t / sizeof *t; i++) {
		char m[32], *v;

		if (!full && strcmp(t[i].label, "Gesamtbetrag brutto"))
			continue;
		if (!t[i].always && !t[i].v)
			continue;
		de_money(t[i].v, m);
		v = dc_printf("%s %s", m, e->currency ? e->currency : "EUR");
		doc_kv(d, t[i].label, v);
		free(v);
	}
	doc_kv_close(d);
}

int
dc_procure_invoice_render(struct dc *ctx, const char *id, int html, char **out)
{
	struct dc_stmt *st = NULL;
	struct dc_einv e = {0};
	struct doc d = {NULL, html};
	char *status = NULL, *order = NULL, *type = NULL, *source = NULL, *sha = NULL;
	char *replaces = NULL, *findings = NULL, *title;
	int rc, from_file = 0;

	*out = NULL;
	if ((rc = dc_require(ctx, "buyer auditor head clerk", "see invoices")) ||
	    (rc = dc_prepare(ctx, &st,
	                     "SELECT status, order_id, type, number, issue_date, currency,"
	                     " seller_name, seller_vat_id, buyer_reference, gross,"
	                     " source, sha256, file, replaces, findings, iban"
	                     " FROM invoice WHERE id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		size_t len;
		const void *bytes = dc_col_blob(st, 12, &len);

		rc = 0;
		status = dc_strdup(dc_col_text(st, 0));
		order = dc_strdup(dc_col_text(st, 1));
		type = dc_strdup(dc_col_text(st, 2));
		source = dc_strdup(dc_col_text(st, 10));
		sha = dc_strdup(dc_col_text(st, 11));
		replaces = dc_strdup(dc_col_text(st, 13));
		findings = dc_strdup(dc_col_text(st, 14));
		/* the evidence itself, read again: everything the file says, not only what is
		 * stored in columns */
		if (bytes && !(rc = dc_einv_read(ctx, source ? source : id, bytes, len, &e)))
			from_file = 1;
		else if (!bytes) {
			e.number = dc_strdup(dc_col_text(st, 3));
			e.issue_date = dc_strdup(dc_col_text(st, 4));
			e.currency = dc_strdup(dc_col_text(st, 5));
			e.seller.name = dc_strdup(dc_col_text(st, 6));
			e.seller.vat_id = dc_strdup(dc_col_text(st, 7));
			e.buyer_reference = dc_strdup(dc_col_text(st, 8));
			e.tax_inclusive = dc_col_int(st, 9);
			e.iban = dc_strdup(dc_col_text(st, 15));
		}
	} else if (rc == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no invoice '%s'", id);
	dc_finish(ctx, st);
	if (rc)
		goto done;
	title = dc_printf("%s %s", type_name(type), e.number ? e.number : "");
	if (html) {
		doc_add(&d,
		        "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n"
		        "<title>");
		doc_text(&d, title);
		doc_add(&d, "</title>\n<style>body{font-family:sans-serif;margin:2em}"
		            "table{border-collapse:collapse;margin-bottom:1em}"
		            "th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left}"
		            "td.num{text-align:right}</style>\n</head>\n<body>\n<h1>");
		doc_text(&d, title);
		doc_add(&d, "</h1>\n");
	} else
		doc_add(&d, "%s\n", title);
	free(title);
	doc_kv_open(&d);
	doc_kv(&d, "Beleg", id);
	doc_kv(&d, "Status", status_name(status));
	doc_kv(&d, "Bestellung", order);
	doc_kv(&d, "Rechnungsnummer", e.number);
	doc_kv(&d, "Rechnungsart", type);
	doc_kv(&d, "Rechnungsdatum", e.issue_date);
	doc_kv(&d, "Fällig am", e.due_date);
	doc_kv(&d, "Leitweg-ID", e.buyer_reference);
	doc_kv(&d, "Bestellreferenz", e.order_reference);
	doc_kv(&d, "Bezieht sich auf", e.preceding);
	doc_kv(&d, "Ersetzt", replaces);
	doc_kv(&d, "Währung", e.currency);
	doc_kv_close(&d);
	doc_party(&d, "Verkäufer", &e.seller);
	if (from_file) {
		doc_party(&d, "Käufer", &e.buyer);
		doc_lines(&d, &e);
		doc_vats(&d, &e);
	}
	doc_totals(&d, &e, from_file);
	doc_section(&d, "Zahlung");
	doc_kv_open(&d);
	doc_kv(&d, "IBAN", e.iban);
	doc_kv(&d, "Zahlungsbedingungen", e.payment_terms);
	doc_kv_close(&d);
	doc_section(&d, "Beleg");
	doc_kv_open(&d);
	doc_kv(&d, "Datei", source);
	doc_kv(&d, "SHA-256", sha);
	doc_kv(&d, "Prüfhinweise", findings && strcmp(findings, "[]") ? findings : NULL);
	doc_kv_close(&d);
	if (html)
		doc_add(&d, "</body>\n</html>\n");
	*out = d.s;
	d.s = NULL;
done:
	free(d.s);
	dc_einv_free(&e);
	free(status);
	free(order);
	free(type);
	free(source);
	free(sha);
	free(replaces);
	free(findings);
	return rc;
}
