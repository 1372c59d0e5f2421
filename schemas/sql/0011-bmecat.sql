-- dcity schema 11: what a BMEcat catalog says about prices and products (issue 13, items 5
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

-- the search index gains search_text: rebuilt with the folding of schema 12 below
