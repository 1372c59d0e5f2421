-- dcity schema 1: settings, sequences, the audit chain, the outbox, the organisation and
-- citizen cases.  Times are RFC 3339 UTC text, dates YYYY-MM-DD, money integer cents.

CREATE TABLE setting (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

CREATE TABLE seq (
	name  TEXT PRIMARY KEY,  -- 'case-2026'
	value INTEGER NOT NULL
) STRICT;

-- Append-only: hash = SHA-256(prev_hash || canonical event); see lib/core/audit.c.
CREATE TABLE event (
	id           INTEGER PRIMARY KEY,
	at           TEXT NOT NULL,
	entity       TEXT NOT NULL,  -- 'case', 'staff', 'dept', 'setting', ...
	ref          TEXT NOT NULL,  -- the entity's id
	kind         TEXT NOT NULL,  -- created, routed, claimed, status, note, ...
	actor        TEXT NOT NULL,
	on_behalf_of TEXT,
	from_value   TEXT,
	to_value     TEXT,
	note         TEXT,
	visibility   TEXT NOT NULL CHECK (visibility IN ('internal', 'public')),
	prev_hash    TEXT NOT NULL,
	hash         TEXT NOT NULL
) STRICT;
CREATE INDEX event_ref ON event(entity, ref, id);
CREATE TRIGGER event_no_update BEFORE UPDATE ON event
	BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER event_no_delete BEFORE DELETE ON event
	BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

CREATE TABLE outbox (
	id         INTEGER PRIMARY KEY,
	created_at TEXT NOT NULL,
	template   TEXT NOT NULL,   -- case-receipt, case-status, case-note, ...
	lang       TEXT NOT NULL,
	recipient  TEXT NOT NULL,
	subject    TEXT NOT NULL,
	body       TEXT NOT NULL,
	ref_type   TEXT,            -- 'case'
	ref_id     TEXT,
	status     TEXT NOT NULL DEFAULT 'pending'
	           CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dead')),
	attempts   INTEGER NOT NULL DEFAULT 0,
	next_at    TEXT,
	sent_at    TEXT,
	last_error TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox(status, next_at);
CREATE INDEX outbox_ref ON outbox(ref_type, ref_id);

CREATE TABLE dept (
	code       TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	email      TEXT,
	created_at TEXT NOT NULL
) STRICT;

CREATE TABLE staff (
	login      TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	dept       TEXT REFERENCES dept(code),
	role       TEXT NOT NULL CHECK (role IN ('admin', 'head', 'clerk', 'buyer', 'moderator',
	                                         'integrator', 'auditor')),
	email      TEXT,
	active     INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL
) STRICT;
CREATE INDEX staff_dept ON staff(dept);

CREATE TABLE absence (
	id         INTEGER PRIMARY KEY,
	login      TEXT NOT NULL REFERENCES staff(login),
	from_date  TEXT NOT NULL,
	until_date TEXT NOT NULL,
	deputy     TEXT NOT NULL REFERENCES staff(login),
	note       TEXT,
	created_at TEXT NOT NULL,
	CHECK (from_date <= until_date)
) STRICT;
CREATE INDEX absence_login ON absence(login, until_date);
CREATE INDEX absence_deputy ON absence(deputy, until_date);

CREATE TABLE holiday (
	date TEXT PRIMARY KEY,
	name TEXT NOT NULL
) STRICT;

CREATE TABLE service (
	code        TEXT PRIMARY KEY,
	name        TEXT NOT NULL,
	kind        TEXT NOT NULL CHECK (kind IN ('report', 'application')),
	dept        TEXT REFERENCES dept(code),
	sla         INTEGER NOT NULL DEFAULT 10,
	description TEXT,
	definition  TEXT NOT NULL DEFAULT '[]',  -- Open311 attributes, JSON array
	active      INTEGER NOT NULL DEFAULT 1,
	created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE route (
	service  TEXT NOT NULL REFERENCES service(code),
	district TEXT NOT NULL,
	dept     TEXT NOT NULL REFERENCES dept(code),
	PRIMARY KEY (service, district)
) STRICT;

CREATE TABLE cases (
	id             TEXT PRIMARY KEY,         -- YYYY-NNNNNN
	service        TEXT NOT NULL REFERENCES service(code),
	dept           TEXT REFERENCES dept(code),
	status         TEXT NOT NULL CHECK (status IN ('new', 'assigned', 'in_progress', 'waiting',
	                                               'resolved', 'closed', 'rejected', 'duplicate')),
	assignee       TEXT REFERENCES staff(login),
	priority       TEXT NOT NULL DEFAULT 'normal'
	               CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
	description    TEXT,
	address        TEXT,
	district       TEXT,
	lat            REAL,
	lon            REAL,
	attributes     TEXT NOT NULL DEFAULT '{}', -- JSON object
	media          TEXT NOT NULL DEFAULT '[]', -- JSON array of URLs
	reporter_name  TEXT,
	reporter_email TEXT,
	reporter_phone TEXT,
	lang           TEXT,
	channel        TEXT CHECK (channel IN ('web', 'phone', 'email', 'counter', 'letter', 'open311')),
	external_id    TEXT UNIQUE,
	duplicate_of   TEXT REFERENCES cases(id),
	token_hash     TEXT,                     -- SHA-256 of the citizen's tracking token
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	due_at         TEXT,
	closed_at      TEXT
) STRICT;
CREATE INDEX cases_queue ON cases(dept, status, due_at);
CREATE INDEX cases_assignee ON cases(assignee, status);
CREATE INDEX cases_status ON cases(status, due_at);
CREATE INDEX cases_reporter ON cases(reporter_email);
CREATE INDEX cases_created ON cases(created_at);
