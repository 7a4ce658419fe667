-- Result items, traces and `custom` are stored as `json`, not `jsonb`: they are written once and read back whole,
-- never queried inside, and `json` keeps their keys in the order the contract lists them.
ALTER TABLE tasks ALTER COLUMN result TYPE json USING result::json;
ALTER TABLE tasks ALTER COLUMN trace TYPE json USING trace::json;
ALTER TABLE workflows ALTER COLUMN custom TYPE json USING custom::json;
