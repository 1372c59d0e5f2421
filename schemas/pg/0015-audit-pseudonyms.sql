-- The PostgreSQL twin of schemas/sql/0015-audit-pseudonyms.sql (docs/postgresql.md): the
-- citizen's handle or address in on_behalf_of, and a member event's ref, chained by their
-- salted hashes and so erasable.  IS DISTINCT FROM is SQLite's IS NOT.
ALTER TABLE event ADD COLUMN who_salt text;
ALTER TABLE event ADD COLUMN who_hash text;
ALTER TABLE event ADD COLUMN ref_salt text;
ALTER TABLE event ADD COLUMN ref_hash text;

-- Append-only, except for exactly these erasures, each allowed only where the chain holds the
-- field's hash: note and note_salt to NULL; on_behalf_of and who_salt to NULL; ref to '-' and
-- ref_salt to NULL.  Every other column unchanged.
CREATE OR REPLACE FUNCTION event_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF (new.id, new.at, new.entity, new.kind, new.actor, new.from_value, new.to_value,
	    new.visibility, new.prev_hash, new.hash, new.note_hash, new.who_hash, new.ref_hash)
	   IS DISTINCT FROM
	   (old.id, old.at, old.entity, old.kind, old.actor, old.from_value, old.to_value,
	    old.visibility, old.prev_hash, old.hash, old.note_hash, old.who_hash, old.ref_hash)
	   OR ((new.note, new.note_salt) IS DISTINCT FROM (old.note, old.note_salt)
	       AND (old.note_hash IS NULL OR new.note IS NOT NULL OR new.note_salt IS NOT NULL))
	   OR ((new.on_behalf_of, new.who_salt) IS DISTINCT FROM (old.on_behalf_of, old.who_salt)
	       AND (old.who_hash IS NULL OR new.on_behalf_of IS NOT NULL
	            OR new.who_salt IS NOT NULL))
	   OR ((new.ref, new.ref_salt) IS DISTINCT FROM (old.ref, old.ref_salt)
	       AND (old.ref_hash IS NULL OR new.ref IS DISTINCT FROM '-'
	            OR new.ref_salt IS NOT NULL)) THEN
		RAISE EXCEPTION 'the audit trail is append-only'
			USING ERRCODE = 'integrity_constraint_violation';
	END IF;
	RETURN new;
END $$;

UPDATE dc_meta SET user_version = 15;
