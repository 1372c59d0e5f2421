-- dcity schema 15: the audit trail forgets citizens' handles and addresses too (GDPR Art. 17).
-- Schema 8 made personal notes erasable; but a feed or shop event written on a citizen's
-- behalf keeps the member handle or the guest's email address in on_behalf_of, and a member's
-- own events (created, follow, changed) carry the handle as their ref.  These become
-- pseudonymous the same way: the chain covers SHA-256(salt || value) with a random salt of
-- its own per field, not the value, so dc-subject erase can remove value and salt and the
-- chain still verifies (lib/core/audit.c).  An erased on_behalf_of is NULL, an erased ref
-- '-' (ref is NOT NULL).  Events written before this schema have no such hash; their handles
-- stay in the chain and dc-subject find lists them as kept.
ALTER TABLE event ADD COLUMN who_salt TEXT;
ALTER TABLE event ADD COLUMN who_hash TEXT;
ALTER TABLE event ADD COLUMN ref_salt TEXT;
ALTER TABLE event ADD COLUMN ref_hash TEXT;

-- Append-only, except for exactly these erasures, each allowed only where the chain holds the
-- field's hash: note and note_salt to NULL; on_behalf_of and who_salt to NULL; ref to '-' and
-- ref_salt to NULL.  Every other column unchanged.
DROP TRIGGER event_no_update;
CREATE TRIGGER event_no_update BEFORE UPDATE ON event
	WHEN new.id IS NOT old.id OR new.at IS NOT old.at OR new.entity IS NOT old.entity
	  OR new.kind IS NOT old.kind OR new.actor IS NOT old.actor
	  OR new.from_value IS NOT old.from_value OR new.to_value IS NOT old.to_value
	  OR new.visibility IS NOT old.visibility OR new.prev_hash IS NOT old.prev_hash
	  OR new.hash IS NOT old.hash OR new.note_hash IS NOT old.note_hash
	  OR new.who_hash IS NOT old.who_hash OR new.ref_hash IS NOT old.ref_hash
	  OR ((new.note IS NOT old.note OR new.note_salt IS NOT old.note_salt)
	      AND (old.note_hash IS NULL OR new.note IS NOT NULL OR new.note_salt IS NOT NULL))
	  OR ((new.on_behalf_of IS NOT old.on_behalf_of OR new.who_salt IS NOT old.who_salt)
	      AND (old.who_hash IS NULL OR new.on_behalf_of IS NOT NULL
	           OR new.who_salt IS NOT NULL))
	  OR ((new.ref IS NOT old.ref OR new.ref_salt IS NOT old.ref_salt)
	      AND (old.ref_hash IS NULL OR new.ref IS NOT '-' OR new.ref_salt IS NOT NULL))
	BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
