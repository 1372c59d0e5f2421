-- dcity schema 14: citizens' data rights and the archive law (issue 19).  Three parts: the
-- archive offer before destruction (dc-archive(1)), legal holds (dc-subject(1), dc-case(1)),
-- and the role privacy (dcity(7) "Identity and roles").

-- ---- the archive offer before destruction ----
-- dcity schema 14: the archive offer before destruction (Landesarchivgesetze; dc-archive(1)).
-- A record may only be destroyed after the public archive has seen it: each service carries
-- an archive policy (shop orders and procurement files take theirs from settings), and each
-- record offered to the archive has a row here that follows the xdomea Aussonderung
-- (0501 offer, 0504 offer received, 0502 appraisal, 0505 appraisal received, 0503 hand-over,
-- 0507 hand-over received, 0506 import confirmed).

-- offer: offer to the archive before destruction; keep: never destroyed by purge;
-- destroy: the archive appraised the class in advance (nothing to offer)
ALTER TABLE service ADD COLUMN archive TEXT NOT NULL DEFAULT 'offer'
	CHECK (archive IN ('offer', 'keep', 'destroy'));

CREATE TABLE archive_record (
	entity            TEXT NOT NULL CHECK (entity IN ('case', 'shop_order', 'order')),
	ref               TEXT NOT NULL,          -- the record's id
	uuid              TEXT NOT NULL UNIQUE,   -- its xdomea Akte's ID, for good
	process           TEXT NOT NULL,          -- the xdomea ProzessID of its offer
	stage             TEXT NOT NULL CHECK (stage IN ('offered', 'offer_received', 'appraised',
	                                                 'handed_over', 'received', 'imported')),
	appraisal         TEXT CHECK (appraisal IN ('A', 'V')), -- archivwürdig, vernichten
	offered_at        TEXT NOT NULL,
	offer_received_at TEXT,   -- 0504
	appraised_at      TEXT,   -- 0502 read, 0505 written
	handed_over_at    TEXT,   -- 0503 written
	received_at       TEXT,   -- 0507
	imported_at       TEXT,   -- 0506, success
	archive_id        TEXT,   -- the archive's Archivkennung (0506)
	error             TEXT,   -- the archive's Fehlermeldung of a failed import (0506)
	PRIMARY KEY (entity, ref),
	CHECK (stage IN ('offered', 'offer_received') OR appraisal IS NOT NULL),
	CHECK (appraisal IS NOT 'V' OR stage = 'appraised')
) STRICT;
CREATE INDEX archive_record_process ON archive_record(process, stage);
CREATE INDEX archive_record_stage ON archive_record(stage, appraisal);

-- ---- legal holds ----
-- dcity schema 14 (subject): legal holds on cases (dc-case(1) hold, dc-subject(1) erase).  A
-- held case keeps its personal data: dc-case purge skips it, dc-subject erase lists it with
-- the reason.
ALTER TABLE cases ADD COLUMN hold_reason TEXT;
ALTER TABLE cases ADD COLUMN hold_by TEXT;
ALTER TABLE cases ADD COLUMN hold_at TEXT;

-- ---- the role privacy, the data-protection officer ----
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
