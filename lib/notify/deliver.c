/*
 * dc-notify run: claim due outbox rows in a short BEGIN IMMEDIATE transaction (status
 * 'sending', this runner's token, the time), deliver them outside any transaction, then book
 * each result in its own short transaction.  Two runners never hold the same row; a claim older
 * than STALE seconds is taken again, so a crash between delivery and bookkeeping delivers a
 * message at most once more, with the same Message-ID.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "notify/notify.h"

#define STALE (15 * 60)
#define BATCH 20

const struct dc_rectype dc_rt_notification = {"notification",
                                              (const struct dc_field[]){{"id", DC_T_INT},
                                                                        {"created_at", DC_T_STR},
                                                                        {"template", DC_T_STR},
                                                                        {"lang", DC_T_STR},
                                                                        {"recipient", DC_T_STR},
                                                                        {"subject", DC_T_STR},
                                                                        {"status", DC_T_STR},
                                                                        {"attempts", DC_T_INT},
                                                                        {"next_at", DC_T_STR},
                                                                        {"sent_at", DC_T_STR},
                                                                        {"last_error", DC_T_STR},
                                                                        {"ref_type", DC_T_STR},
                                                                        {"ref_id", DC_T_STR},
                                                                        {"message_id", DC_T_STR},
                                                                        {"transport", DC_T_STR},
                                                                        {"attachments", DC_T_JSON}},
                                              16};

#define COLS DC_NOTIFY_COLS
/* due now: pending or failed rows whose time has come, and claims left by a crashed runner */
#define DUE                                                                                        \
	"((status IN ('pending', 'failed') AND next_at <= ?1)"                                     \
	" OR (status = 'sending' AND claimed_at <= ?2))"

static const char *const transport_name[] = {"maildir", "sendmail", "exec"};

static void
stale_time(struct dc *ctx, char now[21], char stale[21])
{
	dc_fmt_time(dc_now(ctx), now);
	dc_fmt_time(dc_now(ctx) - STALE, stale);
}

