-- dcity schema 3: the community feed (dc-feed(1)): members, posts, comments, follows, flags,
-- keyword filters.  Moderation history lives in the audit trail (entity 'post').

CREATE TABLE member (
	handle     TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	kind       TEXT NOT NULL CHECK (kind IN ('citizen', 'business', 'organisation', 'authority')),
	email      TEXT,
	district   TEXT,
	interests  TEXT NOT NULL DEFAULT '[]',  -- JSON array of topic words
	notify     TEXT NOT NULL DEFAULT 'weekly'
	           CHECK (notify IN ('immediate', 'daily', 'weekly', 'never')),
	active     INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL
) STRICT;

-- status: visible; hidden (by moderators, flags or a filter word: never listed); held (a
-- filter word: waits for a moderator); locked (visible, no new comments).
CREATE TABLE post (
	id          TEXT PRIMARY KEY,            -- P-YYYY-NNNNNN
	author      TEXT NOT NULL REFERENCES member(handle),
	kind        TEXT NOT NULL CHECK (kind IN ('news', 'event', 'offer', 'question', 'notice')),
	title       TEXT NOT NULL,
	body        TEXT NOT NULL,
	district    TEXT,
	topics      TEXT NOT NULL DEFAULT '[]',  -- JSON array
	starts_at   TEXT,                        -- events
	ends_at     TEXT,
	location    TEXT,
	all_day     INTEGER NOT NULL DEFAULT 0,
	ref         TEXT,                        -- e.g. the shop offer a post announces
	status      TEXT NOT NULL DEFAULT 'visible'
	            CHECK (status IN ('visible', 'hidden', 'held', 'locked')),
	hidden_by   TEXT CHECK (hidden_by IN ('moderator', 'flags', 'filter')),
	reason      TEXT,                        -- why hidden/held/locked
	created_by  TEXT NOT NULL,               -- the staff login that acted (integrator, …)
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX post_created ON post(status, created_at);
CREATE INDEX post_district ON post(district, created_at);
CREATE INDEX post_author ON post(author);
CREATE INDEX post_ref ON post(ref);

CREATE TABLE comment (
	id         INTEGER PRIMARY KEY,
	post       TEXT NOT NULL REFERENCES post(id),
	author     TEXT NOT NULL REFERENCES member(handle),
	body       TEXT NOT NULL,
	status     TEXT NOT NULL DEFAULT 'visible' CHECK (status IN ('visible', 'hidden', 'held')),
	hidden_by  TEXT CHECK (hidden_by IN ('moderator', 'filter')),
	reason     TEXT,                         -- why hidden/held (moderator's reason, filter word)
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;
CREATE INDEX comment_post ON comment(post, id);

CREATE TABLE follow (
	member   TEXT NOT NULL REFERENCES member(handle),
	topic    TEXT,
	district TEXT,
	created_at TEXT NOT NULL,
	CHECK ((topic IS NULL) <> (district IS NULL))
) STRICT;
CREATE UNIQUE INDEX follow_unique ON follow(member, coalesce(topic, ''), coalesce(district, ''));

-- one flag per member and post: the same member flagging twice counts once
CREATE TABLE flag (
	post       TEXT NOT NULL REFERENCES post(id),
	member     TEXT NOT NULL REFERENCES member(handle),
	reason     TEXT NOT NULL CHECK (reason IN ('spam', 'offensive', 'off-topic', 'illegal')),
	note       TEXT,
	created_at TEXT NOT NULL,
	PRIMARY KEY (post, member)
) STRICT;

CREATE TABLE filter (
	word       TEXT PRIMARY KEY COLLATE NOCASE,
	action     TEXT NOT NULL CHECK (action IN ('hide', 'hold')),
	created_at TEXT NOT NULL
) STRICT;
