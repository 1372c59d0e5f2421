/* Procurement: vendors, catalogs (CSV, JSON, BMEcat), rules, budgets, orders (dc-order(1)). */
#ifndef DC_PROCURE_H
#define DC_PROCURE_H

#include "core/dc.h"

extern const struct dc_rectype dc_rt_vendor, dc_rt_item, dc_rt_item_hit, dc_rt_item_show,
    dc_rt_import;

/* vendors */
/* vendor add's operand and options (a record's fields) */
extern const struct dc_opt dc_procure_vendor_add_spec[];
int dc_procure_vendor_add(struct dc *ctx, struct dc_args *rec, void *unused);
int dc_procure_vendor_set(struct dc *ctx, const char *id, struct dc_args *a);
/* A vendor's header names ("Art.Nr.=sku, VK = price") checked, and as they are stored
 * ("Art.Nr.=sku,VK=price") in *norm (caller frees). */
int dc_procure_columns_check(struct dc *ctx, const char *given, char **norm);
/* The Leitweg-ID that DEPT's orders go out with (order mail, openTRANS): the department's
 * (dc-assign dept set --leitweg-id), else the city's procurement.leitweg_id; NULL when
 * neither is set.  Caller frees. */
char *dc_procure_leitweg(struct dc *ctx, const char *dept);
int dc_procure_vendor_list(struct dc *ctx, const char *id, struct dc_stmt **st);

/* catalogs */
/* A unit price a reader gives as a JSON number with at most four decimals, as stored (in
 * 1/10000 EUR, schema 9): exact, since ×10000 is a whole number. */
#define DC_PRICE_STORE_SQL(x) "CAST(round((" x ") * 10000) AS INTEGER)"

struct dc_catalog_opts {
	const char *vendor;   /* --vendor, else from the file name or the BMEcat header */
	const char *format;   /* -i: csv, json, jsonl, bmecat; NULL = detect */
	const char *mode;     /* full or update; NULL = full, BMEcat updates: update */
	const char *commit;   /* dc-import git: the commit the file comes from */
	const char *source;   /* the file's name in messages and the import record; NULL = path */
};
/* Import one catalog file and print its summary record; *import_id (if not NULL) gets the
 * catalog_import row, 0 when nothing was imported.  All or nothing, but not one transaction:
 * the new catalog is written beside the old one in short transactions and made current in
 * one (schema 13), so that other writers never wait long. */
int dc_procure_catalog_import(struct dc *ctx, const char *path, const struct dc_catalog_opts *o,
                              long *import_id);
/* What unfinished catalog imports left (dc check): imports whose process is gone (staged),
 * imports still running, versions replaced by a finished import and not yet deleted.  With
 * CLEAN, the first and the last are removed.  VENDOR NULL: every vendor. */
struct dc_catalog_leftovers {
	long staged, running;
	long long retired;
};
int dc_procure_catalog_leftovers(struct dc *ctx, const char *vendor, int clean,
                                 struct dc_catalog_leftovers *l);
/* dc-import: the spool folder and git repository batch jobs. */
int dc_procure_spool(struct dc *ctx, const char *dir);
/* What a spool job does with one file, read through PATH (a descriptor's /proc path) and
 * named NAME: 0 with *log (caller frees; NULL: "{}") the JSON log kept beside it in done/,
 * or an error, which moves it to failed/ with the error's log. */
typedef int (*dc_spool_fn)(struct dc *ctx, const char *path, const char *name, char **log);
/* DIR/incoming/'s files in name order, each through FN, under the spool's lock, by ROLES
 * (WHAT names the act in a refusal); symlinks and other non-files fail. */
int dc_procure_spool_each(struct dc *ctx, const char *dir, const char *roles, const char *what,
                          dc_spool_fn fn);
struct dc_git_opts {
	const char *ref;  /* default HEAD */
	const char *path; /* only files below this folder of the repository */
};
int dc_procure_git(struct dc *ctx, const char *repo, const struct dc_git_opts *o);
int dc_procure_catalog_search(struct dc *ctx, const char *text, struct dc_args *f,
                              struct dc_stmt **st);
int dc_procure_catalog_show(struct dc *ctx, const char *ref, struct dc_stmt **st);

/* rules */
extern const struct dc_rectype dc_rt_rule, dc_rt_band;
struct dc_profile {
	char *name;       /* "by"; owned */
	char *version;    /* "by@3f2a9c1b7d10": name and the head of the body's SHA-256; owned */
	int imported;     /* from dc-order rules import, else built in */
	json_object *json; /* the profile document; owned */
};
struct dc_band {
	char *procedure;   /* direct, negotiated, tender, eu; owned */
	char *legal_basis; /* owned */
	char *category;    /* the rows' category that applied ("*" or e.g. "works"); owned */
	char valid_from[11], valid_to[11];
	long long up_to;   /* cents, -1 = no upper limit */
	int min_quotes;
};
/* name NULL: the procurement.profile setting */
int dc_procure_profile_load(struct dc *ctx, const char *name, struct dc_profile *p);
void dc_procure_profile_free(struct dc_profile *p);
int dc_procure_band(struct dc *ctx, const struct dc_profile *p, long long net,
                    const char *category, const char *date, struct dc_band *b);
void dc_band_free(struct dc_band *b);
int dc_procure_rank(const char *procedure); /* direct 0 < negotiated < tender < eu 3 */
/* The split rule (§ 3 Abs. 2 VgV): *others is the net sum of DEPT's other orders (not
 * cancelled, not EXCEPT) of CATEGORY in budget YEAR; *suspect is 1 when NET with them falls
 * into a higher band than BAND, NET's own.  0 or an error code. */
