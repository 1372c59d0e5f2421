-- dcity schema 2: vendors and their catalogs (procurement, dc-order(1)).

CREATE TABLE vendor (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	email      TEXT,
	vat_id     TEXT,
	address    TEXT,
	active     INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL
) STRICT;

-- One row per vendor item; never deleted: items missing from a full catalog or deleted by a
-- BMEcat update become 'discontinued'.  price NULL = on request.
CREATE TABLE catalog_item (
	id          INTEGER PRIMARY KEY,
	vendor      TEXT NOT NULL REFERENCES vendor(id),
	sku         TEXT NOT NULL,
	name        TEXT NOT NULL,
	unit        TEXT,
	price       INTEGER,                     -- net per unit, cents
	currency    TEXT NOT NULL DEFAULT 'EUR',
	vat         REAL,                        -- percent
	category    TEXT,
	gtin        TEXT,
	description TEXT,
	min_qty     REAL,
	valid_from  TEXT,
	valid_until TEXT,
	tiers       TEXT NOT NULL DEFAULT '[]',  -- JSON [{"min_qty": n, "price": x}]
	attributes  TEXT NOT NULL DEFAULT '{}',  -- unknown columns of the vendor's file
	status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'discontinued')),
	updated_at  TEXT NOT NULL,
	UNIQUE (vendor, sku)
) STRICT;

-- A changed price starts a new validity period; orders keep the price they were made at.
CREATE TABLE price_history (
	id         INTEGER PRIMARY KEY,
	item       INTEGER NOT NULL REFERENCES catalog_item(id),
	price      INTEGER,
	currency   TEXT NOT NULL,
	valid_from TEXT NOT NULL,
	valid_to   TEXT,
	import     INTEGER  -- catalog_import(id) that set it
) STRICT;
CREATE INDEX price_history_item ON price_history(item, valid_from);

CREATE TABLE catalog_import (
	id           INTEGER PRIMARY KEY,
	vendor       TEXT NOT NULL REFERENCES vendor(id),
	source       TEXT NOT NULL,
	sha256       TEXT NOT NULL,
	format       TEXT NOT NULL,
	mode         TEXT NOT NULL,
	added        INTEGER NOT NULL,
	changed      INTEGER NOT NULL,
	unchanged    INTEGER NOT NULL,
	discontinued INTEGER NOT NULL,
	rejected     INTEGER NOT NULL,
	commit_id    TEXT,  -- dc-import git: the commit the file came from
	at           TEXT NOT NULL,
	actor        TEXT NOT NULL
) STRICT;
CREATE INDEX catalog_import_sha ON catalog_import(vendor, sha256);

