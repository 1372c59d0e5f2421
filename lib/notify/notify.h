/*
 * dc-notify: delivery of the outbox (dc-notify(8)) — claiming due rows, building RFC 5322/MIME
 * messages, the transports (Maildir, a sendmail-compatible command, a JSON command), overdue
 * escalations and member digests.  Every char * returned is the caller's to free().
 */
#ifndef DC_NOTIFY_H
#define DC_NOTIFY_H

#include "core/dc.h"

/* ---- MIME: pure functions, no context (tests/unit/test_mime.c) ---------------------------- */
/* An attachment, sent base64-encoded after the text; every field borrowed. */
struct dc_mime_part {
	const char *filename;     /* printable ASCII without quotes: PO-2026-000001.xml */
	const char *content_type; /* application/xml */
	const char *data;
	size_t len;
};

/* One message; every field borrowed.  NULL or "" leaves an optional header out. */
struct dc_mime_msg {
	const char *from_name;        /* display name of From (any UTF-8) or NULL */
	const char *from_addr;        /* addr-spec */
	const char *to;               /* addr-spec */
	const char *reply_to;         /* addr-spec, optional */
	const char *subject;          /* UTF-8, one line */
	const char *message_id;       /* "<…@…>" */
	const char *list_unsubscribe; /* URL, optional; written as <URL> */
	const char *body;             /* UTF-8 text, LF or CRLF line ends */
	time_t date;
	const char *reply_to_name;    /* the display name of Reply-To or NULL */
	const struct dc_mime_part *parts; /* attachments: multipart/mixed when NPARTS > 0 */
	size_t nparts;
};

/* Quoted-printable (RFC 2045 6.7) of UTF-8 text: CRLF line ends, lines ≤ 76 with soft
 * breaks, '=', controls and non-ASCII escaped, whitespace before a line end escaped. */
char *dc_mime_qp(const char *text);
/* RFC 2047 B encoded words for S, each ≤ 75 characters and whole UTF-8 characters, joined by
 * CRLF SP so that no line passes 76 characters; USED is what stands before S on its line. */
char *dc_mime_words(const char *s, size_t used);
/* "Name: value" with CRLF: value as is when it is printable ASCII (folded at spaces past 78
 * characters), else as encoded words. */
char *dc_mime_header(const char *name, const char *value);
/* RFC 5322 date in UTC: "Sat, 28 Nov 2026 09:30:00 +0000". */
void dc_mime_date(time_t t, char buf[40]);
/* <dcity.ID.HEX@DOMAIN>: HEX from SHA-256 of "ID|CREATED_AT", DOMAIN that of FROM. */
char *dc_mime_message_id(long long id, const char *created_at, const char *from);
/* The whole message, headers and quoted-printable body, CRLF throughout; with attachments a
 * multipart/mixed of the body and each part in base64. */
char *dc_mime_message(const struct dc_mime_msg *m);

/* ---- the verbs ------------------------------------------------------------------------- */
extern const struct dc_rectype dc_rt_notification;
/* The notification record's columns, selected FROM outbox (dc-export notifications too). */
#define DC_NOTIFY_COLS                                                                         \
	"id, created_at, template, lang, recipient, subject, status, attempts, next_at, sent_at,"  \
	" last_error, ref_type, ref_id, message_id, transport,"                                    \
	" (SELECT json_group_array(json_object('filename', a.filename, 'content_type',"            \
	"   a.content_type, 'bytes', length(CAST(a.content AS BLOB))))"                            \
	"  FROM (SELECT * FROM outbox_attachment a WHERE a.outbox_id = outbox.id ORDER BY a.seq) a)"

enum dc_transport { DC_TR_MAILDIR, DC_TR_SENDMAIL, DC_TR_EXEC };
struct dc_notify_opts {
	enum dc_transport transport;
	const char *target; /* the Maildir or the command; borrowed */
	long limit;         /* at most this many deliveries; 0 = no limit */
};

int dc_notify_run(struct dc *ctx, const struct dc_notify_opts *o);
int dc_notify_plan(struct dc *ctx);
/* dc-notify list's filter; dc_notify_list checks it. */
extern const struct dc_opt dc_notify_list_spec[];
int dc_notify_list(struct dc *ctx, struct dc_args *filter);
int dc_notify_retry(struct dc *ctx, const char *id, struct dc_args *a);
int dc_notify_show(struct dc *ctx, const char *id, const char *extra);
int dc_notify_dead_ids(struct dc *ctx, struct dc_args *a); /* appends ids of dead rows */
int dc_notify_escalate(struct dc *ctx);
int dc_notify_digest(struct dc *ctx, const char *period);

#endif
