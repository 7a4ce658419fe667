-- A cache hit is priced from what it holds at today's prices (issue 5), so the price stored with it is never read.
ALTER TABLE result_cache DROP COLUMN credits;
