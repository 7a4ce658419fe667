-- A task row is written three times: inserted by its submit (pending), marked running by its claim, and settled with
-- its result. None of these updates changes an indexed column, so each could be a heap-only (HOT) update, which
-- writes no index entry, if the page the row is on has room for its new version. At the default fill factor (100) a
-- submit's 250 rows fill their pages, and most of the later versions went to other pages with an entry in each of the
-- table's three indexes (docs/performance.md). Half of each page now stays free for the rows' later versions; old
-- versions on the page are pruned as the page fills. Applies to pages written from now on.
ALTER TABLE tasks SET (fillfactor = 50);
