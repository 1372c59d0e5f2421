-- dcity schema 12: invoices as records of their own (dc-order(1) "Invoices").  An order had
-- one invoice number and amount; now it has any number of invoices, each with its lines, the
-- file it came in (XRechnung UBL or CII, ZUGFeRD PDF) kept as evidence with its SHA-256, and
-- a status: unmatched (no known order yet), booked, or replaced (by a corrected invoice).
-- Credit notes (type 381) count against the order.  Money in cents, unit prices in
-- ten-thousandths, as everywhere since schema 9.
CREATE TABLE invoice (
	id              TEXT PRIMARY KEY,  -- INV-YYYY-NNNNNN
	order_id        TEXT REFERENCES purchase_order(id),  -- NULL while unmatched
	status          TEXT NOT NULL CHECK (status IN ('unmatched', 'booked', 'replaced')),
	-- BT-3 (UNTDID 1001): 381 credit note, 384 corrected invoice; any other code is booked as
	-- an invoice (380, 389 self-billed, 877, ...)
	type            TEXT NOT NULL CHECK (length(type) = 3 AND type NOT GLOB '*[^0-9]*'),
	number          TEXT NOT NULL,     -- BT-1
	-- whom a duplicate number is counted for: the seller's VAT id, else vendor:ID, else
	-- name:NAME (lib/procure/invoice.c seller_key)
	seller          TEXT NOT NULL,
	seller_name     TEXT,              -- BT-27
	seller_vat_id   TEXT,              -- BT-31
	vendor          TEXT REFERENCES vendor(id),
	issue_date      TEXT,              -- BT-2
	currency        TEXT NOT NULL,     -- BT-5
	buyer_reference TEXT,              -- BT-10, the Leitweg-ID
	order_reference TEXT,              -- BT-13
	preceding       TEXT,              -- BT-25: the invoice a 384 corrects or a 381 credits
	replaces        TEXT REFERENCES invoice(id),
	net             INTEGER,           -- BT-109
	vat             INTEGER,           -- BT-110
	gross           INTEGER NOT NULL,  -- BT-112 (the typed amount of dc-order invoice)
	payable         INTEGER,           -- BT-115
	iban            TEXT,              -- BT-84
	format          TEXT NOT NULL CHECK (format IN ('manual', 'ubl', 'cii', 'pdf')),
	source          TEXT,              -- the file's name
	sha256          TEXT,              -- of file
	file            BLOB,              -- the original bytes
	findings        TEXT NOT NULL DEFAULT '[]',  -- the validator's warnings (JSON array)
	extra_accepted_by TEXT,            -- the head or admin who let extra lines through
	created_by      TEXT NOT NULL,
	created_at      TEXT NOT NULL,
	booked_at       TEXT,
	UNIQUE (seller, number)
) STRICT;
CREATE INDEX invoice_order ON invoice(order_id, status);
CREATE INDEX invoice_unmatched ON invoice(status) WHERE status = 'unmatched';

-- An invoice's lines as the file gives them, and the order line each matched (NULL: an
-- extra line such as freight, booked only with --accept-extra).
CREATE TABLE invoice_line (
	invoice_id TEXT NOT NULL REFERENCES invoice(id),
	pos        INTEGER NOT NULL,  -- 1, 2, ... in the file's order
	line_id    TEXT,              -- BT-126
	order_ref  TEXT,              -- BT-132
	sku        TEXT,              -- BT-155
	name       TEXT,              -- BT-153
	qty        REAL NOT NULL,     -- BT-129
	unit       TEXT,              -- BT-130 (UN/ECE Rec 20)
	price      INTEGER,           -- BT-146 per unit, ten-thousandths
	net        INTEGER NOT NULL,  -- BT-131, cents
	vat        REAL,              -- BT-152, percent
	order_line INTEGER,           -- the matched order line
	PRIMARY KEY (invoice_id, pos)
) STRICT;

-- Whose Leitweg-ID an invoice may name (BT-10): the city's procurement.leitweg_id or its
-- ordering department's.
ALTER TABLE dept ADD COLUMN leitweg_id TEXT;

-- What an order's booked invoices come to, credit notes subtracted: the one definition of
-- "invoiced" that orders, budgets and the reports read.
CREATE VIEW order_invoiced AS
	SELECT order_id, sum(CASE WHEN type = '381' THEN -gross ELSE gross END) AS gross
	FROM invoice WHERE status = 'booked' AND order_id IS NOT NULL GROUP BY order_id;

-- A budget line's committed (approved to received orders, less what was invoiced of them)
-- and spent (the booked invoices of its orders).
CREATE VIEW budget_use AS
	SELECT b.account, b.year,
	       coalesce((SELECT sum(max(o.gross - coalesce(i.gross, 0), 0))
	                 FROM purchase_order o LEFT JOIN order_invoiced i ON i.order_id = o.id
	                 WHERE o.budget = b.account AND o.year = b.year
	                 AND o.status IN ('approved', 'placed', 'received')), 0) AS committed,
	       coalesce((SELECT sum(i.gross) FROM purchase_order o
	                 JOIN order_invoiced i ON i.order_id = o.id
	                 WHERE o.budget = b.account AND o.year = b.year
	                 AND o.status <> 'cancelled'), 0) AS spent
	FROM budget b;

-- Each order invoiced before schema 12 gets its invoice record: a typed one (manual), booked
-- when the order was last changed, numbered in that year as new invoices are.
INSERT INTO invoice(id, order_id, status, type, number, seller, vendor, currency, gross, format,
                    created_by, created_at, booked_at)
	SELECT 'INV-' || substr(o.updated_at, 1, 4) || '-' || printf('%06d', row_number() OVER
	       (PARTITION BY substr(o.updated_at, 1, 4) ORDER BY o.updated_at, o.id)),
	       o.id, 'booked', '380', o.invoice_number,
	       -- one number booked for two orders (a collective invoice) stays two records
	       CASE WHEN EXISTS (SELECT 1 FROM purchase_order p WHERE p.award IS o.award
	                         AND p.invoice_number = o.invoice_number AND p.id < o.id)
	            THEN 'order:' || o.id
	            ELSE coalesce(nullif(upper(replace(v.vat_id, ' ', '')), ''),
	                          'vendor:' || o.award, 'order:' || o.id) END,
	       o.award, 'EUR', o.invoice_amount, 'manual', o.created_by, o.updated_at, o.updated_at
	FROM purchase_order o LEFT JOIN vendor v ON v.id = o.award
	WHERE o.invoice_number IS NOT NULL AND o.invoice_amount IS NOT NULL;
INSERT INTO seq(name, value)
	SELECT 'inv-' || substr(id, 5, 4), max(CAST(substr(id, 10) AS INTEGER)) FROM invoice
	GROUP BY substr(id, 5, 4);

ALTER TABLE purchase_order DROP COLUMN invoice_number;
ALTER TABLE purchase_order DROP COLUMN invoice_amount;

-- E-orders out: a notification may carry attachments.  dc-order place
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
