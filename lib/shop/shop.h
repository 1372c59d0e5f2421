/*
 * The local marketplace (dc-shop(1)): merchants, products, services and requests, offers,
 * pickup slots, orders that reserve stock, and the expiry job.  Writes need the integrator
 * or admin role and record, besides the actor, the member or merchant they act for
 * (ctx->on_behalf_of while the audit event is written).  Reading is public.
 */
#ifndef DC_SHOP_H
#define DC_SHOP_H

#include "core/dc.h"

extern const struct dc_rectype dc_rt_merchant;
extern const struct dc_rectype dc_rt_product;
extern const struct dc_rectype dc_rt_product_hit; /* product + score */
extern const struct dc_rectype dc_rt_product_import;
extern const struct dc_rectype dc_rt_shop_service;
extern const struct dc_rectype dc_rt_service_request;
extern const struct dc_rectype dc_rt_offer;
extern const struct dc_rectype dc_rt_slot;
extern const struct dc_rectype dc_rt_shop_order;
extern const struct dc_rectype dc_rt_shop_expired;

/* shared helpers (merchant.c) */
int dc_shop_write_role(struct dc *ctx, const char *what);
/* A code or id: 1 to 64 characters, no blank, control character or colon. */
int dc_shop_code_ok(const char *s);
/* Audit an event while acting for `whom` (member handle, guest address or merchant id),
 * chained by its salted hash (dc_audit_citizen). */
int dc_shop_audit(struct dc *ctx, const char *whom, const char *entity, const char *ref,
                  const char *kind, const char *from, const char *to);
int dc_shop_time_arg(struct dc *ctx, const char *field, const char *v, int end, char out[21]);
int dc_shop_money_arg(struct dc *ctx, const char *field, const char *v, char out[24]);
/* A price a spec decoded (DC_V_MONEY, which takes a sign): none, or not below 0. */
int dc_shop_price_check(struct dc *ctx, const struct dc_args *rec, const char *field,
                        long long cents);
/* An instant (RFC 3339 UTC) as local "YYYY-MM-DD HH:MM" in city.timezone. */
void dc_shop_local_time(struct dc *ctx, const char *utc, char out[17]);

/* The active offer of a product at `now` (SQL fragment, product id ?P, now ?N). */
#define DC_SHOP_ACTIVE_OFFER(P, N)                                                                 \
	"(SELECT o.id FROM offer o WHERE o.product = " P " AND o.price IS NOT NULL"                \
	" AND o.from_at <= " N " AND " N " < o.until_at AND o.ended_at IS NULL"                    \
	" AND (o.max_qty IS NULL OR o.sold < o.max_qty) ORDER BY o.price, o.id LIMIT 1)"

/* merchants, services, requests (merchant.c, service.c); the creation verbs' options and
 * records are checked by their specs (dc_decode) */
extern const struct dc_opt dc_shop_merchant_add_spec[];
int dc_shop_merchant_add(struct dc *ctx, struct dc_args *rec, void *unused);
int dc_shop_merchant_set(struct dc *ctx, const char *id, struct dc_args *a);
int dc_shop_merchant_list(struct dc *ctx, const char *id, struct dc_stmt **st);
extern const struct dc_opt dc_shop_service_add_spec[], dc_shop_request_spec[];
int dc_shop_service_add(struct dc *ctx, struct dc_args *rec, void *unused);
int dc_shop_service_list(struct dc *ctx, const char *id, const char *merchant, struct dc_stmt **st);
int dc_shop_request(struct dc *ctx, struct dc_args *rec, void *unused);
int dc_shop_reply(struct dc *ctx, const char *id, struct dc_args *a);
/* dc-shop request list's filters; dc_shop_request_list checks them. */
extern const struct dc_opt dc_shop_request_list_spec[];
int dc_shop_request_list(struct dc *ctx, const char *id, const struct dc_args *a,
                         struct dc_stmt **st);

/* products (product.c); a product's external id is MERCHANT:SKU */
extern const struct dc_opt dc_shop_product_add_spec[];
int dc_shop_product_add(struct dc *ctx, struct dc_args *rec, void *unused);
int dc_shop_product_set(struct dc *ctx, const char *id, struct dc_args *a);
int dc_shop_product_list(struct dc *ctx, const char *id, const struct dc_args *a,
                         struct dc_stmt **st);
int dc_shop_product_search(struct dc *ctx, const char *text, const struct dc_args *a,
                           struct dc_stmt **st);
/* One transaction; writes the summary record through the current writer. */
int dc_shop_product_import(struct dc *ctx, const char *path, const char *merchant);

/* offers and slots (offer.c) */
extern const struct dc_opt dc_shop_offer_add_spec[], dc_shop_slot_add_spec[];
int dc_shop_offer_add(struct dc *ctx, struct dc_args *rec, void *unused);
int dc_shop_offer_list(struct dc *ctx, const char *id, const struct dc_args *a,
                       struct dc_stmt **st);
int dc_shop_slot_add(struct dc *ctx, struct dc_args *rec, void *unused);
int dc_shop_slot_list(struct dc *ctx, const char *id, const char *merchant, struct dc_stmt **st);

/* orders and expiry (order.c) */
extern const struct dc_opt dc_shop_order_new_spec[];
int dc_shop_order_new(struct dc *ctx, struct dc_args *rec, void *unused);
int dc_shop_order_status(struct dc *ctx, const char *id, struct dc_args *a);
/* dc-shop order list's filters; dc_shop_order_list checks them (dc-export shop-orders uses it
 * too). */
extern const struct dc_opt dc_shop_order_list_spec[];
int dc_shop_order_list(struct dc *ctx, const char *id, const struct dc_args *a,
                       struct dc_stmt **st);
int dc_shop_expire(struct dc *ctx, struct dc_args *a, void *unused);
int dc_shop_expired_list(struct dc *ctx, const char *id, struct dc_stmt **st);

#endif
