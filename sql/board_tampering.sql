-- Standings edited by hand (their owner can write them) are never silently built upon: a
-- writer that meets a row the board could not have written fails with XX001 and a hint,
-- verify() shows the difference, and rebuild() repairs it. A correction given to
-- _kpis_correct() without the rows it removes is refused.
SET search_path = public, leaderboard;
\set VERBOSITY default
CREATE TABLE tcalls (call_id int PRIMARY KEY, agent_id int NOT NULL, at timestamptz NOT NULL, won int NOT NULL);
INSERT INTO tcalls SELECT i, 1 + i % 3, timestamptz '2026-02-02 09:00+00' + i * interval '1 minute', i % 2 FROM generate_series(1, 12) i;
SELECT create_board('tamper', 'tcalls', 'agent_id', 'at', ARRAY['won'],
  '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}]}', periods => ARRAY['month'],
  ladder => 'Bronze: 0, Gold: 3', time_zone => 'UTC') IS NOT NULL AS created;
SELECT agent_id, score, rank, tier FROM tamper_standings ORDER BY agent_id;

-- a tier the ladder does not have
UPDATE tamper_standings SET tier = 'Diamond' WHERE agent_id = 1;
INSERT INTO tcalls VALUES (100, 1, '2026-02-03 09:00+00', 1);
SELECT problem, agent FROM verify('tamper');
SELECT rebuild('tamper');
INSERT INTO tcalls VALUES (100, 1, '2026-02-03 09:00+00', 1);
SELECT count(*) AS differences FROM verify('tamper');

-- a qualified row without a rank, in the way of an agent passing it
UPDATE tamper_standings SET rank = NULL WHERE agent_id = 2;
INSERT INTO tcalls SELECT 200 + i, 3, '2026-02-03 10:00+00', 1 FROM generate_series(1, 3) i;
SELECT problem, agent, stored ->> 'rank' AS stored_rank, expected ->> 'rank' AS expected_rank FROM verify('tamper');
SELECT rebuild('tamper');
INSERT INTO tcalls SELECT 200 + i, 3, '2026-02-03 10:00+00', 1 FROM generate_series(1, 3) i;
SELECT agent_id, score, rank, tier FROM tamper_standings ORDER BY agent_id;
SELECT count(*) AS differences FROM verify('tamper');

-- _kpis_correct() needs the rows a correction removes, and stored rows that hold them
SELECT leaderboard._kpis_correct(NULL, NULL, NULL);
SELECT leaderboard._kpis_correct('rows=1; int n=1 sum=1 min=1 max=1', NULL, 'rows=2; int n=2 sum=2 min=1 max=1');
SELECT leaderboard._kpis_correct('rows=3; int n=3 sum=6 min=1 max=3', NULL, 'rows=1; int n=1 sum=3 min=3 max=3')::text AS corrected,
       leaderboard._kpis_correct('rows=1; int n=1 sum=3 min=3 max=3', NULL, 'rows=1; int n=1 sum=3 min=3 max=3') IS NULL AS none_left;

SELECT drop_board('tamper');
DROP TABLE tcalls;
