-- dcity schema 14 (subject): legal holds on cases (dc-case(1) hold, dc-subject(1) erase).  A
-- held case keeps its personal data: dc-case purge skips it, dc-subject erase lists it with
-- the reason.
ALTER TABLE cases ADD COLUMN hold_reason TEXT;
ALTER TABLE cases ADD COLUMN hold_by TEXT;
ALTER TABLE cases ADD COLUMN hold_at TEXT;
