-- dcity schema 4: the local marketplace (dc-shop(1)): merchants, products, services and
-- requests, offers, pickup slots, and orders that reserve stock.

CREATE TABLE merchant (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	owner      TEXT REFERENCES member(handle),
	email      TEXT,
	address    TEXT,
	district   TEXT,
	category   TEXT,
	active     INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL
) STRICT;

CREATE TABLE product (
	id          INTEGER PRIMARY KEY,
	merchant    TEXT NOT NULL REFERENCES merchant(id),
	sku         TEXT NOT NULL,
	name        TEXT NOT NULL,
	price       INTEGER NOT NULL,               -- cents, gross (consumer prices)
	stock       INTEGER NOT NULL DEFAULT 0 CHECK (stock >= 0),  -- available, not reserved
	unit        TEXT,
	category    TEXT,
	description TEXT,
	active      INTEGER NOT NULL DEFAULT 1,
	updated_at  TEXT NOT NULL,
	UNIQUE (merchant, sku)
) STRICT;

CREATE VIRTUAL TABLE product_fts USING fts5(
	name, description, category, sku,
	content = 'product', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER product_fts_ai AFTER INSERT ON product BEGIN
	INSERT INTO product_fts(rowid, name, description, category, sku)
	VALUES (new.id, new.name, new.description, new.category, new.sku);
END;
CREATE TRIGGER product_fts_ad AFTER DELETE ON product BEGIN
	INSERT INTO product_fts(product_fts, rowid, name, description, category, sku)
	VALUES ('delete', old.id, old.name, old.description, old.category, old.sku);
END;
CREATE TRIGGER product_fts_au AFTER UPDATE OF name, description, category, sku ON product BEGIN
	INSERT INTO product_fts(product_fts, rowid, name, description, category, sku)
	VALUES ('delete', old.id, old.name, old.description, old.category, old.sku);
	INSERT INTO product_fts(rowid, name, description, category, sku)
	VALUES (new.id, new.name, new.description, new.category, new.sku);
END;

CREATE TABLE shop_service (
	merchant   TEXT NOT NULL REFERENCES merchant(id),
	code       TEXT NOT NULL,
	name       TEXT NOT NULL,
	price_from INTEGER,  -- cents
	created_at TEXT NOT NULL,
	PRIMARY KEY (merchant, code)
) STRICT;

CREATE TABLE service_request (
	id         TEXT PRIMARY KEY,  -- R-YYYY-NNNNNN
	merchant   TEXT NOT NULL REFERENCES merchant(id),
	service    TEXT NOT NULL,
	member     TEXT NOT NULL REFERENCES member(handle),
	text       TEXT NOT NULL,
	status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
	replies    TEXT NOT NULL DEFAULT '[]',  -- JSON [{at, by, text}]
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	FOREIGN KEY (merchant, service) REFERENCES shop_service(merchant, code)
) STRICT;

-- An offer is active while from <= now < until and sold < max_qty (if set); it ends by the
-- clock alone, and dc-shop expire records the end.
CREATE TABLE offer (
	id         TEXT PRIMARY KEY,  -- O-YYYY-NNNNNN
	merchant   TEXT NOT NULL REFERENCES merchant(id),
	title      TEXT NOT NULL,
	product    INTEGER REFERENCES product(id),
	price      INTEGER,           -- offer price, cents
	from_at    TEXT NOT NULL,
	until_at   TEXT NOT NULL,
	max_qty    INTEGER,
	sold       INTEGER NOT NULL DEFAULT 0,
	ended_at   TEXT,              -- set by expire or when max_qty is reached
	created_at TEXT NOT NULL,
	CHECK (from_at < until_at)
) STRICT;
CREATE INDEX offer_product ON offer(product, from_at);

CREATE TABLE slot (
	id       INTEGER PRIMARY KEY,
	merchant TEXT NOT NULL REFERENCES merchant(id),
	at       TEXT NOT NULL,       -- pickup time, UTC
	capacity INTEGER NOT NULL CHECK (capacity > 0),
	booked   INTEGER NOT NULL DEFAULT 0 CHECK (booked >= 0 AND booked <= capacity),
	UNIQUE (merchant, at)
) STRICT;

CREATE TABLE shop_order (
	id         TEXT PRIMARY KEY,  -- S-YYYY-NNNNNN, one per merchant
	merchant   TEXT NOT NULL REFERENCES merchant(id),
	member     TEXT REFERENCES member(handle),
	email      TEXT,
	slot       INTEGER REFERENCES slot(id),
	status     TEXT NOT NULL DEFAULT 'reserved'
	           CHECK (status IN ('reserved', 'ready', 'collected', 'cancelled', 'expired')),
	total      INTEGER NOT NULL,  -- cents
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	CHECK (member IS NOT NULL OR email IS NOT NULL)
) STRICT;
CREATE INDEX shop_order_status ON shop_order(status, slot);

CREATE TABLE shop_order_line (
	order_id TEXT NOT NULL REFERENCES shop_order(id),
	line     INTEGER NOT NULL,
	product  INTEGER NOT NULL REFERENCES product(id),
	qty      INTEGER NOT NULL CHECK (qty > 0),
	price    INTEGER NOT NULL,  -- cents each, the offer price if one was active
	offer    TEXT REFERENCES offer(id),
	PRIMARY KEY (order_id, line)
) STRICT;
