-- dcity schema 8: privacy (GDPR storage limitation).  Each service may keep its closed cases'
-- personal data for a number of days (dc-case purge --retention); purge marks what it did;
-- and the notes of the audit trail, which may name citizens, become erasable without
-- breaking the hash chain.

-- days a closed case keeps its personal data after the local day it was closed; NULL: no limit
ALTER TABLE service ADD COLUMN retention INTEGER CHECK (retention BETWEEN 0 AND 36500);

-- when dc-case purge removed the case's personal data; NULL: not purged
ALTER TABLE cases ADD COLUMN purged_at TEXT;
-- what purge looks for; open cases (closed_at NULL) stay out of it, so intake does not pay
CREATE INDEX cases_purge ON cases(status, closed_at)
	WHERE closed_at IS NOT NULL AND purged_at IS NULL;

-- A note that may hold personal data (a clerk's or citizen's free text) is written with a
-- random salt and note_hash = SHA-256(note_salt || note); the chain covers note_hash, not the
-- note.  Purging sets note and note_salt to NULL: the chain still verifies, and without the
-- salt the hash cannot be matched against guessed texts.  Events written before this schema
-- have note_hash NULL; their notes are in the chain and cannot be erased.
ALTER TABLE event ADD COLUMN note_salt TEXT;
ALTER TABLE event ADD COLUMN note_hash TEXT;

-- Append-only, except for exactly that erasure: note and note_salt to NULL on a row that has
-- a note_hash, every other column unchanged.
DROP TRIGGER event_no_update;
CREATE TRIGGER event_no_update BEFORE UPDATE ON event
	WHEN old.note_hash IS NULL OR new.note IS NOT NULL OR new.note_salt IS NOT NULL
	  OR new.note_hash IS NOT old.note_hash OR new.id IS NOT old.id OR new.at IS NOT old.at
	  OR new.entity IS NOT old.entity OR new.ref IS NOT old.ref OR new.kind IS NOT old.kind
	  OR new.actor IS NOT old.actor OR new.on_behalf_of IS NOT old.on_behalf_of
	  OR new.from_value IS NOT old.from_value OR new.to_value IS NOT old.to_value
	  OR new.visibility IS NOT old.visibility OR new.prev_hash IS NOT old.prev_hash
	  OR new.hash IS NOT old.hash
	BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
