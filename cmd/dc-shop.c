/* dc-shop: the local marketplace (dc-shop(1)).  Verb table and option specs; the work is in
 * lib/shop. */
#include <stdlib.h>
#include <string.h>

#include "shop/shop.h"

#define MERCHANT_OPTS "name= owner= email= address= district= category="
#define PRODUCT_SET_OPTS "price= stock= name= unit= category= description= active="

/* ---- merchants ---- */

static int
show_merchant(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_shop_merchant_list(ctx, id, &st), &st, "merchant", id);
}

static int
cmd_merchant_add(struct dc *ctx, struct dc_args *a)
{
	return dc_create_spec(ctx, a, dc_shop_merchant_add_spec, dc_shop_merchant_add, NULL,
	                      &dc_rt_merchant, show_merchant);
}

static int
cmd_merchant_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	return dc_out_list(ctx, &dc_rt_merchant, dc_shop_merchant_list(ctx, NULL, &st), &st);
}

static int
cmd_merchant_show(struct dc *ctx, struct dc_args *a)
{
	return dc_out_show(ctx, a, &dc_rt_merchant, show_merchant);
}

static int
cmd_merchant_set(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_shop_merchant_set, &dc_rt_merchant, show_merchant);
}

/* ---- products ---- */

static int
show_product(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_shop_product_list(ctx, id, NULL, &st), &st, "product", id);
}

static int
cmd_product_add(struct dc *ctx, struct dc_args *a)
{
	return dc_create_spec(ctx, a, dc_shop_product_add_spec, dc_shop_product_add, NULL,
	                      &dc_rt_product, show_product);
}

static int
cmd_product_import(struct dc *ctx, struct dc_args *a)
{
	const char *m = dc_arg(a, "merchant");
	int rc;

	if (a->noperand != 1 || !m || !*m)
		return dc_error(ctx, DC_EUSAGE,
		                "product import needs FILE (or -) and --merchant M");
	if ((rc = dc_out_check(ctx, &dc_rt_product_import)) || (rc = dc_db_open(ctx)) ||
	    (rc = dc_out_begin(ctx, &dc_rt_product_import)) ||
	    (rc = dc_shop_product_import(ctx, a->operand[0], m)))
		return rc;
	rc = dc_out_end(ctx);
	return rc ? rc : ctx->partial;
}

static int
cmd_product_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	return dc_out_list(ctx, &dc_rt_product, dc_shop_product_list(ctx, NULL, a, &st), &st);
}

static int
cmd_product_show(struct dc *ctx, struct dc_args *a)
{
	return dc_out_show(ctx, a, &dc_rt_product, show_product);
}

static int
cmd_product_search(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;
	char *text;
	int rc;

	if (a->noperand < 1)
		return dc_error(ctx, DC_EUSAGE, "product search needs TEXT");
	text = dc_operands_join(a);
	if (!(rc = dc_db_open(ctx)))
		rc = dc_out_list(ctx, &dc_rt_product_hit, dc_shop_product_search(ctx, text, a, &st),
		              &st);
	free(text);
	return rc;
}

static int
cmd_product_set(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_shop_product_set, &dc_rt_product, show_product);
}

/* ---- services and requests ---- */

static int
show_service(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_shop_service_list(ctx, id, NULL, &st), &st, "service", id);
}

static int
cmd_service_add(struct dc *ctx, struct dc_args *a)
{
	return dc_create_spec(ctx, a, dc_shop_service_add_spec, dc_shop_service_add, NULL,
	                      &dc_rt_shop_service, show_service);
}

static int
cmd_service_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	return dc_out_list(ctx, &dc_rt_shop_service,
	                dc_shop_service_list(ctx, NULL, dc_arg(a, "merchant"), &st), &st);
}

static int
show_request(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_shop_request_list(ctx, id, NULL, &st), &st, "service request", id);
}

static int
cmd_request(struct dc *ctx, struct dc_args *a)
{
	return dc_create_spec(ctx, a, dc_shop_request_spec, dc_shop_request, NULL,
	                      &dc_rt_service_request, show_request);
}

static int
cmd_request_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	return dc_out_list(ctx, &dc_rt_service_request, dc_shop_request_list(ctx, NULL, a, &st), &st);
}

static int
cmd_reply(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_shop_reply, &dc_rt_service_request, show_request);
}

/* ---- offers and slots ---- */

static int
show_offer(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_shop_offer_list(ctx, id, NULL, &st), &st, "offer", id);
}

static int
cmd_offer_add(struct dc *ctx, struct dc_args *a)
{
	return dc_create_spec(ctx, a, dc_shop_offer_add_spec, dc_shop_offer_add, NULL, &dc_rt_offer,
	                      show_offer);
}

static int
cmd_offer_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	return dc_out_list(ctx, &dc_rt_offer, dc_shop_offer_list(ctx, NULL, a, &st), &st);
}

static int
show_slot(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_shop_slot_list(ctx, id, NULL, &st), &st, "slot", id);
}

static int
cmd_slot_add(struct dc *ctx, struct dc_args *a)
{
	return dc_create_spec(ctx, a, dc_shop_slot_add_spec, dc_shop_slot_add, NULL, &dc_rt_slot,
	                      show_slot);
}

