-- Type leaderboard.ladder: text grammar, canonical output, binary round trip and every
-- malformed input with its SQLSTATE.

-- Runs a statement and reports the SQLSTATE and detail it fails with.
CREATE FUNCTION pg_temp.error_of(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    detail text;
BEGIN
    EXECUTE query;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ': ' || detail;
END $$;

-- Points ladders print canonically: ", " between tiers, ": " after names, shortest
-- round-trip numbers, "; hold N" only when N > 0, spacing and keyword case normalized.
SELECT input, input::leaderboard.ladder AS canonical
FROM (VALUES
    ('Bronze: 0, Silver: 60, Gold: 75, Platinum: 90'),
    ('  Bronze:0 ,Silver : 60,	Gold:75 ;HOLD 5  '),
    ('Bronze: 0, Silver: 60; hold 0'),
    ('Low: -12.50, Mid: .5, High: 1e3, Huge: 2.5E+20'),
    ('Zero: -0, One: 1; hold 0.25')
) v(input);

-- Rank ladders print best first, percentages without trailing zeros; counts and
-- percentages may be mixed (each kind must widen down the list).
SELECT input, input::leaderboard.ladder AS canonical
FROM (VALUES
    ('Gold: top 10%, Silver: top 30%, Bronze: top 100%'),
    ('Podium: TOP 3'),
    ('Elite: top 0.500%, Gold: top 12.5 %, Rest: top 100.000000%'),
    ('Podium: top 3, Gold: top 10%, Top 20: top 20, Silver: top 50%')
) v(input);

-- Names: letters, digits, spaces, "-", "_" and non-ASCII characters need no quotes
-- (inner spaces are kept, outer ones trimmed); other names are double-quoted with ""
-- for a quote, and print quoted only when they need it.
SELECT input, input::leaderboard.ladder AS canonical
FROM (VALUES
    ('Top-Gun_2  Elite : 5, 100 Club: 10, Élite: 20'),
    ('"Gold": 1, "Gold, Star": 2, "Say ""hi""": 3, " Padded ": 4, "top": 5')
) v(input);

-- Text output reads back to the same value, byte for byte.
SELECT l::text, l::text::leaderboard.ladder::text = l::text AS text_round_trip,
       leaderboard.ladder_send(l::text::leaderboard.ladder) = leaderboard.ladder_send(l) AS same_bytes
FROM (VALUES
    ('Bronze: 0, "Silver ""x""": 60.5, Élite: 75; hold 2.5'::leaderboard.ladder),
    ('Low: 0.1, High: 0.30000000000000004'),
    ('Elite: top 0.000001%, Podium: top 3, Rest: top 100%')
) v(l);

-- Binary COPY out and back in gives equal ladders.
CREATE TABLE ladder_io (id int, l leaderboard.ladder);
INSERT INTO ladder_io VALUES
    (1, 'Bronze: 0, Silver: 60, Gold: 75, Platinum: 90'),
    (2, 'Bronze: 0, "Silver ""x""": 60.5, Élite: 75; hold 2.5'),
    (3, 'Gold: top 12.5%, Podium: top 3, Silver: top 30%'),
    (4, 'Low: -1e-300, High: 1.7976931348623157e308');
COPY ladder_io TO '/tmp/lb_ladder.bin' (FORMAT binary);
CREATE TABLE ladder_io_back (id int, l leaderboard.ladder);
COPY ladder_io_back FROM '/tmp/lb_ladder.bin' (FORMAT binary);
SELECT a.id, b.l, a.l::text = b.l::text AS same_text,
       leaderboard.ladder_send(a.l) = leaderboard.ladder_send(b.l) AS same_bytes
FROM ladder_io a JOIN ladder_io_back b USING (id) ORDER BY id;

-- The binary form: version 1, kind, tier count, hold, then each tier as written.
SELECT leaderboard.ladder_send('A: 10, B: 20; hold 1');
SELECT leaderboard.ladder_send('Top: top 5, All: top 100%');

-- A malformed literal names the text and says what is wrong (22P02).
\set VERBOSITY default
SELECT 'Gold: 75, Silver: 60'::leaderboard.ladder;

-- Every rejected text, with SQLSTATE and detail.
SELECT input, pg_temp.error_of(format('SELECT %L::leaderboard.ladder', input)) AS error
FROM (VALUES
    -- empty ladders
    (''), ('   '), ('; hold 5'),
    -- unsorted and duplicate thresholds
    ('Gold: 75, Silver: 60'), ('Silver: 60, Gold: 60'), ('A: -0, B: 0'),
    -- duplicate tier names, also differing only in case
    ('Gold: 1, Gold: 2'), ('Gold: 1, GOLD: 2'),
    -- mixing points and percentages or counts
    ('Gold: 75, Silver: top 30%'), ('Gold: top 10%, Silver: 60'),
    -- percentages outside (0, 100], too precise, not numbers
    ('Gold: top 0%'), ('Gold: top -5%'), ('Gold: top 100.000001%'), ('Gold: top 250%'),
    ('Gold: top 1.0000001%'), ('Gold: top 1e1%'),
    -- top 0, negative and fractional counts, overflow
    ('Podium: top 0'), ('Podium: top -3'), ('Podium: top 2.5'),
    ('Podium: top 99999999999999999999'), ('Podium: top'),
    -- unsorted and duplicate rank cutoffs
    ('Gold: top 30%, Silver: top 10%'), ('Gold: top 10, Silver: top 5'),
    ('Gold: top 10%, Silver: top 10%'),
    -- hold: negative, not finite, on a rank ladder, misspelled, repeated, missing number
    ('Gold: 0; hold -1'), ('Gold: 0; hold NaN'), ('Gold: 0; hold Infinity'),
    ('Gold: top 5; hold 1'), ('Gold: 0; keep 5'), ('Gold: 0; hold 1; hold 2'),
    ('Gold: 0; hold'),
    -- NaN and infinite thresholds, out of range numbers
    ('Gold: NaN'), ('Gold: Infinity'), ('Gold: -inf'), ('Gold: 1e400'),
    -- garbage: missing colon, bad characters, trailing text and commas, no threshold
    ('Gold'), ('Gold 75'), ('Gold!: 75'), ('Gold: 75 points'), ('Gold: 75,'),
    ('Gold: 75,, Silver: 80'), (': 75'), ('Gold:'), ('Gold: five'), ('Gold: 0x10'),
    ('"Gold: 75'), ('"": 5'), ('"   ": 5'), ('"Tab	Name": 5'), ('"Gold" Star: 5')
) v(input);

-- Limits: names up to 128 bytes, ladders up to 64 tiers.
SELECT pg_temp.error_of(format('SELECT %L::leaderboard.ladder', repeat('n', 128) || ': 0')) AS name_128,
       pg_temp.error_of(format('SELECT %L::leaderboard.ladder', repeat('n', 129) || ': 0')) AS name_129;
SELECT pg_temp.error_of(format('SELECT %L::leaderboard.ladder',
           (SELECT string_agg('T' || i || ': ' || i, ', ') FROM generate_series(1, 64) i))) AS tiers_64,
       pg_temp.error_of(format('SELECT %L::leaderboard.ladder',
           (SELECT string_agg('T' || i || ': ' || i, ', ') FROM generate_series(1, 65) i))) AS tiers_65;

-- Binary input repeats every check of text input and rejects truncated or trailing
-- bytes (22P03). Payloads are fed to ladder_recv through a binary COPY of one column.
CREATE TABLE ladder_recv_target (l leaderboard.ladder);
CREATE FUNCTION pg_temp.recv_error(payload bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', payload, '/tmp/lb_ladder_bad.bin');
    RETURN pg_temp.error_of('COPY ladder_recv_target FROM ''/tmp/lb_ladder_bad.bin'' (FORMAT binary)');
END $$;

-- Payload pieces: header (kind 1 = points, 2 = ranks), a points tier, a rank tier
-- (cutoff 1 = top N, 2 = top p% in millionths of a percent).
CREATE FUNCTION pg_temp.head(kind int, tiers int, hold float8) RETURNS bytea LANGUAGE sql
    AS $$ SELECT '\x01'::bytea || set_byte('\x00', 0, kind) || int4send(tiers) || float8send(hold) $$;
CREATE FUNCTION pg_temp.pts(name bytea, threshold float8) RETURNS bytea LANGUAGE sql
    AS $$ SELECT int4send(length(name)) || name || '\x00'::bytea || float8send(threshold) $$;
CREATE FUNCTION pg_temp.top(name bytea, cutoff int, top int8) RETURNS bytea LANGUAGE sql
    AS $$ SELECT int4send(length(name)) || name || set_byte('\x00', 0, cutoff) || int8send(top) $$;

-- The pieces rebuild exactly what ladder_send writes.
SELECT pg_temp.head(1, 2, 1) || pg_temp.pts('A', 10) || pg_temp.pts('B', 20)
       = leaderboard.ladder_send('A: 10, B: 20; hold 1') AS points_layout,
       pg_temp.head(2, 2, 0) || pg_temp.top('Top', 1, 5) || pg_temp.top('All', 2, 100000000)
       = leaderboard.ladder_send('Top: top 5, All: top 100%') AS rank_layout;

WITH good(b) AS (SELECT leaderboard.ladder_send('A: 10, B: 20; hold 1'))
SELECT what, pg_temp.recv_error(payload) AS error
FROM good, LATERAL (VALUES
    -- the unchanged payload loads
    ('valid', b),
    -- one byte short, one byte more, empty
    ('truncated', substr(b, 1, length(b) - 1)),
    ('trailing byte', b || '\x00'::bytea),
    ('empty', ''::bytea),
    -- unknown version and kind
    ('version 2', set_byte(b, 0, 2)),
    ('kind 7', set_byte(b, 1, 7)),
    -- no tiers, and one tier more than sent
    ('no tiers', pg_temp.head(1, 0, 0)),
    ('count too high', set_byte(b, 5, 3)),
    -- thresholds out of order, equal, NaN, infinite
    ('unsorted', pg_temp.head(1, 2, 0) || pg_temp.pts('A', 20) || pg_temp.pts('B', 10)),
    ('duplicate threshold', pg_temp.head(1, 2, 0) || pg_temp.pts('A', 10) || pg_temp.pts('B', 10)),
    ('NaN threshold', pg_temp.head(1, 1, 0) || pg_temp.pts('A', 'NaN')),
    ('infinite threshold', pg_temp.head(1, 1, 0) || pg_temp.pts('A', 'Infinity')),
    -- negative or NaN hold, hold on a rank ladder
    ('negative hold', pg_temp.head(1, 1, -1) || pg_temp.pts('A', 0)),
    ('NaN hold', pg_temp.head(1, 1, 'NaN') || pg_temp.pts('A', 0)),
    ('hold on ranks', pg_temp.head(2, 1, 1) || pg_temp.top('A', 1, 5)),
    -- top 0, 0%, 101%, unsorted cutoffs, unknown cutoff kind, a points tier in a rank ladder
    ('top 0', pg_temp.head(2, 1, 0) || pg_temp.top('A', 1, 0)),
    ('top 0%', pg_temp.head(2, 1, 0) || pg_temp.top('A', 2, 0)),
    ('top 101%', pg_temp.head(2, 1, 0) || pg_temp.top('A', 2, 101000000)),
    ('unsorted cutoffs', pg_temp.head(2, 2, 0) || pg_temp.top('A', 1, 9) || pg_temp.top('B', 1, 3)),
    ('cutoff kind 3', pg_temp.head(2, 1, 0) || pg_temp.top('A', 3, 1)),
    ('mixed kinds', pg_temp.head(2, 2, 0) || pg_temp.top('A', 1, 3) || pg_temp.pts('B', 0)),
    -- duplicate names, empty name, control character, zero byte, too long, past the end
    ('duplicate names', pg_temp.head(1, 2, 0) || pg_temp.pts('A', 0) || pg_temp.pts('A', 1)),
    ('empty name', pg_temp.head(1, 1, 0) || pg_temp.pts('', 0)),
    ('control character', pg_temp.head(1, 1, 0) || pg_temp.pts('\x07', 0)),
    ('zero byte in name', pg_temp.head(1, 1, 0) || pg_temp.pts('\x4100', 0)),
    ('name of 129 bytes', pg_temp.head(1, 1, 0) || pg_temp.pts(convert_to(repeat('n', 129), 'UTF8'), 0)),
    ('name past the end', pg_temp.head(1, 1, 0) || int4send(255) || 'A'::bytea)
) v(what, payload);
SELECT l FROM ladder_recv_target;

DROP TABLE ladder_io, ladder_io_back, ladder_recv_target;

-- the largest count of a rank ladder, 2^63 - 1, reads in and back; one more is out of range
SELECT 'Podium: top 9223372036854775807'::leaderboard.ladder AS largest,
       'Podium: top 9223372036854775807'::leaderboard.ladder::text::leaderboard.ladder::text AS read_back;
SELECT 'Podium: top 9223372036854775808'::leaderboard.ladder;
-- a threshold that underflows to 0 is out of range, as float8 input says (a denormal is kept)
SELECT 'A: 1e-400'::leaderboard.ladder;
SELECT 'A: 0, B: 1e-310'::leaderboard.ladder;
