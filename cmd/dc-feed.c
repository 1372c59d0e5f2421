/* dc-feed: the community feed (dc-feed(1)).  Verb table; work in lib/feed. */
#include <stdlib.h>
#include <string.h>

#include "feed/feed.h"

static int
show_member(struct dc *ctx, const char *handle, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_feed_member_list(ctx, handle, NULL, &st), &st, "member", handle);
}

/* a post just written, whatever its status */
static int
show_post(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_feed_show(ctx, id, 1, &st), &st, "post", id);
}

static int
show_public(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_feed_show(ctx, id, 0, &st), &st, "post", id);
}

static int
show_comment(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_feed_comment_get(ctx, id, &st), &st, "comment", id);
}

static int
show_flag(struct dc *ctx, const char *post, const char *member)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_feed_flag_get(ctx, post, member, &st), &st, "flag on", post);
}

static int
show_filter(struct dc *ctx, const char *word, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_feed_filter_list(ctx, word, &st), &st, "filter word", word);
}

static int
show_explain(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_feed_explain(ctx, id, &st), &st, "post or comment", id);
}

static int
cmd_member_add(struct dc *ctx, struct dc_args *a)
{
	return dc_create_spec(ctx, a, dc_feed_member_add_spec, dc_feed_member_add, NULL,
	                      &dc_rt_member, show_member);
}

static int
cmd_member_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_out_check(ctx, &dc_rt_member)) || (rc = dc_db_open(ctx)))
		return rc;
	return dc_out_list(ctx, &dc_rt_member, dc_feed_member_list(ctx, NULL, a, &st), &st);
}

static int
cmd_member_show(struct dc *ctx, struct dc_args *a)
{
	return dc_out_show(ctx, a, &dc_rt_member, show_member);
}

static int
cmd_member_set(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_feed_member_set, &dc_rt_member, show_member);
}

static int
cmd_post(struct dc *ctx, struct dc_args *a)
{
	return dc_create_spec(ctx, a, dc_feed_post_spec, dc_feed_post, NULL, &dc_rt_post,
	                      show_post);
}

/* --since: an RFC 3339 instant or a local date (from its start). */
static int
since_arg(struct dc *ctx, const char *v, char buf[21])
{
	time_t t;
	long days;

	if (dc_parse_time(v, &t) == 0) {
		dc_fmt_time(t, buf);
		return 0;
	}
	if (dc_parse_date(v, &days) == 0) {
		dc_fmt_time(dc_local_start_of_day(ctx, days), buf);
		return 0;
	}
	return dc_error(ctx, DC_EUSAGE, "--since: '%s' is not a date or RFC 3339 time", v);
}

static int
cmd_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_feed_query q = {0};
	const struct dc_rectype *rt;
	struct dc_stmt *st = NULL;
	char since[21];
	int rc;

	if (a->noperand)
		return dc_error(ctx, DC_EUSAGE, "list takes no operands");
	if ((rc = dc_decode(ctx, dc_feed_list_spec, a, &q)))
		return rc;
	if (q.limit == DC_UNSET)
		q.limit = -1;
	rt = q.member ? &dc_rt_post_for : &dc_rt_post;
	if (dc_arg(a, "since")) {
		if ((rc = since_arg(ctx, dc_arg(a, "since"), since)))
			return rc;
		q.since = since;
	}
	if ((rc = dc_out_check(ctx, rt)) || (rc = dc_db_open(ctx)))
		return rc;
	return dc_out_list(ctx, rt, dc_feed_list(ctx, &q, &st), &st);
}

static int
cmd_show(struct dc *ctx, struct dc_args *a)
{
	return dc_out_show(ctx, a, &dc_rt_post_show, show_public);
}

static int
cmd_comment(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_feed_comment, &dc_rt_comment, show_comment);
}

static int
cmd_follow(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_feed_follow, &dc_rt_member, show_member);
}

static int
cmd_unfollow(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_feed_unfollow, &dc_rt_member, show_member);
}

static int
cmd_flag(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_feed_flag, &dc_rt_flag, show_flag);
}

