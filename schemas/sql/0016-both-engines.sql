-- dcity schema 16: the commands run on PostgreSQL too (docs/postgresql.md "The backend").
-- A follow gets a key of its own, id: dc-subject named a follow by SQLite's rowid, which
-- PostgreSQL has not.  Each follow keeps its rowid as its id (an INTEGER PRIMARY KEY is the
-- rowid), so nothing a user sees changes.  The PostgreSQL twin
-- (schemas/pg/0016-both-engines.sql) also gives PostgreSQL the functions SQLite has built in
-- that dcity's SQL calls (date(), strftime(), json_each() over text, json_group_array(),
-- group_concat(), …).
CREATE TABLE follow_new (
	member   TEXT NOT NULL REFERENCES member(handle),
	topic    TEXT,
	district TEXT,
	created_at TEXT NOT NULL,
	id       INTEGER PRIMARY KEY,
	CHECK ((topic IS NULL) <> (district IS NULL))
) STRICT;
INSERT INTO follow_new(member, topic, district, created_at, id)
	SELECT member, topic, district, created_at, rowid FROM follow;
DROP TABLE follow;
ALTER TABLE follow_new RENAME TO follow;
CREATE UNIQUE INDEX follow_unique ON follow(member, coalesce(topic, ''), coalesce(district, ''));
