-- dcity schema 10: unit prices to four decimals.  Vendors price screws and toner by the
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
