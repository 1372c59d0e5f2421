/* dc-notify: outbox delivery and the notifications cron queues (dc-notify(8)).  Work in
 * lib/notify/. */
#include <string.h>

#include "notify/notify.h"

static int
cmd_run(struct dc *ctx, struct dc_args *a)
{
	struct dc_notify_opts o = {DC_TR_SENDMAIL, "/usr/sbin/sendmail -t -oi", 0};
	int given = 0, rc;

	if (a->noperand)
		return dc_error(ctx, DC_EUSAGE, "run takes no operands");
	if (dc_arg(a, "maildir"))
		o.transport = DC_TR_MAILDIR, o.target = dc_arg(a, "maildir"), given++;
	if (dc_arg(a, "sendmail"))
		o.transport = DC_TR_SENDMAIL, o.target = dc_arg(a, "sendmail"), given++;
	if (dc_arg(a, "exec"))
		o.transport = DC_TR_EXEC, o.target = dc_arg(a, "exec"), given++;
	if (given > 1)
		return dc_error(ctx, DC_EUSAGE, "choose one of --maildir, --sendmail, --exec");
	if (!*o.target)
		return dc_error(ctx, DC_EUSAGE, "the transport needs a directory or a command");
	if ((rc = dc_arg_int(ctx, a, "limit", 1, 1000000000L, &o.limit)))
		return rc;
	return dc_notify_run(ctx, &o);
}

static int
cmd_plan(struct dc *ctx, struct dc_args *a)
{
	if (a->noperand)
		return dc_error(ctx, DC_EUSAGE, "plan takes no operands");
	return dc_notify_plan(ctx);
}

static int
cmd_list(struct dc *ctx, struct dc_args *a)
{
	if (a->noperand)
		return dc_error(ctx, DC_EUSAGE, "list takes no operands");
	return dc_notify_list(ctx, a);
}

static int
cmd_retry(struct dc *ctx, struct dc_args *a)
{
	int rc;

	if (dc_flag(a, "dead")) {
		if (a->noperand)
			return dc_error(ctx, DC_EUSAGE, "give ids or --dead, not both");
		if ((rc = dc_db_open(ctx)) ||
		    (rc = dc_require(ctx, "integrator", "retry notifications")) ||
		    (rc = dc_notify_dead_ids(ctx, a)))
			return rc;
		if (!a->noperand)
			return 0;
	} else if (!a->noperand)
		return dc_error(ctx, DC_EUSAGE, "retry needs ids (or - or --dead)");
	return dc_act(ctx, a, dc_notify_retry, &dc_rt_notification, dc_notify_show);
}

static int
cmd_escalate(struct dc *ctx, struct dc_args *a)
{
	if (a->noperand)
		return dc_error(ctx, DC_EUSAGE, "escalate takes no operands");
	return dc_notify_escalate(ctx);
}

static int
cmd_digest(struct dc *ctx, struct dc_args *a)
{
	if (a->noperand)
		return dc_error(ctx, DC_EUSAGE, "digest takes no operands");
	return dc_notify_digest(ctx, dc_arg(a, "period"));
}

static const struct dc_verb verbs[] = {
    {"run", cmd_run,
     "maildir= sendmail= exec= limit=", "[--maildir DIR | --sendmail CMD | --exec CMD] [--limit N]",
     "deliver the due notifications (default: /usr/sbin/sendmail -t -oi)", NULL},
    {"plan", cmd_plan, "", "", "show what run would deliver now; change nothing", NULL},
    {"list", cmd_list, NULL, "", "list notifications", dc_notify_list_spec},
    {"retry", cmd_retry, "dead", "ID... | - | --dead", "queue failed or dead notifications again",
	 NULL},
    {"escalate", cmd_escalate, "", "",
     "remind department heads of overdue open cases, once per case and day", NULL},
    {"digest", cmd_digest, "period=", "--period daily|weekly",
     "queue the members' digests of the last complete day or week", NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

int
main(int argc, char **argv)
{
	return dc_main(
	    argc, argv, "dc-notify", verbs,
	    "dc-notify: deliver the notification outbox (Maildir, sendmail, a command) and\n"
	    "queue overdue reminders and member digests — the cron jobs of dc-notify(8).");
}
