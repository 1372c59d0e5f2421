/* Unit tests of lib/procure/bmecat: the reference samples, vendor quirks, hostile files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/dc.h"
#include "procure/bmecat.h"

#define REF "tests/fixtures/bmecat-ref/" /* olivere/bmecat's samples */
#define FIX "tests/fixtures/"
#define MAX_ITEMS 16

/* What one read delivered: copies of the items and their lines. */
struct got {
	struct dc_args item[MAX_ITEMS]; /* owned copies */
	long line[MAX_ITEMS];
	int n;
	int stop_after; /* non-zero: return 99 from this item on */
};

static int
collect(struct dc *ctx, struct dc_args *item, long line, void *arg)
{
	struct got *g = arg;
	int i;

	assert_true(g->n < MAX_ITEMS);
	for (i = 0; i < item->n; i++)
		dc_args_add(&g->item[g->n], item->keys[i], item->vals[i]);
	g->line[g->n++] = line;
	return g->stop_after && g->n >= g->stop_after ? 99 : 0;
}

static void
got_free(struct got *g)
{
	int i;

	for (i = 0; i < g->n; i++)
		dc_args_free(&g->item[i]);
	memset(g, 0, sizeof *g);
}

/* Read PATH into g and hdr with a fresh context; returns the status, message in errmsg. */
static int
read_file(const char *path, struct dc_bmecat_header *hdr, struct got *g, char *errmsg)
{
	struct dc ctx;
	int rc;

	dc_init(&ctx, "test");
	rc = dc_bmecat_read(&ctx, path, hdr, collect, g);
	snprintf(errmsg, 1024, "%s", ctx.errmsg);
	dc_free(&ctx);
	return rc;
}

static void
assert_field(const struct dc_args *a, const char *key, const char *want)
{
	const char *v = dc_arg(a, key);

	if (!want) {
		if (v)
			fail_msg("field '%s' is '%s', expected absent", key, v);
		return;
	}
	if (!v)
		fail_msg("field '%s' absent, expected '%s'", key, want);
	assert_string_equal(v, want);
}

static void
assert_no_passwd(const struct got *g)
{
	int i, j;

	for (i = 0; i < g->n; i++)
		for (j = 0; j < g->item[i].n; j++)
			assert_null(strstr(g->item[i].vals[j], "root:"));
}

/* The sample item all four reference files share (MacBook, two net_customer tiers). */
static void
assert_sample_item(const struct dc_args *a, const char *mode)
{
	assert_field(a, "sku", "1000");
	assert_field(a, "mode", mode);
	assert_field(a, "price", "1499.5");
	assert_field(a, "price_type", "net_customer");
	assert_field(a, "currency", "EUR");
	assert_field(a, "vat", "19");
	assert_field(a, "price_factor", "1");
	assert_field(a, "valid_from", "2001-01-01");
	assert_field(a, "valid_until", "2001-07-31");
	assert_int_equal(dc_arg_count(a, "tier"), 2);
	assert_string_equal(dc_arg_nth(a, "tier", 0), "1=1499.5");
	assert_string_equal(dc_arg_nth(a, "tier", 1), "100=1300.9");
}

static void
assert_sample_details(const struct dc_args *a)
{
	assert_field(a, "name", "Apple MacBook Pro 13\"");
	assert_field(a, "description", "Das Kraftpaket unter den Notebooks.");
	assert_field(a, "gtin", "8712670911213");
	assert_field(a, "manufacturer", "Microsoft");
	assert_field(a, "manufacturer_pid", "MPN");
	assert_field(a, "unit", "BOX");
	assert_field(a, "content_unit", "PCE");
	assert_field(a, "min_qty", "1");
	assert_field(a, "category", "19010203");
	assert_int_equal(dc_arg_count(a, "keywords"), 2);
	assert_string_equal(dc_arg_nth(a, "keywords", 0), "Notebook");
	assert_string_equal(dc_arg_nth(a, "keywords", 1), "Hardware");
}

