/* Community feed: members, posts, comments, follows, flags, keyword filters, moderation and
 * the guide to what the city offers a member (dc-feed(1)). */
#ifndef DC_FEED_H
#define DC_FEED_H

#include "core/dc.h"

extern const struct dc_rectype dc_rt_member, dc_rt_post, dc_rt_post_for, dc_rt_post_show,
    dc_rt_comment, dc_rt_flag, dc_rt_filter, dc_rt_queue, dc_rt_explain, dc_rt_guide;

/* Filters of a post listing; NULL fields do not filter.  dc_decode of dc_feed_list_spec
 * fills them from dc-feed list's options and checks them (kind one of the post kinds). */
struct dc_feed_query {
	const char *district; /* posts of this district */
	const char *topic;    /* posts carrying this topic */
	const char *kind;     /* news, event, offer, question, notice */
	const char *since;    /* created at or after this instant (RFC 3339 UTC) */
	const char *member;   /* targeted feed for this member handle (adds field why) */
	long limit;           /* at most this many, -1 for all */
};

/* member add's, post's and filter add's operand and options (a record's fields); comment's
 * options */
extern const struct dc_opt dc_feed_member_add_spec[], dc_feed_post_spec[], dc_feed_comment_spec[],
    dc_feed_filter_add_spec[];
int dc_feed_member_add(struct dc *ctx, struct dc_args *rec, void *unused);
int dc_feed_member_set(struct dc *ctx, const char *handle, struct dc_args *a);
/* dc-feed member list's filters; dc_feed_member_list checks them. */
extern const struct dc_opt dc_feed_member_list_spec[];
int dc_feed_member_list(struct dc *ctx, const char *handle, struct dc_args *a, struct dc_stmt **st);
int dc_feed_follow(struct dc *ctx, const char *handle, struct dc_args *a);
int dc_feed_unfollow(struct dc *ctx, const char *handle, struct dc_args *a);

int dc_feed_post(struct dc *ctx, struct dc_args *rec, void *unused);
extern const struct dc_opt dc_feed_list_spec[]; /* dc-feed list's options */
int dc_feed_list(struct dc *ctx, const struct dc_feed_query *q, struct dc_stmt **st);
/* One post with its comments; hidden and held posts only for moderators (else 2) or when
 * any is set (reporting a write to whoever made it). */
int dc_feed_show(struct dc *ctx, const char *id, int any, struct dc_stmt **st);
int dc_feed_comment(struct dc *ctx, const char *post, struct dc_args *a);
int dc_feed_comment_get(struct dc *ctx, const char *id, struct dc_stmt **st);

int dc_feed_flag(struct dc *ctx, const char *post, struct dc_args *a);
/* The flag of member on post, with the post's flag count and status. */
int dc_feed_flag_get(struct dc *ctx, const char *post, const char *member, struct dc_stmt **st);

int dc_feed_filter_add(struct dc *ctx, struct dc_args *rec, void *unused);
int dc_feed_filter_list(struct dc *ctx, const char *word, struct dc_stmt **st);

/* a->"action" is hide, restore or lock (or NULL: only check that ID may be explained). */
int dc_feed_moderate(struct dc *ctx, const char *id, struct dc_args *a);
int dc_feed_explain(struct dc *ctx, const char *id, struct dc_stmt **st);
int dc_feed_queue(struct dc *ctx, struct dc_stmt **st);

int dc_feed_guide(struct dc *ctx, const char *handle, struct dc_stmt **st);

#endif
