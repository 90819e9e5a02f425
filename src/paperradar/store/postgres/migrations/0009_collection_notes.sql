-- A note per saved paper (the saver's own words; shown only where the collection is).
ALTER TABLE collection_items ADD COLUMN note TEXT NOT NULL DEFAULT '';