int
dc_notify_show(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_prepare(ctx, &st, "SELECT " COLS " FROM outbox WHERE id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW)
		rc = dc_out_stmt(ctx, st);
	else if (rc == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no notification '%s'", id);
	dc_finish(ctx, st);
	return rc;
}

int
dc_notify_plan(struct dc *ctx)
{
	struct dc_stmt *st = NULL;
	char now[21], stale[21];
	int rc;

	/* plan only reads, and the auditor reads everything (dcity(7) "Identity and roles") */
	if ((rc = dc_out_check(ctx, &dc_rt_notification)) || (rc = dc_db_open(ctx)) ||
	    (rc = dc_require(ctx, "integrator auditor", "plan deliveries")))
		return rc;
	stale_time(ctx, now, stale);
	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT " COLS " FROM outbox WHERE " DUE " ORDER BY next_at, id")))
		return rc;
	dc_bind_text(st, 1, now);
	dc_bind_text(st, 2, stale);
	return dc_out_query(ctx, &dc_rt_notification, st);
}

/* dc-notify list's filter: the values of outbox.status (schemas/sql/0006-check-lists.sql). */
const struct dc_opt dc_notify_list_spec[] = {
	{"status", DC_V_ENUM, 0, "pending sending sent failed dead", NULL, NULL, "status = ?",
	 DC_NOFIELD},
	{NULL},
};

int
dc_notify_list(struct dc *ctx, struct dc_args *f)
{
	struct dc_stmt *st = NULL;
	struct dc_q q = {0};
	int rc;

	if ((rc = dc_out_check(ctx, &dc_rt_notification)) || (rc = dc_db_open(ctx)) ||
	    (rc = dc_require(ctx, "integrator auditor", "list notifications")) ||
	    (rc = dc_decode(ctx, dc_notify_list_spec, f, NULL)))
		return rc;
	dc_q_sql(&q, "SELECT " COLS " FROM outbox");
	if ((rc = dc_q_where_spec(ctx, &q, dc_notify_list_spec, f)))
		goto done;
	dc_q_sql(&q, " ORDER BY id");
	if ((rc = dc_q_prepare(ctx, &q, &st)))
		return rc;
	return dc_out_query(ctx, &dc_rt_notification, st);
done:
	dc_q_free(&q);
	return rc;
}

int
dc_notify_retry(struct dc *ctx, const char *id, struct dc_args *a)
{
	struct dc_stmt *st = NULL;
	char now[21];
	int rc;

	if ((rc = dc_require(ctx, "integrator", "retry notifications")))
		return rc;
	dc_fmt_time(dc_now(ctx), now);
	if ((rc = dc_prepare(ctx, &st, "SELECT status FROM outbox WHERE id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no notification '%s'", id);
	else if (rc == DC_ROW) {
		const char *s = dc_col_text(st, 0);

		if (strcmp(s, "failed") && strcmp(s, "dead") && strcmp(s, "pending"))
			rc = dc_error(ctx, DC_ECONFLICT, "notification '%s' is %s", id, s);
		else
			rc = dc_exec(
			    ctx,
			    "UPDATE outbox SET status = 'pending', next_at = ?2, claim = NULL,"
			    " claimed_at = NULL WHERE id = ?1",
			    2, id, now);
	}
	dc_finish(ctx, st);
	return rc ? rc : dc_touched(ctx, id, NULL);
}

int
dc_notify_dead_ids(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_db_open(ctx)) ||
	    (rc = dc_prepare(ctx, &st, "SELECT id FROM outbox WHERE status = 'dead' ORDER BY id")))
		return rc;
	while ((rc = dc_step(ctx, st)) == DC_ROW)
		if ((rc = dc_args_operand(a, dc_col_text(st, 0))))
			break;
	dc_finish(ctx, st);
	return rc;
}

/* ---- claiming ---------------------------------------------------------------------------- */

static int
claim(struct dc *ctx, const char *token, long n)
{
	struct dc_stmt *st = NULL;
	char now[21], stale[21];
	int rc;

	stale_time(ctx, now, stale);
	if ((rc = dc_tx_begin(ctx)))
		return rc;
	if (!(rc = dc_prepare(ctx, &st,
	                      "UPDATE outbox SET status = 'sending', claim = ?3,"
	                      " claimed_at = ?1 WHERE id IN (SELECT id FROM outbox WHERE " DUE
	                      " ORDER BY next_at, id LIMIT ?4)"))) {
		dc_bind_text(st, 1, now);
		dc_bind_text(st, 2, stale);
		dc_bind_text_ref(st, 3, token);
		dc_bind_int(st, 4, n);
		rc = dc_step(ctx, st);
		dc_finish(ctx, st);
	}
	return dc_tx_end(ctx, rc);
}

/* ---- transports -------------------------------------------------------------------------- */

static int
write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static char *
maildir(const char *dir, long long id, const char *msg)
{
	static const char *const sub[] = {"", "/tmp", "/new", "/cur"};
	char host[256] = "localhost", rnd[17], *tmp = NULL, *dst = NULL, *err = NULL, *p;
	struct timeval tv;
	size_t i;
	int fd = -1;

	for (i = 0; i < sizeof sub / sizeof *sub; i++) {
		char *d = dc_printf("%s%s", dir, sub[i]);

		if (mkdir(d, 0700) < 0 && errno != EEXIST)
			err = dc_printf("cannot create '%s': %s", d, strerror(errno));
		free(d);
		if (err)
			return err;
	}
	gethostname(host, sizeof host - 1);
	for (p = host; *p; p++)
		if (*p == '/' || *p == ':')
			*p = '_';
	gettimeofday(&tv, NULL);
	dc_random_hex(rnd, 8);
	tmp = dc_printf("%s/tmp/%lld.M%06ldP%dR%sQ%lld.%s", dir, (long long)tv.tv_sec,
	                (long)tv.tv_usec, (int)getpid(), rnd, id, host);
	dst = dc_printf("%s/new/%s", dir, strrchr(tmp, '/') + 1);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0 ||
	    write_all(fd, msg, strlen(msg)) < 0 || fsync(fd) < 0)
		err = dc_printf("cannot write '%s': %s", tmp, strerror(errno));
	if (fd >= 0 && close(fd) < 0 && !err)
		err = dc_printf("cannot write '%s': %s", tmp, strerror(errno));
	if (!err && rename(tmp, dst) < 0)
		err = dc_printf("cannot move '%s' to new/: %s", tmp, strerror(errno));
	if (err && fd >= 0)
		unlink(tmp);
	free(tmp);
	free(dst);
	return err;
}

/* Run CMD with /bin/sh -c, DATA on its stdin, its stdout sent to our stderr (our stdout carries
 * records).  NULL when it exits 0, else why not. */
static char *
pipe_to(const char *cmd, const char *data)
{
	int fds[2], status, werr;
	pid_t pid;

	if (pipe(fds) < 0)
		return dc_printf("pipe: %s", strerror(errno));
	fflush(NULL);
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return dc_printf("fork: %s", strerror(errno));
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		dup2(fds[0], 0);
		dup2(2, 1);
		close(fds[0]);
		close(fds[1]);
		/* the command runs with the user's own group, never the setgid one (priv.c) */
		if (dc_priv_drop(1) < 0)
			_exit(126);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	werr = write_all(fds[1], data, strlen(data)); /* SIGPIPE is ignored: EPIPE instead */
	close(fds[1]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return dc_printf("waitpid: %s", strerror(errno));
	if (WIFSIGNALED(status))
		return dc_printf("'%s' killed by signal %d", cmd, WTERMSIG(status));
	if (WEXITSTATUS(status))
		return dc_printf("'%s' exited with status %d", cmd, WEXITSTATUS(status));
	if (werr)
		return dc_printf("'%s' did not read the message", cmd);
	return NULL;
}

/* ---- one delivery ----------------------------------------------------------------------- */

/* An attachment as stored (outbox_attachment); texts owned. */
struct att {
	char *filename, *content_type, *content;
};

struct item {
	long long id;
	char *created_at, *template, *lang, *recipient, *subject, *body, *ref_type, *ref_id;
	char *unsubscribe;
	long attempts;
	struct att *att; /* owned */
	size_t natt;
};

static void
item_free(struct item *it)
{
	size_t i;

	for (i = 0; i < it->natt; i++) {
		free(it->att[i].filename);
		free(it->att[i].content_type);
		free(it->att[i].content);
	}
	free(it->att);
	free(it->created_at);
	free(it->template);
	free(it->lang);
	free(it->recipient);
	free(it->subject);
	free(it->body);
	free(it->ref_type);
	free(it->ref_id);
	free(it->unsubscribe);
}

static char *
col(struct dc_stmt *st, int i)
{
	return dc_strdup(dc_col_text(st, i));
}

static char *
exec_json(const struct item *it, const char *mid, const char *from, const char *msg)
{
	json_object *o = json_object_new_object(), *atts;
	size_t i;
	char *s;

	json_object_object_add(o, "id", json_object_new_int64(it->id));
	json_object_object_add(o, "created_at", json_object_new_string(it->created_at));
	json_object_object_add(o, "template", json_object_new_string(it->template));
	json_object_object_add(o, "lang", json_object_new_string(it->lang));
	json_object_object_add(o, "from", json_object_new_string(from));
	json_object_object_add(o, "recipient", json_object_new_string(it->recipient));
	json_object_object_add(o, "subject", json_object_new_string(it->subject));
	json_object_object_add(o, "body", json_object_new_string(it->body));
	json_object_object_add(o, "ref_type",
	                       it->ref_type ? json_object_new_string(it->ref_type) : NULL);
	json_object_object_add(o, "ref_id", it->ref_id ? json_object_new_string(it->ref_id) : NULL);
	json_object_object_add(o, "message_id", json_object_new_string(mid));
	json_object_object_add(o, "list_unsubscribe",
	                       it->unsubscribe ? json_object_new_string(it->unsubscribe) : NULL);
	json_object_object_add(o, "message", json_object_new_string(msg));
	json_object_object_add(o, "attachments", atts = json_object_new_array());
	for (i = 0; i < it->natt; i++) {
		json_object *a = json_object_new_object();

		json_object_object_add(a, "filename", json_object_new_string(it->att[i].filename));
		json_object_object_add(a, "content_type",
		                       json_object_new_string(it->att[i].content_type));
		json_object_object_add(a, "content", json_object_new_string(it->att[i].content));
		json_object_array_add(atts, a);
	}
	s = dc_printf("%s\n", json_object_to_json_string_ext(
	                          o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

struct sender {
	const struct dc_notify_opts *o;
	char *from, *from_name, *reply_to, *reply_name; /* from the settings; owned */
};

/* Deliver IT; NULL on success, else the error text.  *MID gets the Message-ID. */
static char *
deliver(struct dc *ctx, const struct sender *s, const struct item *it, char **mid)
{
	struct dc_mime_msg m = {0};
	struct dc_mime_part *parts;
	char *msg, *err = NULL;
	size_t i;

	*mid = dc_mime_message_id(it->id, it->created_at, s->from);
	if (!dc_email_ok(it->recipient))
		return dc_printf("invalid recipient '%s'", it->recipient);
	if (!(parts = calloc(it->natt + 1, sizeof *parts)))
		abort();
	for (i = 0; i < it->natt; i++)
		parts[i] = (struct dc_mime_part){it->att[i].filename, it->att[i].content_type,
		                                 it->att[i].content, strlen(it->att[i].content)};
	m.parts = parts;
	m.nparts = it->natt;
	m.from_name = s->from_name;
	m.from_addr = s->from;
	m.to = it->recipient;
	m.reply_to = s->reply_to;
	m.reply_to_name = s->reply_name;
	m.subject = it->subject;
	m.message_id = *mid;
	m.list_unsubscribe = it->unsubscribe;
	m.body = it->body;
	m.date = dc_now(ctx);
	msg = dc_mime_message(&m);
	free(parts);
	switch (s->o->transport) {
	case DC_TR_MAILDIR:
		err = maildir(s->o->target, it->id, msg);
		break;
	case DC_TR_SENDMAIL:
		err = pipe_to(s->o->target, msg);
		break;
	case DC_TR_EXEC: {
		char *json = exec_json(it, *mid, s->from, msg);

		err = pipe_to(s->o->target, json);
		free(json);
		break;
	}
	}
	free(msg);
	return err;
}

/* Book the result, if the claim is still ours.  The message has gone out by now: giving up
 * on a busy database would leave the row claimed, and the next runner would send it again once
 * the claim went stale, so a locked database is waited for BOOK_WAIT seconds, however short
 * the busy timeout (20 timeouts of 10 ms were not enough under the soak's load). */
#define BOOK_WAIT 60
static int
book(struct dc *ctx, const struct sender *s, const struct item *it, const char *token,
     const char *mid, const char *err)
{
	static const long backoff[] = {5 * 60, 30 * 60, 2 * 3600, 12 * 3600};
	char now[21], next[21], id[24];
	long n = it->attempts + 1;
	struct timespec start, t;
	int rc;

	snprintf(id, sizeof id, "%lld", it->id);
	dc_fmt_time(dc_now(ctx), now);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while ((rc = dc_tx_begin(ctx)) == DC_EBUSY) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - start.tv_sec >= BOOK_WAIT)
			break;
		ctx->err = 0;
		ctx->errmsg[0] = '\0';
		if (ctx->busy_ms < 10) /* no busy handler to wait in: do not spin */
			nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	if (rc)
		return rc;
	if (!err)
		rc = dc_exec(
		    ctx,
		    "UPDATE outbox SET status = 'sent', sent_at = ?3, attempts = attempts + 1,"
		    " next_at = NULL, last_error = NULL, message_id = ?4, transport = ?5,"
		    " claim = NULL, claimed_at = NULL,"
		    /* the secret (a tracking token) was for the recipient, not for the record */
		    " subject = CASE WHEN secret IS NULL THEN subject"
		    "  ELSE replace(subject, secret, '…') END,"
		    " body = CASE WHEN secret IS NULL THEN body"
		    "  ELSE replace(body, secret, '…') END,"
		    " secret = NULL WHERE id = ?1 AND claim = ?2",
		    5, id, token, now, mid, transport_name[s->o->transport]);
	else {
		if (n <= 4)
			dc_fmt_time(dc_now(ctx) + backoff[n - 1], next);
		rc = dc_exec(ctx,
		             "UPDATE outbox SET status = ?3, attempts = attempts + 1, next_at = ?4,"
		             " last_error = ?5, message_id = ?6, transport = ?7, claim = NULL,"
		             " claimed_at = NULL WHERE id = ?1 AND claim = ?2",
		             7, id, token, n <= 4 ? "failed" : "dead", n <= 4 ? next : NULL, err,
		             mid, transport_name[s->o->transport]);
	}
	rc = dc_tx_end(ctx, rc);
	return rc ? rc : dc_notify_show(ctx, id, NULL);
}

static int
fetch_attachments(struct dc *ctx, struct item *it)
{
	struct dc_stmt *st = NULL;
	size_t cap = 0;
	int rc;

	if ((rc = dc_prepare(ctx, &st, "SELECT filename, content_type, content"
	                               " FROM outbox_attachment WHERE outbox_id = ?1 ORDER BY seq")))
		return rc;
	dc_bind_int(st, 1, it->id);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		if (it->natt == cap &&
		    !(it->att = realloc(it->att, (cap = cap ? 2 * cap : 2) * sizeof *it->att)))
			abort();
		it->att[it->natt++] = (struct att){col(st, 0), col(st, 1), col(st, 2)};
	}
	dc_finish(ctx, st);
	return rc;
}

static int
fetch(struct dc *ctx, const char *token, struct item **items, int *n)
{
	struct dc_stmt *st = NULL;
	int rc, cap = 0, i;

	*n = 0;
	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT id, created_at, template, lang, recipient, subject,"
	                     " body, ref_type, ref_id, unsubscribe, attempts FROM outbox"
	                     " WHERE claim = ?1 AND status = 'sending' ORDER BY next_at, id")))
		return rc;
	dc_bind_text_ref(st, 1, token);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		struct item *it;

		if (*n == cap && !(*items = realloc(*items, (size_t)(cap = cap ? 2 * cap : 16) *
		                                                sizeof **items)))
			abort();
		it = &(*items)[(*n)++];
		it->id = dc_col_int(st, 0);
		it->created_at = col(st, 1);
		it->template = col(st, 2);
		it->lang = col(st, 3);
		it->recipient = col(st, 4);
		it->subject = col(st, 5);
		it->body = col(st, 6);
		it->ref_type = col(st, 7);
		it->ref_id = col(st, 8);
		it->unsubscribe = col(st, 9);
		it->attempts = dc_col_int(st, 10);
		it->att = NULL;
		it->natt = 0;
	}
	dc_finish(ctx, st);
	for (i = 0; !rc && i < *n; i++)
		rc = fetch_attachments(ctx, &(*items)[i]);
	if (rc) { /* the claims go stale and the next run takes them */
		for (i = 0; i < *n; i++)
			item_free(&(*items)[i]);
		*n = 0;
	}
	return rc;
}

