-- Each backend caches a board's generated statements, keyed by the version of its catalog
-- row. A transaction that changes a board twice leaves the row with the same xmin; the
-- statements it caches in between must still be replaced by the second change. The
-- statements name the board's tables: renaming their schema must make new ones.
BEGIN;
SELECT plan(6);
SET LOCAL client_min_messages = warning;

CREATE SCHEMA lbc;
CREATE TABLE lbc.calls (agent_id int NOT NULL, at timestamptz NOT NULL, n int NOT NULL);
SELECT is(leaderboard.create_board(name => 'lbc_cache', source => 'lbc.calls', agent => 'agent_id', at => 'at',
            metrics => ARRAY['n'], scorecard => '{"metrics": [{"name": "n", "stat": "sum"}]}',
            periods => ARRAY['all'])::text,
          'lbc.lbc_cache_standings', 'a board without a ladder');
-- this backend caches the statements of the board as created (no tiers)
INSERT INTO lbc.calls VALUES (1, now(), 5);
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
-- the same transaction gives it a ladder, then writes again
SELECT is(leaderboard.alter_board('lbc_cache', ladder => 'Bronze: 0, Silver: 3'), 1::bigint, 'alter_board adds a ladder');
INSERT INTO lbc.calls VALUES (2, now(), 5);
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
SELECT results_eq($$SELECT agent_id, tier FROM lbc.lbc_cache_standings ORDER BY agent_id$$,
                  $$VALUES (1, 'Silver'), (2, 'Silver')$$,
                  'the write after alter_board uses the new ladder');
SELECT is_empty($$SELECT * FROM leaderboard.verify('lbc_cache')$$, 'the standings equal a recomputation');

-- a multi-agent statement takes the statements, which must name the renamed schema
ALTER SCHEMA lbc RENAME TO lbc_renamed;
INSERT INTO lbc_renamed.calls VALUES (1, now(), 1), (3, now(), 4);
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
SELECT results_eq($$SELECT agent_id, leaderboard.rows(kpis)::int FROM lbc_renamed.lbc_cache_standings ORDER BY agent_id$$,
                  $$VALUES (1, 2), (2, 1), (3, 1)$$,
                  'the write after the schema''s rename is applied');
SELECT is_empty($$SELECT * FROM leaderboard.verify('lbc_cache')$$, 'the standings still equal a recomputation');

SELECT * FROM finish();
ROLLBACK;
