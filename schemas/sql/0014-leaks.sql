-- dcity schema 14 (leaks): the role privacy, the data-protection officer (issue 19 item 7).
-- She reads what the auditor reads and writes only through the data-subject verbs (dcity(7)
-- "Identity and roles").  SQLite cannot change a CHECK, so the staff table is rebuilt by
-- SQLite's documented procedure (lang_altertable.html, "Making Other Kinds Of Table Schema
-- Changes"), as schema 6 rebuilt cases and outbox: rows and rowids copied, the index made
-- again; absence, cases and api_key name staff(login) and keep pointing at the new table, and
-- migrate() checks the foreign keys before committing.  The value list is an OR chain, as
-- schema 6 explains.

CREATE TABLE new_staff (
	login      TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	dept       TEXT REFERENCES dept(code),
	role       TEXT NOT NULL CHECK (role = 'admin' OR role = 'head' OR role = 'clerk'
	                                OR role = 'buyer' OR role = 'moderator'
	                                OR role = 'integrator' OR role = 'auditor'
	                                OR role = 'privacy'),
	email      TEXT,
	active     INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL
) STRICT;
INSERT INTO new_staff(rowid, login, name, dept, role, email, active, created_at)
SELECT rowid, login, name, dept, role, email, active, created_at FROM staff;
DROP TABLE staff;
ALTER TABLE new_staff RENAME TO staff;
CREATE INDEX staff_dept ON staff(dept);
