-- dcity schema 11: the Open311 endpoint dc-open311(8).  Integrators' API keys, and the two
-- identifiers an Open311 client may send with a request, which are personal data: stored
-- with the case, never in public output, removed by purge.

-- An integrator's key: only its SHA-256 is kept (the key is shown once, at `staff key add`).
-- A revoked key stays for the audit trail's sake; id is what `key list` and `key revoke` name.
CREATE TABLE api_key (
	id         INTEGER PRIMARY KEY,
	login      TEXT NOT NULL REFERENCES staff(login),
	key_hash   TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	revoked_at TEXT
) STRICT;
CREATE INDEX api_key_login ON api_key(login);

ALTER TABLE cases ADD COLUMN device_id TEXT;
ALTER TABLE cases ADD COLUMN account_id TEXT;

-- what clients poll by: GET requests?updated_after= (CitySDK) and servicerequestupdates
-- (FixMyStreet) read by time, not by case
CREATE INDEX cases_updated ON cases(updated_at);
CREATE INDEX event_at ON event(at) WHERE entity = 'case' AND visibility = 'public';
