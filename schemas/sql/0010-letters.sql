-- dcity schema 10: letters that read like letters.  A notification may carry a secret (the
-- tracking token in a case's receipt, when track.url has {token}): it is in the body only
-- until the message is sent, then the body keeps "…" in its place and the secret is gone.
ALTER TABLE outbox ADD COLUMN secret TEXT;
