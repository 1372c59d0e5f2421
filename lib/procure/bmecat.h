/*
 * BMEcat reader: streams a supplier catalog (BMEcat 1.2 or 2005) with libxml2's xmlTextReader
 * and hands each article to a callback as a flat argument list, in constant memory.
 *
 * Entities are refused (an entity reference or a DOCTYPE whose internal subset declares
 * entities fails the read with DC_EDATA), no DTD and nothing from the network is loaded.
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
 * content_unit, min_qty, quantity_interval, category (first classification group or feature
 * system reference / ARTICLE_TO_CATALOGGROUP_MAP / PRODUCT_TO_CATALOGGROUP_MAP group id), keywords
 * (repeated), price (net price per unit for the smallest LOWER_BOUND, decimal text as in the file,
 * absent when the item has no price = "on request"), price_type (e.g. net_customer, net_list),
 * currency (price's PRICE_CURRENCY or the header's), vat (TAX as percent text: TAX 0.19 → "19"),
 * valid_from, valid_until (YYYY-MM-DD from ARTICLE_PRICE_DETAILS/PRODUCT_PRICE_DETAILS
 * DATETIME type valid_start_date/valid_end_date), tier (repeated "LOWER_BOUND=PRICE", one per
 * price of the chosen price type, in file order), price_factor.  line is the line of the
 * item's start tag.  A non-zero return stops reading and is returned.
 *
 * Details: single-valued fields take their first occurrence; empty values are left out.  A
 * category map inside the item wins over a feature system reference.  Prices come from the
 * item's first price details block; price_type, currency, vat, price_factor and tier are
 * absent together with price.  A TAX of 1 or more is taken as a percentage already.  A BMEcat
 * 1.2 catalog lists its ARTICLE_TO_CATALOGGROUP_MAPs after all articles, which a streaming
 * reader cannot join back: each such map (and a 2005 PRODUCT_TO_CATALOGGROUP_MAP outside a
 * PRODUCT) arrives as its own item with only sku, category and mode "map".
 *
 * The item list belongs to the reader and is emptied after fn returns. */
typedef int (*dc_bmecat_fn)(struct dc *ctx, struct dc_args *item, long line, void *arg);

/* Read PATH ("-" for stdin), filling *hdr (which the caller frees with dc_bmecat_header_free()
 * also after an error) and calling fn for each item; with fn NULL, stop after the header.  Returns 0 or a DC_E* code with the
 * message in ctx: DC_ENOINPUT when PATH cannot be opened, DC_EDATA "PATH:LINE: ..." for
 * malformed XML, entities, a missing SUPPLIER_AID/SUPPLIER_PID, bad text or a bad number.
 * Streaming means items before the fault were already handed to fn: apply them in a
 * transaction and roll back on error. */
int dc_bmecat_read(struct dc *ctx, const char *path, struct dc_bmecat_header *hdr, dc_bmecat_fn fn,
                   void *arg);
void dc_bmecat_header_free(struct dc_bmecat_header *hdr);

#endif
