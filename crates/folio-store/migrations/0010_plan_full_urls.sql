-- Where each record lives at its plan, as the plan's search page said (`entry.fullUrl`), so
-- an export names it exactly as the plan does (a versioned URL, another base path) instead of
-- a URL Folio builds as {base}/{Type}/{id}. NULL when the plan sent none (or for records
-- saved before this column; the next page that carries the record fills it in).
ALTER TABLE resources ADD COLUMN full_url TEXT;
