-- scorecard binary I/O: COPY (FORMAT binary) round trip, and recv repeating every check of
-- the text input (22P03), rejecting truncated values and trailing bytes.
SET search_path = public, leaderboard;

CREATE TABLE sc_cards (id int, card scorecard);
INSERT INTO sc_cards VALUES
 (1, '{"metrics": [{"name": "conv", "stat": "rate", "weight": 40, "target": 0.25},
      {"name": "aht", "stat": "avg", "weight": 20, "better": "lower", "range": [180, 900], "max": 1200},
      {"name": "csat", "stat": "avg", "weight": 20, "range": [1, 5], "if_missing": "skip", "min_n": 3},
      {"name": "calls", "stat": "count", "weight": 20, "target": 60, "cap": 1.2}], "min_rows": 20}'),
 (2, '{"metrics": [{"name": "calls", "stat": "count"}], "scale": 1}'),
 (3, '{"metrics": [{"name": "aht", "stat": "avg", "better": "lower", "target": 300, "cap": 2.5,
      "min": 30, "max": 1800, "min_n": 10, "if_missing": "disqualify"}], "scale": 0.001}'),
 (4, '{"metrics": [{"name": "x", "stat": "max", "weight": 0.30000000000000004, "range": [-1.5, 2.25]},
      {"name": "y", "stat": "min", "weight": 1e-300, "min": -1e300}], "min_rows": 9007199254740991}'),
 (5, NULL);

-- Binary COPY out and back in gives the same cards (same text, same binary form).
COPY sc_cards TO '/tmp/lb_scorecard.bin' (FORMAT binary);
CREATE TABLE sc_cards_back (LIKE sc_cards);
COPY sc_cards_back FROM '/tmp/lb_scorecard.bin' (FORMAT binary);
SELECT a.id, a.card::text = b.card::text AS same_text,
       scorecard_send(a.card) = scorecard_send(b.card) AS same_binary
FROM sc_cards a JOIN sc_cards_back b USING (id) ORDER BY a.id;
-- The binary form of the smallest card: version 1, 1 metric, scale 100, min_rows 0, then
-- name length 5, "calls", stat count (0), better higher (0), if_missing zero (0), raw (0),
-- no gates (0), weight 1, min_n 0.
SELECT scorecard_send('{"metrics": [{"name": "calls", "stat": "count"}]}');