static void
assert_sample_header(const struct dc_bmecat_header *h, const char *version, const char *t,
                     const char *tid)
{
	assert_string_equal(h->version, version);
	assert_string_equal(h->transaction, t);
	if (tid)
		assert_string_equal(h->transaction_id, tid);
	else
		assert_null(h->transaction_id);
	assert_string_equal(h->supplier_id, "SUPPLYCO");
	assert_string_equal(h->supplier_name, "SupplyCo Ltd.");
	assert_string_equal(h->catalog_id, "CAT1");
	assert_string_equal(h->catalog_version, "1.0");
	assert_string_equal(h->catalog_name, "Katalogbezeichnung");
	assert_string_equal(h->currency, "EUR");
}

static void
test_ref_12_new(void **state)
{
	struct dc_bmecat_header h;
	struct got g = {0};
	char msg[1024];

	assert_int_equal(read_file(REF "bmecat12-new_catalog.xml", &h, &g, msg), 0);
	assert_sample_header(&h, "1.2", "T_NEW_CATALOG", NULL);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.line[0], 90);
	assert_sample_item(&g.item[0], "new");
	assert_sample_details(&g.item[0]);
	dc_bmecat_header_free(&h);
	got_free(&g);
}

static void
test_ref_12_prices(void **state)
{
	struct dc_bmecat_header h;
	struct got g = {0};
	char msg[1024];

	assert_int_equal(read_file(REF "bmecat12-update_prices.xml", &h, &g, msg), 0);
	assert_sample_header(&h, "1.2", "T_UPDATE_PRICES", "42");
	assert_int_equal(g.n, 1);
	assert_sample_item(&g.item[0], "update");
	assert_field(&g.item[0], "name", NULL);
	dc_bmecat_header_free(&h);
	got_free(&g);
}

static void
test_ref_12_products(void **state)
{
	struct dc_bmecat_header h;
	struct got g = {0};
	char msg[1024];

	assert_int_equal(read_file(REF "bmecat12-update_products.xml", &h, &g, msg), 0);
	assert_sample_header(&h, "1.2", "T_UPDATE_PRODUCTS", "13");
	assert_int_equal(g.n, 2);
	assert_sample_item(&g.item[0], "update");
	assert_sample_details(&g.item[0]);
	assert_field(&g.item[1], "sku", "2000");
	assert_field(&g.item[1], "mode", "delete");
	assert_field(&g.item[1], "price", NULL);
	dc_bmecat_header_free(&h);
	got_free(&g);
}

static void
test_ref_2005_new(void **state)
{
	struct dc_bmecat_header h;
	struct got g = {0};
	char msg[1024];

	assert_int_equal(read_file(REF "bmecat2005-new_catalog.xml", &h, &g, msg), 0);
	assert_sample_header(&h, "2005", "T_NEW_CATALOG", NULL);
	assert_int_equal(g.n, 1);
	assert_sample_item(&g.item[0], "new");
	assert_sample_details(&g.item[0]);
	dc_bmecat_header_free(&h);
	got_free(&g);
}

