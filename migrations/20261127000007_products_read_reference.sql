-- A product read from a catalogue is matched to the next reading of it by its reference as
-- read, not as the rep corrected it: a corrected reference is not read again as a new product.
ALTER TABLE products ADD COLUMN read_reference text;
UPDATE products SET read_reference = reference;
ALTER TABLE products ALTER COLUMN read_reference SET NOT NULL;
CREATE UNIQUE INDEX products_catalog_read_reference_key ON products (catalog_id, read_reference);