int
dc_notify_run(struct dc *ctx, const struct dc_notify_opts *o)
{
	struct sender s = {o, NULL, NULL, NULL, NULL};
	struct item *items = NULL;
	char token[33], *from = NULL, *reply = NULL, *last = NULL;
	long done = 0;
	int rc, out, n = 0, i, failed = 0;

	if ((rc = dc_out_check(ctx, &dc_rt_notification)) || (rc = dc_db_open(ctx)) ||
	    (rc = dc_require(ctx, "integrator", "deliver notifications")))
		return rc;
	if (ctx->dry_run)
		return dc_notify_plan(ctx);
	if ((rc = dc_out_begin(ctx, &dc_rt_notification)))
		return rc;
	reply = dc_setting(ctx, "mail.reply_to");
	if (reply && *reply && dc_mail_parse(reply, &s.reply_name, &s.reply_to) < 0) {
		rc = dc_error(ctx, DC_ESCHEMA,
		              "setting 'mail.reply_to': '%s' is not a mailbox (addr@example or "
		              "Name <addr@example>)", reply);
		goto done;
	}
	if (!(from = dc_setting(ctx, "mail.from")) || !*from) {
		rc = dc_error(ctx, DC_ESCHEMA, "setting 'mail.from' is empty");
		goto done;
	}
	/* "Stadt Musterstadt <noreply@musterstadt.example>" names itself; a bare address is
	 * the city's */
	if (dc_mail_parse(from, &s.from_name, &s.from) < 0) {
		rc = dc_error(ctx, DC_ESCHEMA,
		              "setting 'mail.from': '%s' is not a mailbox (addr@example or "
		              "Name <addr@example>)", from);
		goto done;
	}
	if (!s.from_name)
		s.from_name = dc_setting(ctx, "city.name");
	dc_random_hex(token, 16);
	while (!rc && (!o->limit || done < o->limit)) {
		long want = o->limit && o->limit - done < BATCH ? o->limit - done : BATCH;

		if ((rc = claim(ctx, token, want)) || (rc = fetch(ctx, token, &items, &n)))
			break;
		if (!n)
			break;
		for (i = 0; i < n; i++) {
			char *mid = NULL, *err = NULL;

			if (!rc) {
				err = deliver(ctx, &s, &items[i], &mid);
				failed += err != NULL;
				if (err) {
					free(last);
					last = dc_strdup(err);
				}
				rc = book(ctx, &s, &items[i], token, mid, err);
				done++;
			}
			free(err);
			free(mid);
			item_free(&items[i]);
		}
	}
done:
	free(items);
	free(from);
	free(reply);
	free(s.reply_name);
	free(s.from);
	free(s.from_name);
	free(s.reply_to);
	out = dc_out_end(ctx);
	/* dc-notify(8) EXIT STATUS: some failed will be retried (75, which dc-cron keeps quiet);
	 * all failed is a dead transport, which it reports */
	if (!rc && !out && failed && failed == done)
		out = dc_error(ctx, DC_EDB, "all %ld deliveries failed (is the transport down?); "
		               "the last: %s", done, last);
	else if (!rc && !out && failed)
		out = dc_error(ctx, DC_EBUSY,
		               "%d of %ld deliveries failed; the next run retries them "
		               "(dc-notify list --status failed); the last: %s",
		               failed, done, last);
	free(last);
	return rc ? rc : out;
}
