-- dcity schema 5: outbox delivery (dc-notify(8)).  A runner claims due rows by setting status
-- 'sending' with its token and the time; a claim older than 15 minutes is taken again.

ALTER TABLE outbox ADD COLUMN claim TEXT;       -- token of the runner holding a 'sending' row
ALTER TABLE outbox ADD COLUMN claimed_at TEXT;
ALTER TABLE outbox ADD COLUMN message_id TEXT;  -- set at the first delivery attempt
ALTER TABLE outbox ADD COLUMN transport TEXT;   -- maildir, sendmail, exec: of the last attempt
ALTER TABLE outbox ADD COLUMN unsubscribe TEXT; -- List-Unsubscribe target (digests)
CREATE INDEX outbox_claim ON outbox(claim);

-- overdue reminders: at most one per case, recipient and local day
CREATE TABLE notify_escalation (
	case_id   TEXT NOT NULL,
	day       TEXT NOT NULL,        -- local date YYYY-MM-DD
	recipient TEXT NOT NULL,
	outbox_id INTEGER NOT NULL,
	at        TEXT NOT NULL,
	PRIMARY KEY (case_id, day, recipient)
) STRICT;

-- digests: the end (exclusive local date) of the last window sent per period
CREATE TABLE notify_digest (
	period     TEXT PRIMARY KEY CHECK (period IN ('daily', 'weekly')),
	window_end TEXT NOT NULL,
	at         TEXT NOT NULL
) STRICT;

-- the key of the unsubscribe tokens, made once per database
CREATE TABLE notify_secret (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;
