-- dcity schema 12 (e-orders out): a notification may carry attachments.  dc-order place
-- attaches the openTRANS 2.1 ORDER to the order mail; dc-notify(8) sends a notification with
-- attachments as multipart/mixed, the text first, then each attachment in seq order.  An
-- attachment is text (an XML document), written in the same transaction as its outbox row
-- and kept with it, so that dc-order show -f opentrans prints the very bytes that were sent.
CREATE TABLE outbox_attachment (
	outbox_id    INTEGER NOT NULL REFERENCES outbox(id),
	seq          INTEGER NOT NULL CHECK (seq >= 1),
	filename     TEXT NOT NULL,   -- printable ASCII without quotes: PO-2026-000001.xml
	content_type TEXT NOT NULL,   -- application/xml
	content      TEXT NOT NULL,
	PRIMARY KEY (outbox_id, seq)
) STRICT;