static void
check_2005_catalog(const char *path)
{
	struct dc_bmecat_header h;
	struct got g = {0};
	char msg[1024];
	const struct dc_args *a;

	assert_int_equal(read_file(path, &h, &g, msg), 0);
	assert_string_equal(h.version, "2005");
	assert_string_equal(h.transaction, "T_NEW_CATALOG");
	assert_string_equal(h.supplier_id, "314159265");
	assert_string_equal(h.supplier_name, "Müller & Söhne Bürobedarf GmbH");
	assert_string_equal(h.catalog_id, "BUERO-2026");
	assert_string_equal(h.catalog_version, "7.2");
	assert_string_equal(h.catalog_name, "Bürobedarf Frühjahr 2026"); /* first language */
	assert_string_equal(h.currency, "EUR");
	assert_int_equal(g.n, 6);

	a = &g.item[0]; /* net_customer preferred over net_list, three tiers */
	assert_int_equal(g.line[0], 32);
	assert_field(a, "sku", "KP-A4-80"); /* trimmed */
	assert_field(a, "mode", "new");
	assert_field(a, "name", "Kopierpapier A4, 80 g/m², weiß");
	assert_field(a, "description",
	             "<p>Hochweißes <b>Kopierpapier</b> für Laser &amp; Inkjet.</p>");
	assert_field(a, "gtin", "4006381333931");
	assert_field(a, "manufacturer", "Papierfabrik Größenbach");
	assert_field(a, "manufacturer_pid", "MP-80-A4");
	assert_field(a, "unit", "PK");
	assert_field(a, "content_unit", "BL");
	assert_field(a, "min_qty", "1");
	assert_field(a, "quantity_interval", "1");
	/* the group map (by name) wins over the feature reference */
	assert_field(a, "category", "Papier");
	assert_int_equal(dc_arg_count(a, "keywords"), 3);
	assert_string_equal(dc_arg_nth(a, "keywords", 2), "Drucker");
	assert_field(a, "price", "3.95");
	assert_field(a, "price_type", "net_customer");
	assert_field(a, "currency", "EUR");
	assert_field(a, "vat", "19");
	assert_field(a, "price_factor", "1");
	assert_field(a, "valid_from", "2026-03-01");
	assert_field(a, "valid_until", "2026-12-31");
	assert_int_equal(dc_arg_count(a, "tier"), 3);
	assert_string_equal(dc_arg_nth(a, "tier", 0), "1=3.95");
	assert_string_equal(dc_arg_nth(a, "tier", 1), "10=3.6");
	assert_string_equal(dc_arg_nth(a, "tier", 2), "100=3.2");

	a = &g.item[1]; /* net_list only, tiers from 10, header currency, ean as gtin */
	assert_field(a, "sku", "KUL-BLAU");
	assert_field(a, "name", "Kugelschreiber „Größe M“, blau");
	assert_field(a, "gtin", "4012700123456");
	assert_field(a, "price", "0.45");
	assert_field(a, "price_type", "net_list");
	assert_field(a, "currency", "EUR");
	assert_field(a, "min_qty", "10");
	assert_field(a, "quantity_interval", "10");
	assert_int_equal(dc_arg_count(a, "tier"), 2);
	assert_string_equal(dc_arg_nth(a, "tier", 0), "10=0.45");
	assert_string_equal(dc_arg_nth(a, "tier", 1), "100=0.38");
	assert_field(a, "category", NULL);
	assert_field(a, "valid_from", NULL);

	a = &g.item[2]; /* only another price type; no LOWER_BOUND means 1 */
	assert_field(a, "description", "Stabiler Ordner\n          mit Griffloch");
	assert_field(a, "price", "2.3445"); /* gros_list 2.79 made net with TAX 0.19 */
	assert_field(a, "price_type", "gros_list");
	assert_field(a, "currency", "CHF");
	assert_string_equal(dc_arg_nth(a, "tier", 0), "1=2.3445");

	a = &g.item[3]; /* price on request */
	assert_field(a, "sku", "SCHRANK-XL");
	assert_field(a, "price", NULL);
	assert_field(a, "price_type", NULL);
	assert_field(a, "vat", NULL);
	assert_field(a, "currency", NULL);
	assert_int_equal(dc_arg_count(a, "tier"), 0);
	assert_field(a, "description", "Preis auf Anfrage – Lieferung frei Verwendungsstelle.");

	a = &g.item[4]; /* reduced VAT, open-ended validity */
	assert_field(a, "price", "38");
	assert_field(a, "vat", "7");
	assert_field(a, "valid_from", "2026-01-01");
	assert_field(a, "valid_until", NULL);

	a = &g.item[5]; /* markup in a value, TAX given as percent, second details block ignored */
	assert_field(a, "name", "Heftgerät „Duo“ mit Klammern");
	assert_field(a, "gtin", NULL); /* type upc */
	assert_field(a, "price", "12.5");
	assert_field(a, "vat", "19");
	assert_field(a, "valid_from", NULL);
	assert_int_equal(dc_arg_count(a, "tier"), 1);
	dc_bmecat_header_free(&h);
	got_free(&g);
}

static void
test_2005_catalog(void **state)
{
	check_2005_catalog(FIX "bmecat-2005-catalog.xml");
}

static void
test_2005_prefixed(void **state)
{
	check_2005_catalog(FIX "bmecat-2005-prefixed.xml");
}

