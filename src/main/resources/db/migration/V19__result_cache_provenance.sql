-- Which providers each cached result asked, per capability (issue 13 item 6): a request that pins its waterfall is
-- answered from the cache only when those providers produced the result. Null on older rows (provenance unknown).
ALTER TABLE result_cache ADD COLUMN provenance jsonb;
