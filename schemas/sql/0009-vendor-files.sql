-- dcity schema 9: real vendor files (issue 13).  Four parts, in this order: how a vendor's
-- files are read; unit prices to four decimals; what a BMEcat catalog says about prices and
-- products; search that folds German the way people type.

-- Vendor files: how a vendor's files are read.  CSV and TSV catalogs from a vendor whose
-- export is not UTF-8, or whose header names are its own, are read by these settings when the
-- command line does not say otherwise (dc-order vendor set --encoding, --columns).

-- the encoding of the vendor's CSV and TSV files; NULL: --encoding, else auto
ALTER TABLE vendor ADD COLUMN encoding TEXT
	CHECK (encoding IN ('auto', 'utf-8', 'windows-1252', 'iso-8859-1', 'iso-8859-15'));
-- the vendor's own header names, "HEADER=field,..." ("Art.Nr.=sku,VK=price"); NULL: none
ALTER TABLE vendor ADD COLUMN columns TEXT;

-- prices: BEGIN (tests/bats/prices.bats runs the statements between these two lines)
-- Prices: unit prices to four decimals.  Vendors price screws and toner by the
-- tenth of a cent (0,1234 €); cents lost that, and an order of 10,000 of them was 12 € off.
-- A unit price is now INTEGER ten-thousandths of its currency; money (an order's net and
-- gross, quotes, budgets, invoices, shop prices and totals) stays INTEGER cents.  An order
-- line's net is qty × unit_net rounded half up to cents (dcity(7) NUMBERS).
--
-- Shop product, offer and service prices stay cents: they are consumer prices, shown and
-- charged in whole cents (PAngV), and a shop order's total is qty × price, exact in cents.
-- Quotes stay cents too: a quote is an offer for the whole order, not a unit price.

UPDATE catalog_item SET price = price * 100 WHERE price IS NOT NULL;   -- net per unit
UPDATE price_history SET price = price * 100 WHERE price IS NOT NULL;
UPDATE order_line SET unit_net = unit_net * 100;                        -- frozen unit price
-- prices: END

-- BMEcat: what a BMEcat catalog says about prices and products (items 5
-- and 6).  An item may be priced on request (no price, never 0); the price type used and every
-- price of the file with its raw values (amount, factor, quantity, tax, lower bound, period)
-- stay with the item, so an order takes the period in force on its own date; the order rules
-- (interval, content units per order unit) are checked when ordering; features, media and
-- classification text become searchable.  An order line from an item on request has no
-- price until the vendor's quote is awarded.
ALTER TABLE catalog_item ADD COLUMN on_request INTEGER NOT NULL DEFAULT 0
	CHECK (on_request IN (0, 1));
ALTER TABLE catalog_item ADD COLUMN price_type TEXT;
-- JSON [{"type", "amount", "currency", "factor", "quantity", "lower_bound", "tax",
--        "valid_from", "valid_until", "unit_price"}], as in the file; unit_price is net per
-- order unit with four decimals
ALTER TABLE catalog_item ADD COLUMN prices TEXT NOT NULL DEFAULT '[]';
ALTER TABLE catalog_item ADD COLUMN quantity_interval REAL;
ALTER TABLE catalog_item ADD COLUMN cu_per_ou REAL;
-- keywords, manufacturer, classification and feature text for the search index only
ALTER TABLE catalog_item ADD COLUMN search_text TEXT;
UPDATE catalog_item SET on_request = 1 WHERE price IS NULL;

ALTER TABLE order_line ADD COLUMN on_request INTEGER NOT NULL DEFAULT 0
	CHECK (on_request IN (0, 1));

-- the search index gains search_text: rebuilt with the folding below

-- Search: search folds German the way people type.  "grosse", "groesse", "größe" and
-- "GRÖSSE" all find "Größe", "strasse" finds "Straße", "Muller" and "Mueller" find "Müller".
--
-- Both the indexed text and the query are folded to one canonical form: lower case (ASCII;
-- unicode61 lowers the rest), ä/ae -> a, ö/oe -> o, ü/ue -> u, ß -> ss, then ss -> s.  Folding
-- both sides the same way is what makes every spelling find every other: "groesse", "grosse"
-- and "größe" all become "grose".  The price is a few merges of words that differ only there
-- ("Masse" and "Maße", "Buße" and "Busse", "Poet" and "Pot"), which in a search that already
-- matches prefixes costs a handful of extra hits, never a missed one.
--
-- The views fold with built-in SQL functions only (lower, replace), not a custom tokenizer:
-- the sqlite3 shell and anything else that opens the database can still write catalog items
-- and products (the triggers fold), read the index and rebuild it.  The FTS5 tables keep
-- their columns and tokenizer; their external content is now a view that folds the text
-- columns (gtin holds digits only).  dcity's own connections also have dc_fold(X), the same
-- folding in C (lib/core/util.c; test_db checks the two agree), for the queries, the case
-- search and a catalog import's bulk indexing, where the chain of replace() calls cost a
-- third of the import's time.
--
-- The triggers take the folded text from the view: for a delete or an update the entry to
-- remove is read before the row changes (BEFORE), the new one after (AFTER).

-- catalog items (0002, 0007: the triggers stand aside while an import indexes in bulk)
DROP TRIGGER catalog_fts_ai;
DROP TRIGGER catalog_fts_ad;
DROP TRIGGER catalog_fts_au;
DROP TABLE catalog_fts;
CREATE VIEW catalog_fold AS SELECT id,
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
		(replace(replace(lower(search_text), 'ä', 'a'), 'Ä', 'a'), 'ö', 'o'), 'Ö', 'o'), 'ü',
		'u'), 'Ü', 'u'), 'ẞ', 'ss'), 'ß', 'ss'), 'ae', 'a'), 'oe', 'o'), 'ue', 'u'),
		'ss', 's') AS search_text
FROM catalog_item;
CREATE VIRTUAL TABLE catalog_fts USING fts5(
	name, description, category, sku, gtin, search_text,
	content = 'catalog_fold', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
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
INSERT INTO catalog_fts(catalog_fts) VALUES ('rebuild');

-- shop products (0004)
DROP TRIGGER product_fts_ai;
DROP TRIGGER product_fts_ad;
DROP TRIGGER product_fts_au;
DROP TABLE product_fts;
CREATE VIEW product_fold AS SELECT id,
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
		'ss', 's') AS sku
FROM product;
CREATE VIRTUAL TABLE product_fts USING fts5(
	name, description, category, sku,
	content = 'product_fold', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER product_fts_ai AFTER INSERT ON product BEGIN
	INSERT INTO product_fts(rowid, name, description, category, sku)
	SELECT id, name, description, category, sku FROM product_fold WHERE id = new.id;
END;
CREATE TRIGGER product_fts_bd BEFORE DELETE ON product BEGIN
	INSERT INTO product_fts(product_fts, rowid, name, description, category, sku)
	SELECT 'delete', id, name, description, category, sku FROM product_fold WHERE id = old.id;
END;
CREATE TRIGGER product_fts_bu BEFORE UPDATE OF name, description, category, sku ON product BEGIN
	INSERT INTO product_fts(product_fts, rowid, name, description, category, sku)
	SELECT 'delete', id, name, description, category, sku FROM product_fold WHERE id = old.id;
END;
CREATE TRIGGER product_fts_au AFTER UPDATE OF name, description, category, sku ON product BEGIN
	INSERT INTO product_fts(rowid, name, description, category, sku)
	SELECT id, name, description, category, sku FROM product_fold WHERE id = new.id;
END;
INSERT INTO product_fts(product_fts) VALUES ('rebuild');
