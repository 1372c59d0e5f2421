-- dcity schema 12: search folds German the way people type.  "grosse", "groesse", "größe" and
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
