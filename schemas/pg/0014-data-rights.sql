-- The PostgreSQL twin of schemas/sql/0014-data-rights.sql (docs/postgresql.md): citizens' data
-- rights and the archive law.  The same tables, columns and constraints; SQLite's
-- `x IS NOT 'V'` is `x IS DISTINCT FROM 'V'` here.

-- ---- the archive offer before destruction (dc-archive(1)) ----
ALTER TABLE service ADD COLUMN archive text NOT NULL DEFAULT 'offer'
	CHECK (archive IN ('offer', 'keep', 'destroy'));

CREATE TABLE archive_record (
	entity            text NOT NULL CHECK (entity IN ('case', 'shop_order', 'order')),
	ref               text NOT NULL,
	uuid              text NOT NULL UNIQUE,
	process           text NOT NULL,
	stage             text NOT NULL CHECK (stage IN ('offered', 'offer_received', 'appraised',
	                                                 'handed_over', 'received', 'imported')),
	appraisal         text CHECK (appraisal IN ('A', 'V')),
	offered_at        text NOT NULL,
	offer_received_at text,
	appraised_at      text,
	handed_over_at    text,
	received_at       text,
	imported_at       text,
	archive_id        text,
	error             text,
	PRIMARY KEY (entity, ref),
	CHECK (stage IN ('offered', 'offer_received') OR appraisal IS NOT NULL),
	CHECK (appraisal IS DISTINCT FROM 'V' OR stage = 'appraised')
);
CREATE INDEX archive_record_process ON archive_record(process, stage);
CREATE INDEX archive_record_stage ON archive_record(stage, appraisal);

-- ---- legal holds (dc-case(1) hold) ----
ALTER TABLE cases ADD COLUMN hold_reason text;
ALTER TABLE cases ADD COLUMN hold_by text;
ALTER TABLE cases ADD COLUMN hold_at text;

-- ---- the role privacy, the data-protection officer ----
-- PostgreSQL changes a CHECK in place: no rebuild of the table as in SQLite.
ALTER TABLE staff DROP CONSTRAINT staff_role_check;
ALTER TABLE staff ADD CONSTRAINT staff_role_check
	CHECK (role IN ('admin', 'head', 'clerk', 'buyer', 'moderator', 'integrator', 'auditor',
	                'privacy'));

UPDATE dc_meta SET user_version = 14;
