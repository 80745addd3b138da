-- What a plan's searches do without saying so, and the largest page it gives, per type:
-- the parameters its Bundles' link[self] left out although Folio sent them (taken as not
-- supported, so nothing relies on them), the parameters the search ladder found refused, and
-- the page size the plan honours (Folio asks for up to 1000 on a probing pass and for this
-- afterwards). Shown on the plan's details.
-- Parameter names, space separated ('' for none); NULL when not checked.
ALTER TABLE search_support ADD COLUMN dropped TEXT;
ALTER TABLE search_support ADD COLUMN refused TEXT;
-- The page size the plan honours; NULL when not learned.
ALTER TABLE search_support ADD COLUMN page_size INTEGER CHECK (page_size IS NULL OR page_size > 0);