static void
test_12_update_products(void **state)
{
	struct dc_bmecat_header h;
	struct got g = {0};
	char msg[1024];

	/* ISO-8859-1 file: values arrive as UTF-8 */
	assert_int_equal(read_file(FIX "bmecat-12-update-products.xml", &h, &g, msg), 0);
	assert_string_equal(h.version, "1.2");
	assert_string_equal(h.transaction, "T_UPDATE_PRODUCTS");
	assert_string_equal(h.transaction_id, "7");
	assert_string_equal(h.supplier_name, "Müller & Söhne Bürobedarf GmbH");
	assert_string_equal(h.catalog_name, "Bürobedarf Frühjahr 2026");
	assert_int_equal(g.n, 3);
	assert_field(&g.item[0], "sku", "LOCH-2");
	assert_field(&g.item[0], "mode", "new");
	assert_field(&g.item[0], "name", "Locher für 2 Löcher, 30 Blatt");
	assert_field(&g.item[0], "gtin", "4006381444446");
	assert_field(&g.item[0], "manufacturer_pid", "L-30");
	assert_field(&g.item[0], "quantity_interval", "2");
	assert_field(&g.item[0], "price", "7.4");
	assert_field(&g.item[1], "sku", "KP-A4-80");
	assert_field(&g.item[1], "mode", "update");
	assert_field(&g.item[1], "name", "Kopierpapier A4, 80 g/m², weiß (neue Rezeptur)");
	assert_field(&g.item[1], "category", "24320401");
	assert_field(&g.item[1], "price", "3.85");
	assert_field(&g.item[1], "currency", "EUR");
	assert_string_equal(dc_arg_nth(&g.item[1], "tier", 0), "1=3.85");
	assert_field(&g.item[2], "sku", "SCHRANK-XL");
	assert_field(&g.item[2], "mode", "delete");
	assert_int_equal(g.item[2].n, 2);
	dc_bmecat_header_free(&h);
	got_free(&g);
}

static void
test_12_update_prices(void **state)
{
	struct dc_bmecat_header h;
	struct got g = {0};
	char msg[1024];

	assert_int_equal(read_file(FIX "bmecat-12-update-prices.xml", &h, &g, msg), 0);
	assert_string_equal(h.transaction, "T_UPDATE_PRICES");
	assert_string_equal(h.transaction_id, "8");
	assert_null(h.catalog_name);
	assert_int_equal(g.n, 2);
	assert_field(&g.item[0], "sku", "KP-A4-80");
	assert_field(&g.item[0], "mode", "update");
	assert_field(&g.item[0], "price", "4.1");
	assert_field(&g.item[0], "valid_from", "2026-07-01");
	assert_int_equal(dc_arg_count(&g.item[0], "tier"), 2);
	assert_string_equal(dc_arg_nth(&g.item[0], "tier", 1), "10=3.7");
	assert_field(&g.item[1], "sku", "BUCH-DIN");
	assert_field(&g.item[1], "mode", "update");
	assert_field(&g.item[1], "price", "39.5");
	assert_field(&g.item[1], "vat", "7");
	dc_bmecat_header_free(&h);
	got_free(&g);
}

static void
test_12_catalog_map(void **state)
{
	struct dc_bmecat_header h;
	struct got g = {0};
	char msg[1024];

	assert_int_equal(read_file(FIX "bmecat-12-catalog.xml", &h, &g, msg), 0);
	assert_null(h.transaction_id);
	assert_int_equal(g.n, 2);
	/* net_list over gros_list; the smallest LOWER_BOUND though listed second */
	assert_field(&g.item[0], "price", "10.9");
	assert_field(&g.item[0], "price_type", "net_list");
	assert_field(&g.item[0], "price_factor", "1");
	assert_int_equal(dc_arg_count(&g.item[0], "tier"), 2);
	/* 9.90 × PRICE_FACTOR 0.9 */
	assert_string_equal(dc_arg_nth(&g.item[0], "tier", 0), "5=8.91");
	assert_string_equal(dc_arg_nth(&g.item[0], "tier", 1), "1=10.9");
	assert_field(&g.item[0], "category", NULL);
	/* the 1.2 group map after the articles arrives as its own item */
	assert_field(&g.item[1], "sku", "TP-1");
	assert_field(&g.item[1], "mode", "map");
	assert_field(&g.item[1], "category", "Tinte"); /* the group TIN by name */
	assert_int_equal(g.line[1], 47);
	dc_bmecat_header_free(&h);
	got_free(&g);
}

