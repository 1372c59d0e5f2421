/* Data subjects' rights (dc-subject(1)): find everything that names a person, export it
 * (GDPR Art. 15), erase it (Art. 17), and every entity's retention (dc purge --retention). */
#ifndef DC_SUBJECT_H
#define DC_SUBJECT_H

#include "core/dc.h"

extern const struct dc_rectype dc_rt_subject;

/* dc-subject find (--email X | --phone X | --member H | --name X) */
int dc_subject_find(struct dc *ctx, struct dc_args *a);
/* dc-subject erase (--email X | --phone X | --member H | -) [--except-held] */
int dc_subject_erase(struct dc *ctx, struct dc_args *a);
/* dc-subject export (--email X | --phone X | --member H) -o DIR */
int dc_subject_export(struct dc *ctx, struct dc_args *a);

/* What one retention run removed, per entity. */
struct dc_subject_kept {
	long members, shop_orders, posts, comments, outbox;
	long awaiting_archive; /* shop orders due but not released by the archive */
};
/* The retention of members, shop orders, posts and the outbox (dcity(7) "Settings",
 * retention.*); the caller holds the transaction.  Admins and integrators (cron). */
int dc_subject_retention(struct dc *ctx, struct dc_subject_kept *k);

#endif