static int
cmd_moderate(struct dc *ctx, struct dc_args *a)
{
	static const char *const actions[] = {"hide", "restore", "lock"};
	int i, comments = 0, explain = dc_flag(a, "explain");
	size_t k;

	/* the action is the last operand: moderate ID... hide|restore|lock */
	if (a->noperand >= 1)
		for (k = 0; k < sizeof actions / sizeof *actions; k++)
			if (!strcmp(a->operand[a->noperand - 1], actions[k])) {
				dc_args_add(a, "action", actions[k]);
				free(a->operand[--a->noperand]);
				break;
			}
	if (!a->noperand)
		return dc_error(ctx, DC_EUSAGE, "moderate needs a post or comment id");
	if (!dc_arg(a, "action") && !explain)
		return dc_error(ctx, DC_EUSAGE, "moderate needs hide, restore or lock (or --explain)");
	for (i = 0; i < a->noperand; i++)
		comments += !strncmp(a->operand[i], "C-", 2);
	if (comments && comments != a->noperand && !explain)
		return dc_error(ctx, DC_EUSAGE, "moderate posts and comments separately (or --explain)");
	if (explain)
		return dc_act(ctx, a, dc_feed_moderate, &dc_rt_explain, show_explain);
	return dc_act(ctx, a, dc_feed_moderate, comments ? &dc_rt_comment : &dc_rt_post,
	              comments ? show_comment : show_post);
}

static int
cmd_moderation(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_out_check(ctx, &dc_rt_queue)) || (rc = dc_db_open(ctx)))
		return rc;
	return dc_out_list(ctx, &dc_rt_queue, dc_feed_queue(ctx, &st), &st);
}

static int
cmd_filter_add(struct dc *ctx, struct dc_args *a)
{
	return dc_create_spec(ctx, a, dc_feed_filter_add_spec, dc_feed_filter_add, NULL,
	                      &dc_rt_filter, show_filter);
}

static int
cmd_filter_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_out_check(ctx, &dc_rt_filter)) || (rc = dc_db_open(ctx)))
		return rc;
	return dc_out_list(ctx, &dc_rt_filter, dc_feed_filter_list(ctx, NULL, &st), &st);
}

static int
cmd_guide(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;
	int rc;

	if (a->noperand != 1)
		return dc_error(ctx, DC_EUSAGE, "guide needs one member handle");
	if ((rc = dc_out_check(ctx, &dc_rt_guide)) || (rc = dc_db_open(ctx)))
		return rc;
	return dc_out_list(ctx, &dc_rt_guide, dc_feed_guide(ctx, a->operand[0], &st), &st);
}

static const struct dc_verb verbs[] = {
	{"member add", cmd_member_add, NULL, "%o | -", "add a member (integrator, admin)",
	 dc_feed_member_add_spec},
	{"member list", cmd_member_list, NULL, "", "list members", dc_feed_member_list_spec},
	{"member show", cmd_member_show, "", "HANDLE...", "show members", NULL},
	{"member set", cmd_member_set, "name= email= district= interests=* notify= active=",
	 "HANDLE...|- [--name N] [--email E] [--district D] [--interests t1,t2] [--notify M]"
	 " [--active true|false]",
	 "change members (integrator, admin)", NULL},
	{"post", cmd_post, NULL, "%o | FILE|-", "publish a post for a member (integrator, admin)",
	 dc_feed_post_spec},
	{"list", cmd_list, NULL, "", "visible posts, newest first; --for: a member's targeted feed",
	 dc_feed_list_spec},
	{"show", cmd_show, "", "ID", "one post with its comments", NULL},
	{"comment", cmd_comment, NULL, "ID %o",
	 "comment on a post for a member (integrator, admin)", dc_feed_comment_spec},
	{"follow", cmd_follow, "topic= district=", "HANDLE... (--topic T | --district D)",
	 "follow a topic or district", NULL},
	{"unfollow", cmd_unfollow, "topic= district=", "HANDLE... (--topic T | --district D)",
	 "stop following a topic or district", NULL},
	{"flag", cmd_flag, "by= reason= note=",
	 "ID --by HANDLE --reason spam|offensive|off-topic|illegal [--note T]",
	 "flag a post for a member; enough distinct flags hide it", NULL},
	{"moderate", cmd_moderate, "reason= explain",
	 "ID... hide|restore|lock --reason T [--explain] | ID... --explain",
	 "hide, restore or lock posts and comments; explain why they are hidden (moderator)", NULL},
	{"moderation", cmd_moderation, "", "",
	 "the moderation queue: held items, flagged posts", NULL},
	{"filter add", cmd_filter_add, NULL, "%o | -", "add a keyword filter (moderator)",
	 dc_feed_filter_add_spec},
	{"filter list", cmd_filter_list, "", "", "list keyword filters", NULL},
	{"guide", cmd_guide, "", "HANDLE",
	 "what the city offers a member: services, active offers, events", NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

int
main(int argc, char **argv)
{
	return dc_main(argc, argv, "dc-feed", verbs,
	               "dc-feed: community members, posts, comments, follows, moderation, guide.");
}
