/*
 * BMEcat reader: streams a supplier catalog (BMEcat 1.2 or 2005) with libxml2's xmlTextReader
 * and hands each article to a callback as a flat argument list, in constant memory.
 *
 * Entities are refused (an entity reference or a DOCTYPE whose internal subset declares
 * entities fails the read with DC_EDATA), no DTD and nothing from the network is loaded; the
 * bytes pass the XML guard (core/dc.h) before the parser sees them.
 */
#ifndef DC_PROCURE_BMECAT_H
#define DC_PROCURE_BMECAT_H

#include "core/dc.h"

/* The catalog's header.  Every member is owned and freed by dc_bmecat_header_free(); a member
 * the file does not give stays NULL. */
struct dc_bmecat_header {
	char *version;        /* "1.2" or "2005" (from BMECAT@version) */
	char *transaction;    /* "T_NEW_CATALOG", "T_UPDATE_PRODUCTS" or "T_UPDATE_PRICES" */
	char *transaction_id; /* the transaction's prev_version attribute or NULL */
	char *supplier_id;    /* HEADER/SUPPLIER/SUPPLIER_ID (2005) or SUPPLIER_ID (1.2) */
	char *supplier_name;
	char *catalog_id, *catalog_version, *catalog_name;
	char *currency; /* HEADER/CATALOG/CURRENCY, default for prices */
};

/* Called once per ARTICLE (1.2) or PRODUCT (2005), after the header is complete.  item holds
 * flat fields (all values text): sku, mode ("new", "update" or "delete"; T_NEW_CATALOG → "new";
 * T_UPDATE_PRICES → "update"), name, description, gtin, manufacturer, manufacturer_pid, unit,
 * content_unit, min_qty, quantity_interval, cu_per_ou (NO_CU_PER_OU), category (the catalog
 * group's path of CATALOG_STRUCTURE names, "Leuchten / Außenleuchten", from
 * ARTICLE_TO_CATALOGGROUP_MAP / PRODUCT_TO_CATALOGGROUP_MAP, else the feature group id),
 * keywords (repeated), and JSON text in features ([{"name","values":[...],"unit","ref"}] from
 * FEATURE and FTEMPLATE), media ([{"type","source","purpose","description"}] from MIME),
 * classification ({"system","group"}) and prices (every price of every PRICE_DETAILS block with
 * its raw values and "unit_price", the net price of one order unit with four decimals:
 * PRICE_AMOUNT × PRICE_FACTOR ÷ PRICE_QUANTITY, a gros_list made net with its TAX); search
 * (keywords, manufacturer, classification and feature text for the search index).
 *
 * Of the prices: price_type is the first present of net_customer, net_list, gros_list, nrp;
 * its period in force today (the local date) that began last (else the last one begun) gives
 * price (the unit price of the lowest LOWER_BOUND, decimal text with up to four decimals),
 * tier (repeated "LOWER_BOUND=UNIT_PRICE"), currency (the price's or the header's), vat (TAX
 * as percent text: 0.19 → "19"), valid_from, valid_until, price_factor and price_quantity.
 * A price_type "on_request", or no used type with an amount, gives on_request "1" and no
 * price; an item whose periods all begin in the future has price_type but no price.  line is
 * the line of the item's start tag.  A non-zero return stops reading and is returned.
 *
 * Details: single-valued fields take their first occurrence; empty values are left out.  A
 * TAX of 1 or more is taken as a percentage already.  The catalog groups are kept in memory
 * (at most 100,000).  A BMEcat 1.2 catalog lists its ARTICLE_TO_CATALOGGROUP_MAPs after all
 * articles, which a streaming reader cannot join back: each such map (and a 2005
 * PRODUCT_TO_CATALOGGROUP_MAP outside a PRODUCT) arrives as its own item with only sku,
 * category and mode "map".
 *
 * The item list belongs to the reader and is emptied after fn returns. */
typedef int (*dc_bmecat_fn)(struct dc *ctx, struct dc_args *item, long line, void *arg);

/* Read PATH ("-" for stdin), filling *hdr (which the caller frees with dc_bmecat_header_free()
 * also after an error) and calling fn for each item; with fn NULL, stop after the header.  Returns 0 or a DC_E* code with the
 * message in ctx: DC_ENOINPUT when PATH cannot be opened, DC_EDATA "PATH:LINE: ..." (PATH is
 * ctx->input_name when set) for malformed XML, entities, an element over the guard's limits,
 * a missing SUPPLIER_AID/SUPPLIER_PID, bad text, a bad number or a price that cannot be
 * computed (PRICE_FACTOR or PRICE_QUANTITY 0, a gros_list without TAX, over 10^11).
 * Streaming means items before the fault were already handed to fn: apply them in a
 * transaction and roll back on error. */
int dc_bmecat_read(struct dc *ctx, const char *path, struct dc_bmecat_header *hdr, dc_bmecat_fn fn,
                   void *arg);
void dc_bmecat_header_free(struct dc_bmecat_header *hdr);

#endif