int dc_procure_split_suspect(struct dc *ctx, const struct dc_profile *p, const char *dept,
                             long year, const char *category, const char *except, long long net,
                             const char *band, const char *date, long long *others,
                             int *suspect);
int dc_procure_rules_import(struct dc *ctx, const char *path);

/* budgets, frameworks, orders */
/* V, not negative, as a whole number of 10^-SCALE units up to MAX, written as the record
 * being applied writes numbers (ctx->reading); CURRENCY: the currency whose marks it may
 * carry, or NULL.  Money is SCALE 2 up to DC_MONEY_MAX, a unit price 4 up to DC_PRICE_MAX
 * (so BMEcat's computed prices go in as their ten-thousandths), a quantity 3 up to
 * DC_QTY_MAX * 1000.  Else a data error naming FIELD and saying it is not WHAT. */
int dc_procure_num(struct dc *ctx, const char *field, const char *v, const char *what, int scale,
                   long long max, const char *currency, long long *out);
extern const struct dc_rectype dc_rt_order, dc_rt_order_event, dc_rt_budget, dc_rt_framework;
/* budget add's, framework add's and new's operand and options (a record's fields) */
extern const struct dc_opt dc_procure_budget_add_spec[], dc_procure_framework_add_spec[],
    dc_procure_order_new_spec[];
int dc_procure_budget_add(struct dc *ctx, struct dc_args *rec, void *unused);
int dc_procure_budget_list(struct dc *ctx, const char *id, const char *dept, const char *year,
                           struct dc_stmt **st);
int dc_procure_framework_add(struct dc *ctx, struct dc_args *rec, void *unused);
int dc_procure_framework_list(struct dc *ctx, const char *id, struct dc_stmt **st);
int dc_procure_order_new(struct dc *ctx, struct dc_args *rec, void *unused);
int dc_procure_order_quote(struct dc *ctx, const char *id, struct dc_args *a);
int dc_procure_order_award(struct dc *ctx, const char *id, struct dc_args *a);
int dc_procure_order_approve(struct dc *ctx, const char *id, struct dc_args *a);
int dc_procure_order_place(struct dc *ctx, const char *id, struct dc_args *a);
int dc_procure_order_receive(struct dc *ctx, const char *id, struct dc_args *a);
int dc_procure_order_invoice(struct dc *ctx, const char *id, struct dc_args *a);
int dc_procure_order_cancel(struct dc *ctx, const char *id, struct dc_args *a);
/* dc-order list's filters; dc_procure_order_list checks them (dc-export orders uses it too). */
extern const struct dc_opt dc_procure_order_list_spec[];
int dc_procure_order_list(struct dc *ctx, const char *id, struct dc_args *f, struct dc_stmt **st);
int dc_procure_order_events(struct dc *ctx, const char *id, struct dc_stmt **st);
/* invoices (lib/procure/invoice.c) */
extern const struct dc_rectype dc_rt_invoice;
extern const struct dc_opt dc_procure_invoice_list_spec[];
/* invoice add [PO] (--file F | --number N --amount GROSS) [--accept-extra]: the new invoice
 * in ID; *unmatched when it was kept without an order (the caller exits 3 after the commit).
 * Touches the order with the invoice as the extra value, or the unmatched invoice. */
int dc_procure_invoice_add(struct dc *ctx, const char *po, struct dc_args *a, char id[32],
                           int *unmatched);
/* dc-import invoices: the file at PATH, named NAME in messages and the record. */
int dc_procure_invoice_import(struct dc *ctx, const char *path, const char *name, char id[32],
                              int *unmatched);
int dc_procure_invoice_assign(struct dc *ctx, const char *inv, const char *po,
                              int accept_extra);
int dc_procure_invoice_list(struct dc *ctx, const char *id, struct dc_args *f,
                            struct dc_stmt **st);
/* The invoice for the clerk's eyes, in German, as text or an HTML page (caller frees). */
int dc_procure_invoice_render(struct dc *ctx, const char *id, int html, char **out);
/* dc-import invoices DIR: the spool of invoice files. */
int dc_procure_invoice_spool(struct dc *ctx, const char *dir);

/* The Vergabevermerk as text (caller frees). */
int dc_procure_order_record(struct dc *ctx, const char *id, char **out);
/* Order ID as an openTRANS 2.1 ORDER dated DATE (YYYY-MM-DD), in *xml (caller frees); exit 3
 * for a unit without a code, a line without a price or an order without an award. */
int dc_procure_opentrans_build(struct dc *ctx, const char *id, const char *date, char **xml);
/* dc-order show -f opentrans: the ORDER place sent, or for an approved order the one it would
 * send today; 3 for any other order. */
int dc_procure_order_opentrans(struct dc *ctx, const char *id, char **xml);

/* units (dc-order(1) UNITS) */
/* UNIT's UN/ECE Recommendation 20 code as EN 16931 lists them ("Stk", "St." → "C62", "m²" →
 * "MTK", "Pck" → "XPK", "kgm" → "KGM"): case, spaces and dots do not matter; a code gives
 * itself.  A static string, or NULL for a unit the table does not know. */
const char *dc_unit_rec20(const char *unit);
/* CODE (from dc_unit_rec20) as BMEcat 2005's ORDER_UNIT has it ("XPK" → "PK", "H87" → "C62",
 * "KMT" → "KTM"); NULL for another code. */
const char *dc_unit_bmecat(const char *code);
/* 1 when units A and B are known and mean the same (H87, C62 and EA are all a piece). */
int dc_unit_same(const char *a, const char *b);

#endif