CREATE VIRTUAL TABLE catalog_fts USING fts5(
	name, description, category, sku, gtin,
	content = 'catalog_item', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER catalog_fts_ai AFTER INSERT ON catalog_item BEGIN
	INSERT INTO catalog_fts(rowid, name, description, category, sku, gtin)
	VALUES (new.id, new.name, new.description, new.category, new.sku, new.gtin);
END;
CREATE TRIGGER catalog_fts_ad AFTER DELETE ON catalog_item BEGIN
	INSERT INTO catalog_fts(catalog_fts, rowid, name, description, category, sku, gtin)
	VALUES ('delete', old.id, old.name, old.description, old.category, old.sku, old.gtin);
END;
CREATE TRIGGER catalog_fts_au AFTER UPDATE OF name, description, category, sku, gtin
	ON catalog_item BEGIN
	INSERT INTO catalog_fts(catalog_fts, rowid, name, description, category, sku, gtin)
	VALUES ('delete', old.id, old.name, old.description, old.category, old.sku, old.gtin);
	INSERT INTO catalog_fts(rowid, name, description, category, sku, gtin)
	VALUES (new.id, new.name, new.description, new.category, new.sku, new.gtin);
END;

-- Custom rule profiles (dc-order rules import); the built-in ones are compiled in.
CREATE TABLE rule_profile (
	profile     TEXT PRIMARY KEY,
	title       TEXT NOT NULL,
	body        TEXT NOT NULL,  -- the profile's JSON, as imported
	version     TEXT NOT NULL,  -- profile@first 12 hex digits of its SHA-256
	imported_at TEXT NOT NULL,
	actor       TEXT NOT NULL
) STRICT;

CREATE TABLE framework (
	id         TEXT PRIMARY KEY,
	vendor     TEXT NOT NULL REFERENCES vendor(id),
	title      TEXT NOT NULL,
	from_date  TEXT NOT NULL,
	until_date TEXT NOT NULL,
	max_value  INTEGER NOT NULL,  -- net cents over the whole term
	category   TEXT,
	created_at TEXT NOT NULL,
	CHECK (from_date <= until_date)
) STRICT;

-- committed and spent are derived from the orders, so they cannot drift from them.
CREATE TABLE budget (
	account    TEXT NOT NULL,
	year       INTEGER NOT NULL,
	dept       TEXT NOT NULL REFERENCES dept(code),
	name       TEXT,
	amount     INTEGER NOT NULL,  -- cents
	created_at TEXT NOT NULL,
	PRIMARY KEY (account, year)
) STRICT;

CREATE TABLE purchase_order (
	id                  TEXT PRIMARY KEY,  -- PO-YYYY-NNNNNN
	dept                TEXT NOT NULL REFERENCES dept(code),
	budget              TEXT NOT NULL,
	year                INTEGER NOT NULL,
	status              TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'placed', 'received',
	                                                    'invoiced', 'cancelled')),
	category            TEXT,
	framework           TEXT REFERENCES framework(id),
	justification       TEXT,
	procedure           TEXT NOT NULL,
	min_quotes          INTEGER NOT NULL,
	net                 INTEGER NOT NULL,  -- cents
	gross               INTEGER NOT NULL,
	award               TEXT REFERENCES vendor(id),
	award_reason        TEXT,
	repeat_vendor       INTEGER NOT NULL DEFAULT 0,  -- direct award to the same vendor again
	split_suspect       INTEGER NOT NULL DEFAULT 0,
	split_justification TEXT,
	tender_ref          TEXT,
	rule_profile        TEXT NOT NULL,
	rule_version        TEXT NOT NULL,
	legal_basis         TEXT,
	invoice_number      TEXT,
	invoice_amount      INTEGER,
	cancel_reason       TEXT,
	created_by          TEXT NOT NULL,
	created_at          TEXT NOT NULL,
	updated_at          TEXT NOT NULL,
	FOREIGN KEY (budget, year) REFERENCES budget(account, year)
) STRICT;
CREATE INDEX purchase_order_split ON purchase_order(dept, year, category, status);
CREATE INDEX purchase_order_budget ON purchase_order(budget, year, status);

CREATE TABLE order_line (
	order_id TEXT NOT NULL REFERENCES purchase_order(id),
	line     INTEGER NOT NULL,
	vendor   TEXT REFERENCES vendor(id),
	sku      TEXT,
	text     TEXT NOT NULL,
	qty      REAL NOT NULL CHECK (qty > 0),
	unit     TEXT,
	unit_net INTEGER NOT NULL,  -- cents, frozen when the order was made
	vat      REAL NOT NULL,
	received REAL NOT NULL DEFAULT 0,
	PRIMARY KEY (order_id, line)
) STRICT;

CREATE TABLE quote (
	id       INTEGER PRIMARY KEY,
	order_id TEXT NOT NULL REFERENCES purchase_order(id),
	vendor   TEXT NOT NULL REFERENCES vendor(id),
	amount   INTEGER NOT NULL,  -- net cents
	note     TEXT,
	at       TEXT NOT NULL,
	actor    TEXT NOT NULL
) STRICT;
CREATE INDEX quote_order ON quote(order_id);

-- dc-import git: the commit imported last from each repository and folder.
CREATE TABLE import_source (
	source    TEXT PRIMARY KEY,  -- /abs/repo.git#ref:path
	commit_id TEXT NOT NULL,
	at        TEXT NOT NULL
) STRICT;
