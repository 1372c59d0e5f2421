-- dcity schema 7: a catalog import keeps the search index up to date in two statements at the
-- end of the file instead of row by row.  FTS5 writes its pending terms out at every statement
-- savepoint, so the per-row triggers made each imported item a separate index flush: half the
-- instructions of an import (callgrind).  The import sets `deferred` inside its transaction,
-- notes what it changed, and indexes it in bulk before it commits; every other writer (and a
-- sqlite3 shell) still goes through the triggers, so the index never falls out of step.
CREATE TABLE catalog_fts_defer (
	deferred INTEGER NOT NULL CHECK (deferred = 0 OR deferred = 1)
) STRICT;
INSERT INTO catalog_fts_defer(deferred) VALUES (0);

DROP TRIGGER catalog_fts_ai;
DROP TRIGGER catalog_fts_ad;
DROP TRIGGER catalog_fts_au;
CREATE TRIGGER catalog_fts_ai AFTER INSERT ON catalog_item
	WHEN NOT (SELECT deferred FROM catalog_fts_defer) BEGIN
	INSERT INTO catalog_fts(rowid, name, description, category, sku, gtin)
	VALUES (new.id, new.name, new.description, new.category, new.sku, new.gtin);
END;
CREATE TRIGGER catalog_fts_ad AFTER DELETE ON catalog_item
	WHEN NOT (SELECT deferred FROM catalog_fts_defer) BEGIN
	INSERT INTO catalog_fts(catalog_fts, rowid, name, description, category, sku, gtin)
	VALUES ('delete', old.id, old.name, old.description, old.category, old.sku, old.gtin);
END;
CREATE TRIGGER catalog_fts_au AFTER UPDATE OF name, description, category, sku, gtin
	ON catalog_item WHEN NOT (SELECT deferred FROM catalog_fts_defer) BEGIN
	INSERT INTO catalog_fts(catalog_fts, rowid, name, description, category, sku, gtin)
	VALUES ('delete', old.id, old.name, old.description, old.category, old.sku, old.gtin);
	INSERT INTO catalog_fts(rowid, name, description, category, sku, gtin)
	VALUES (new.id, new.name, new.description, new.category, new.sku, new.gtin);
END;