-- Feeds raw bytes to scorecard_recv through a binary COPY of a bytea value (a bytea field
-- is written as its bare bytes) and returns the card's text or the error.
CREATE TEMP TABLE sc_recv (card scorecard);
CREATE FUNCTION pg_temp.try_recv(b bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', b, '/tmp/lb_scorecard_raw.bin');
  TRUNCATE sc_recv;
  EXECUTE format('COPY sc_recv FROM %L (FORMAT binary)', '/tmp/lb_scorecard_raw.bin');
  RETURN (SELECT card::text FROM sc_recv);
EXCEPTION WHEN others THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- The untouched bytes of a card are accepted.
SELECT pg_temp.try_recv(scorecard_send('{"metrics": [{"name": "calls", "stat": "count", "target": 60}]}'));

-- Every truncation of a card is rejected with 22P03 (all prefixes, from empty on).
SELECT count(*) AS prefixes, count(*) FILTER (WHERE r LIKE '22P03: %truncated%') AS rejected
FROM sc_cards c, LATERAL generate_series(0, length(scorecard_send(c.card)) - 1) AS len,
     LATERAL pg_temp.try_recv(substr(scorecard_send(c.card), 1, len)) AS r
WHERE c.id IN (1, 3);

-- A trailing byte is rejected.
SELECT pg_temp.try_recv(scorecard_send('{"metrics": [{"name": "calls", "stat": "count"}]}') || '\x00'::bytea);
-- An unknown version byte is rejected.
SELECT pg_temp.try_recv(set_byte(scorecard_send('{"metrics": [{"name": "calls", "stat": "count"}]}'), 0, 2));

-- The checks of the text input, repeated on binary input. Offsets below are 0-based into
-- the bytes of {"metrics": [{"name": "calls", "stat": "count", "target": 60}]}:
-- 0 version, 1 nmetrics, 5 scale, 13 min_rows, 21 name length, 25 name, 30 stat,
-- 31 better, 32 if_missing, 33 normalization, 34 flags, 35 weight, 43 target, 51 cap,
-- 59 min_n.
CREATE TABLE sc_raw AS
SELECT scorecard_send('{"metrics": [{"name": "calls", "stat": "count", "target": 60}]}') AS b;
-- no metrics; 33 metrics
SELECT pg_temp.try_recv(overlay(b placing '\x00000000' from 2)) FROM sc_raw;
SELECT pg_temp.try_recv(overlay(b placing '\x00000021' from 2)) FROM sc_raw;
-- scale NaN, scale 0
SELECT pg_temp.try_recv(overlay(b placing '\x7ff8000000000000' from 6)) FROM sc_raw;
SELECT pg_temp.try_recv(overlay(b placing '\x0000000000000000' from 6)) FROM sc_raw;
-- min_rows -1; 2^53, past what the text form holds exactly (2^53 - 1 is taken)
SELECT pg_temp.try_recv(overlay(b placing '\xffffffffffffffff' from 14)) FROM sc_raw;
SELECT pg_temp.try_recv(overlay(b placing '\x0020000000000000' from 14)) FROM sc_raw;
SELECT pg_temp.try_recv(overlay(b placing '\x001fffffffffffff' from 14)) FROM sc_raw;
-- name length -1, name length beyond the value, empty name, a zero byte in the name
SELECT pg_temp.try_recv(overlay(b placing '\xffffffff' from 22)) FROM sc_raw;
SELECT pg_temp.try_recv(overlay(b placing '\x00000100' from 22)) FROM sc_raw;
SELECT pg_temp.try_recv(overlay(b placing '\x00000000' from 22 for 9)) FROM sc_raw;
SELECT pg_temp.try_recv(set_byte(b, 27, 0)) FROM sc_raw;
-- unknown stat, better, if_missing, normalization and flag codes
SELECT pg_temp.try_recv(set_byte(b, 30, 6)) FROM sc_raw;
SELECT pg_temp.try_recv(set_byte(b, 31, 2)) FROM sc_raw;
SELECT pg_temp.try_recv(set_byte(b, 32, 3)) FROM sc_raw;
SELECT pg_temp.try_recv(set_byte(b, 33, 3)) FROM sc_raw;
SELECT pg_temp.try_recv(set_byte(b, 34, 4)) FROM sc_raw;
-- weight -1 (all weights zero is the same check as in the text input)
SELECT pg_temp.try_recv(overlay(b placing '\xbff0000000000000' from 36)) FROM sc_raw;
SELECT pg_temp.try_recv(overlay(b placing '\x0000000000000000' from 36)) FROM sc_raw;
-- target 0, target Infinity, cap 0
SELECT pg_temp.try_recv(overlay(b placing '\x0000000000000000' from 44)) FROM sc_raw;
SELECT pg_temp.try_recv(overlay(b placing '\x7ff0000000000000' from 44)) FROM sc_raw;
SELECT pg_temp.try_recv(overlay(b placing '\x0000000000000000' from 52)) FROM sc_raw;
-- min_n -1
SELECT pg_temp.try_recv(overlay(b placing '\xffffffffffffffff' from 60)) FROM sc_raw;
-- a range with lo >= hi: normalization 1 (range) reads lo = 60 and hi = 1 from the
-- target and cap fields
SELECT pg_temp.try_recv(set_byte(b, 33, 1)) FROM sc_raw;
-- better lower on a raw stat: normalization 0 (raw) leaves 16 bytes too many, so the
-- shortened value is built from the parts
SELECT pg_temp.try_recv(substr(b, 1, 30) || '\x0001000000'::bytea || substr(b, 36, 8) || substr(b, 60, 8))
FROM sc_raw;
-- duplicate names: two metrics both called "calls"
SELECT pg_temp.try_recv(overlay(b placing '\x00000002' from 2) || substr(b, 22)) FROM sc_raw;
-- gates min > max: flags 3 with min 60 and max 1 read from the target and cap fields
SELECT pg_temp.try_recv(set_byte(set_byte(b, 33, 0), 34, 3)) FROM sc_raw;

DROP TABLE sc_cards, sc_cards_back, sc_raw;