static void
test_stop(void **state)
{
	struct dc_bmecat_header h;
	struct got g = {.stop_after = 2};
	char msg[1024];

	assert_int_equal(read_file(FIX "bmecat-2005-catalog.xml", &h, &g, msg), 99);
	assert_int_equal(g.n, 2);
	dc_bmecat_header_free(&h);
	got_free(&g);
}

static void
test_malformed(void **state)
{
	struct dc_bmecat_header h;
	struct got g = {0};
	char msg[1024];

	assert_int_equal(read_file(FIX "bmecat-malformed.xml", &h, &g, msg), DC_EDATA);
	assert_int_equal(strncmp(msg, FIX "bmecat-malformed.xml:36: ", 31), 0);
	assert_int_equal(g.n, 0);
	dc_bmecat_header_free(&h);
	got_free(&g);
}

static void
test_xxe(void **state)
{
	struct dc_bmecat_header h;
	struct got g = {0};
	char msg[1024];

	assert_int_equal(read_file(FIX "bmecat-xxe.xml", &h, &g, msg), DC_EDATA);
	assert_non_null(strstr(msg, "entities are not allowed"));
	assert_int_equal(strncmp(msg, FIX "bmecat-xxe.xml:", 24), 0);
	assert_null(strstr(msg, "root:"));
	assert_no_passwd(&g);
	assert_int_equal(g.n, 0);
	dc_bmecat_header_free(&h);
	got_free(&g);
}

static void
test_laughs(void **state)
{
	struct dc_bmecat_header h;
	struct got g = {0};
	char msg[1024];

	assert_int_equal(read_file(FIX "bmecat-laughs.xml", &h, &g, msg), DC_EDATA);
	assert_non_null(strstr(msg, "entities are not allowed"));
	assert_no_passwd(&g);
	assert_int_equal(g.n, 0);
	assert_null(h.catalog_id);
	dc_bmecat_header_free(&h);
	got_free(&g);
}

static void
test_bad_values(void **state)
{
	struct dc_bmecat_header h;
	struct got g = {0};
	char msg[1024];

	/* the first article is delivered before the bad one is reached */
	assert_int_equal(read_file(FIX "bmecat-bad-price.xml", &h, &g, msg), DC_EDATA);
	assert_string_equal(msg,
	                    FIX "bmecat-bad-price.xml:41: field 'price': not a decimal number");
	assert_int_equal(g.n, 1);
	dc_bmecat_header_free(&h);
	got_free(&g);

	assert_int_equal(read_file(FIX "bmecat-no-sku.xml", &h, &g, msg), DC_EDATA);
	assert_string_equal(msg, FIX
	                    "bmecat-no-sku.xml:37: field 'sku': SUPPLIER_AID/SUPPLIER_PID missing");
	dc_bmecat_header_free(&h);
	got_free(&g);

	assert_int_equal(read_file(FIX "no-such-bmecat.xml", &h, &g, msg), DC_ENOINPUT);
	dc_bmecat_header_free(&h);
	assert_int_equal(read_file(FIX "cases-bad.csv", &h, &g, msg), DC_EDATA);
	dc_bmecat_header_free(&h);
	got_free(&g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ref_12_new),
	    cmocka_unit_test(test_ref_12_prices),
	    cmocka_unit_test(test_ref_12_products),
	    cmocka_unit_test(test_ref_2005_new),
	    cmocka_unit_test(test_2005_catalog),
	    cmocka_unit_test(test_2005_prefixed),
	    cmocka_unit_test(test_12_update_products),
	    cmocka_unit_test(test_12_update_prices),
	    cmocka_unit_test(test_12_catalog_map),
	    cmocka_unit_test(test_stop),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_xxe),
	    cmocka_unit_test(test_laughs),
	    cmocka_unit_test(test_bad_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
