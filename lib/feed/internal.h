/* Helpers shared by the feed's own modules (not part of its interface). */
#ifndef DC_FEED_INTERNAL_H
#define DC_FEED_INTERNAL_H

#include "core/dc.h"

/* The value of a required field, or a usage (options) / data (records) error. */
int dc_feed_need(struct dc *ctx, struct dc_args *rec, const char *key, const char **out);
/* 0 when v is one of the allowed values (space-separated), else a data error listing them. */
int dc_feed_oneof(struct dc *ctx, const char *field, const char *v, const char *allowed);
/* 0 when the member exists, else 2 (naming field, if given) or a database error. */
int dc_feed_member_exists(struct dc *ctx, const char *field, const char *handle);
/* An audit event with on_behalf_of = member (NULL: the staff acts for itself). */
int dc_feed_audit(struct dc *ctx, const char *member, const char *entity, const char *ref,
                  const char *kind, const char *from, const char *to, const char *note);
/* The keyword filter's verdict on a text: *status "hidden"/"held" and *word (caller frees),
 * or *status NULL. */
int dc_feed_filter_match(struct dc *ctx, const char *a, const char *b, const char **status,
                         char **word);
int dc_feed_post_status(struct dc *ctx, const char *id, char **status);
int dc_feed_may_see_hidden(struct dc *ctx);
/* Why a post p by author a interests member m; NULL when it does not. */
#define FEED_WHY_EXPR                                                                               \
	"CASE WHEN p.kind = 'notice' OR a.kind = 'authority' THEN 'notice'"                       \
	" WHEN p.district IS NOT NULL AND p.district = m.district COLLATE NOCASE THEN 'district'"  \
	" WHEN p.district IS NOT NULL AND EXISTS (SELECT 1 FROM follow f WHERE f.member = m.handle" \
	"   AND f.district = p.district COLLATE NOCASE) THEN 'district:' || p.district"            \
	" ELSE coalesce("                                                                         \
	"  (SELECT 'topic:' || t.value FROM json_each(p.topics) t JOIN follow f"                  \
	"    ON f.member = m.handle AND f.topic = t.value ORDER BY t.key LIMIT 1),"                \
	"  (SELECT 'interest:' || t.value FROM json_each(p.topics) t JOIN json_each(m.interests) i" \
	"    ON i.value = t.value ORDER BY t.key LIMIT 1)) END"


#endif