static int
cmd_slot_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	return dc_out_list(ctx, &dc_rt_slot, dc_shop_slot_list(ctx, NULL, dc_arg(a, "merchant"), &st),
	                &st);
}

/* ---- orders ---- */

static int
show_order(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_shop_order_list(ctx, id, NULL, &st), &st, "shop order", id);
}

static int
cmd_order_new(struct dc *ctx, struct dc_args *a)
{
	return dc_create_spec(ctx, a, dc_shop_order_new_spec, dc_shop_order_new, NULL,
	                      &dc_rt_shop_order, show_order);
}

static int
cmd_order_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	return dc_out_list(ctx, &dc_rt_shop_order, dc_shop_order_list(ctx, NULL, a, &st), &st);
}

static int
cmd_order_show(struct dc *ctx, struct dc_args *a)
{
	return dc_out_show(ctx, a, &dc_rt_shop_order, show_order);
}

/* order status ID... STATUS: the last operand is the new status */
static int
cmd_order_status(struct dc *ctx, struct dc_args *a)
{
	if (a->noperand < 2)
		return dc_error(ctx, DC_EUSAGE,
		                "order status needs ID... (or -) and "
		                "ready|collected|cancelled");
	dc_args_add(a, "to", a->operand[--a->noperand]);
	free(a->operand[a->noperand]);
	a->operand[a->noperand] = NULL;
	return dc_act(ctx, a, dc_shop_order_status, &dc_rt_shop_order, show_order);
}

static int
show_expired(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_shop_expired_list(ctx, id, &st), &st, "record", id);
}

static int
cmd_expire(struct dc *ctx, struct dc_args *a)
{
	if (a->noperand)
		return dc_error(ctx, DC_EUSAGE, "expire takes no operands");
	return dc_create(ctx, a, NULL, "", dc_shop_expire, NULL, &dc_rt_shop_expired, show_expired);
}

static const struct dc_verb verbs[] = {
    {"merchant add", cmd_merchant_add, NULL, "%o | -", "add a merchant",
     dc_shop_merchant_add_spec},
    {"merchant list", cmd_merchant_list, "", "", "list merchants", NULL},
    {"merchant show", cmd_merchant_show, "", "ID...", "show merchants", NULL},
    {"merchant set", cmd_merchant_set, MERCHANT_OPTS " active=",
     "ID... [--name N] [--owner MEMBER] [--email E] [--address A] [--district D] [--category C]"
     " [--active true|false]",
     "change merchants", NULL},
    {"product add", cmd_product_add, NULL, "%o | -", "add a product", dc_shop_product_add_spec},
    {"product import", cmd_product_import, "merchant=", "FILE|- --merchant M",
     "import products (CSV, German CSV, JSON, JSONL) in one transaction; prints a diff summary",
	 NULL},
    {"product list", cmd_product_list, "merchant= category= in-stock all",
     "[--merchant M] [--category C] [--in-stock] [--all]",
     "list products, at the active offer's price", NULL},
    {"product show", cmd_product_show, "", "MERCHANT:SKU...", "show products", NULL},
    {"product search", cmd_product_search, "merchant=", "TEXT [--merchant M]",
     "full-text search of active products, best match first", NULL},
    {"product set", cmd_product_set, PRODUCT_SET_OPTS,
     "MERCHANT:SKU... [--price P] [--stock Q] [--name N] [--unit U] [--category C]"
     " [--description T] [--active true|false]",
     "change products", NULL},
    {"service add", cmd_service_add, NULL, "%o | -", "add a service a merchant offers",
     dc_shop_service_add_spec},
    {"service list", cmd_service_list, "merchant=", "[--merchant M]", "list services", NULL},
    {"request list", cmd_request_list, NULL, "", "list service requests",
     dc_shop_request_list_spec},
    {"request", cmd_request, NULL, "%o | -", "a member asks for a service",
     dc_shop_request_spec},
    {"reply", cmd_reply, "text=", "REQUEST_ID... --text T", "the merchant answers a request", NULL},
    {"offer add", cmd_offer_add, NULL, "%o | -", "add a time-limited offer (announced in the feed)",
     dc_shop_offer_add_spec},
    {"offer list", cmd_offer_list, "active merchant=", "[--active] [--merchant M]", "list offers",
	 NULL},
    {"slot add", cmd_slot_add, NULL, "%o | -", "add a pickup slot", dc_shop_slot_add_spec},
    {"slot list", cmd_slot_list, "merchant=", "[--merchant M]", "list pickup slots", NULL},
    {"order new", cmd_order_new, NULL, "%o | -",
     "reserve products for pickup; one order per merchant", dc_shop_order_new_spec},
    {"order list", cmd_order_list, NULL, "", "list orders", dc_shop_order_list_spec},
    {"order show", cmd_order_show, "", "ID...", "show orders with their lines", NULL},
    {"order status", cmd_order_status, "", "ID...|- ready|collected|cancelled",
     "move orders on; cancelling returns stock and the slot place", NULL},
    {"expire", cmd_expire, "", "", "end past offers and expire uncollected reservations (cron)",
	 NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

int
main(int argc, char **argv)
{
	return dc_main(argc, argv, "dc-shop", verbs,
	               "dc-shop: the local marketplace — merchants, products, services, offers, "
	               "pickup slots, click & collect orders.");
}
