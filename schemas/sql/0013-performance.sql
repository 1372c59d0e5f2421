-- dcity schema 13: catalog imports that never block the clerks (issue 18).
--
-- A catalog import used to be one transaction: a 1,000,000-row file held the write lock for
-- most of a minute, and every clerk's note waited for it or gave up with exit 75.  Now an
-- import writes the new catalog beside the old one in short transactions (each holds the
-- lock for about 100 ms) and makes it current in one short transaction at the end; readers
-- see the old catalog or the new one, never a mixture (dc-order(1) "Catalog imports").
--
-- Each row of catalog_item is one version of an item.  gen is the import that wrote the
-- version (0: before schema 13), retired the import that replaced it (NULL: not replaced).
-- vendor.catalog_gen is the import that is the vendor's current catalog; a version is
-- current when gen <= catalog_gen and it is not retired at or before catalog_gen — the view
-- catalog_live.  An import that is still staging has its own versions (gen above
-- catalog_gen, invisible) and marks the versions it replaces (retired above catalog_gen,
-- still visible); making it current is setting catalog_gen, after which the replaced
-- versions are deleted in short batches.  A killed import leaves both kinds: dc check finds
-- them by catalog_import.state = 'staging' and a process that is gone, and cleans them
-- (so does the vendor's next import).
--
-- Unchanged items are not copied: a version stays current across imports until a file
-- changes it, so a re-import that changes nothing writes nothing but its catalog_import row.

ALTER TABLE vendor ADD COLUMN catalog_gen INTEGER NOT NULL DEFAULT 0;

-- staging: the import is still writing (pid: its process; first_id: the versions it writes
-- have ids above it; indexed_to: the search index holds them up to this id)
ALTER TABLE catalog_import ADD COLUMN state TEXT NOT NULL DEFAULT 'done'
	CHECK (state IN ('staging', 'done'));
ALTER TABLE catalog_import ADD COLUMN pid INTEGER;
ALTER TABLE catalog_import ADD COLUMN first_id INTEGER;
ALTER TABLE catalog_import ADD COLUMN indexed_to INTEGER;

-- catalog_item is rebuilt: UNIQUE (vendor, sku) becomes one unreplaced version per item.  The
-- search view and the index's triggers name the table, so they are made again; ids are kept,
-- so the search index and price_history stay as they are.
DROP VIEW catalog_fold;
CREATE TABLE catalog_item_v (
	id          INTEGER PRIMARY KEY,
	vendor      TEXT NOT NULL REFERENCES vendor(id),
	sku         TEXT NOT NULL,
	name        TEXT NOT NULL,
	unit        TEXT,
	price       INTEGER,                     -- net per unit, ten-thousandths
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
	on_request  INTEGER NOT NULL DEFAULT 0 CHECK (on_request IN (0, 1)),
	price_type  TEXT,
	prices      TEXT NOT NULL DEFAULT '[]',
	quantity_interval REAL,
	cu_per_ou   REAL,
	search_text TEXT,
	gen         INTEGER NOT NULL DEFAULT 0,  -- catalog_import that wrote this version
	retired     INTEGER,                     -- catalog_import that replaced it
	row_hash    INTEGER                      -- of the file's record it was written from
) STRICT;
INSERT INTO catalog_item_v(id, vendor, sku, name, unit, price, currency, vat, category, gtin,
	description, min_qty, valid_from, valid_until, tiers, attributes, status, updated_at,
	on_request, price_type, prices, quantity_interval, cu_per_ou, search_text)
SELECT id, vendor, sku, name, unit, price, currency, vat, category, gtin, description, min_qty,
	valid_from, valid_until, tiers, attributes, status, updated_at, on_request, price_type,
	prices, quantity_interval, cu_per_ou, search_text FROM catalog_item;
DROP TABLE catalog_item;
ALTER TABLE catalog_item_v RENAME TO catalog_item;
-- one unreplaced version per item; the replaced ones differ by the import that replaced them
CREATE UNIQUE INDEX catalog_item_sku ON catalog_item(vendor, sku, coalesce(retired, 0));
CREATE INDEX catalog_item_retired ON catalog_item(retired) WHERE retired IS NOT NULL;

-- A re-import compares an item by row_hash first (a hash of the file's record and of how it
-- was read): an equal hash is an unchanged item, without reading its numbers or building its
-- JSON.  Whoever changes an item otherwise (a BMEcat category map, a discontinuation, the
-- sqlite3 shell) leaves the hash as it was, and this trigger forgets it.
CREATE TRIGGER catalog_item_hash AFTER UPDATE OF vendor, sku, name, unit, price, currency,
	vat, category, gtin, description, min_qty, valid_from, valid_until, tiers, attributes,
	status, on_request, price_type, prices, quantity_interval, cu_per_ou, search_text
	ON catalog_item WHEN new.row_hash IS NOT NULL AND new.row_hash = old.row_hash BEGIN
	UPDATE catalog_item SET row_hash = NULL WHERE id = new.id;
END;

CREATE VIEW catalog_live AS SELECT i.* FROM catalog_item i JOIN vendor v ON v.id = i.vendor
	WHERE i.gen <= v.catalog_gen AND (i.retired IS NULL OR i.retired > v.catalog_gen);

-- The search view of schema 9, without the versions that a staging import has written and not
-- yet indexed (it indexes them in batches, and notes how far it got in indexed_to): so the
-- index matches its view at every moment, also after a kill, and FTS5's integrity-check and
-- rebuild keep working.  The triggers of schema 9, unchanged.
CREATE VIEW catalog_fold AS SELECT i.id,
	replace(replace(replace(replace(replace(replace(replace(replace(replace(replace
		(replace(replace(lower(name), 'ä', 'a'), 'Ä', 'a'), 'ö', 'o'), 'Ö', 'o'), 'ü',
		'u'), 'Ü', 'u'), 'ẞ', 'ss'), 'ß', 'ss'), 'ae', 'a'), 'oe', 'o'), 'ue', 'u'),
		'ss', 's') AS name,
	replace(replace(replace(replace(replace(replace(replace(replace(replace(replace
		(replace(replace(lower(description), 'ä', 'a'), 'Ä', 'a'), 'ö', 'o'), 'Ö',
		'o'), 'ü', 'u'), 'Ü', 'u'), 'ẞ', 'ss'), 'ß', 'ss'), 'ae', 'a'), 'oe', 'o'),
		'ue', 'u'), 'ss', 's') AS description,
	replace(replace(replace(replace(replace(replace(replace(replace(replace(replace
		(replace(replace(lower(category), 'ä', 'a'), 'Ä', 'a'), 'ö', 'o'), 'Ö', 'o'),
		'ü', 'u'), 'Ü', 'u'), 'ẞ', 'ss'), 'ß', 'ss'), 'ae', 'a'), 'oe', 'o'), 'ue',
		'u'), 'ss', 's') AS category,
	replace(replace(replace(replace(replace(replace(replace(replace(replace(replace
		(replace(replace(lower(sku), 'ä', 'a'), 'Ä', 'a'), 'ö', 'o'), 'Ö', 'o'), 'ü',
		'u'), 'Ü', 'u'), 'ẞ', 'ss'), 'ß', 'ss'), 'ae', 'a'), 'oe', 'o'), 'ue', 'u'),
		'ss', 's') AS sku,
	gtin,
	replace(replace(replace(replace(replace(replace(replace(replace(replace(replace
		(replace(replace(lower(search_text), 'ä', 'a'), 'Ä', 'a'), 'ö', 'o'), 'Ö',
		'o'), 'ü', 'u'), 'Ü', 'u'), 'ẞ', 'ss'), 'ß', 'ss'), 'ae', 'a'), 'oe', 'o'),
		'ue', 'u'), 'ss', 's') AS search_text
FROM catalog_item i
WHERE NOT EXISTS (SELECT 1 FROM catalog_import c WHERE c.state = 'staging' AND c.id = i.gen
	AND i.id > coalesce(c.indexed_to, c.first_id));
CREATE TRIGGER catalog_fts_ai AFTER INSERT ON catalog_item
	WHEN NOT (SELECT deferred FROM catalog_fts_defer) BEGIN
	INSERT INTO catalog_fts(rowid, name, description, category, sku, gtin, search_text)
	SELECT id, name, description, category, sku, gtin, search_text FROM catalog_fold
	WHERE id = new.id;
END;
CREATE TRIGGER catalog_fts_bd BEFORE DELETE ON catalog_item
	WHEN NOT (SELECT deferred FROM catalog_fts_defer) BEGIN
	INSERT INTO catalog_fts(catalog_fts, rowid, name, description, category, sku, gtin,
	                        search_text)
	SELECT 'delete', id, name, description, category, sku, gtin, search_text
	FROM catalog_fold
	WHERE id = old.id;
END;
CREATE TRIGGER catalog_fts_bu BEFORE UPDATE OF name, description, category, sku, gtin,
	search_text ON catalog_item WHEN NOT (SELECT deferred FROM catalog_fts_defer) BEGIN
	INSERT INTO catalog_fts(catalog_fts, rowid, name, description, category, sku, gtin,
	                        search_text)
	SELECT 'delete', id, name, description, category, sku, gtin, search_text
	FROM catalog_fold
	WHERE id = old.id;
END;
CREATE TRIGGER catalog_fts_au AFTER UPDATE OF name, description, category, sku, gtin,
	search_text ON catalog_item WHEN NOT (SELECT deferred FROM catalog_fts_defer) BEGIN
	INSERT INTO catalog_fts(rowid, name, description, category, sku, gtin, search_text)
	SELECT id, name, description, category, sku, gtin, search_text FROM catalog_fold
	WHERE id = new.id;
END;
