-- Deterministic call generator for the benchmarks: writes :n calls as CSV to :'out', in the
-- columns of bench/schema.sql after call_id (COPY calls(agent_id, team_id, started_at,
-- talk_seconds, handle_seconds, converted, csat, resolved_first) FROM ... CSV).
--   psql -v n=1000000 -v agents=5000 -v teams=50 -v out=/tmp/calls.csv -f bench/gen.sql
-- Agent a (uniform over 1..:agents) is in team a % :teams. Calls fall on the 31 days from
-- :start (a date, default 2026-10-01), between 08:00 and 18:00 UTC; talk lasts 30-630 s and
-- handling 0-120 s more; 30 % of calls have a survey score 1-5 and 70 % are resolved first
-- time. Agent a converts a call with probability :conv_min + (a % :conv_steps) * :conv_step:
-- by default 12-24 %, 7 steps of 2 %; -v conv_min=0.05 -v conv_step=0.05 -v conv_steps=5
-- gives 5-25 %.
\if :{?start}
\else
  \set start 2026-10-01
\endif
\if :{?conv_min}
\else
  \set conv_min 0.12
\endif
\if :{?conv_step}
\else
  \set conv_step 0.02
\endif
\if :{?conv_steps}
\else
  \set conv_steps 7
\endif
SELECT setseed(0.42);
COPY (
  WITH draw AS (
    SELECT 1 + floor(random() * :agents)::int AS agent,
           30 + floor(random() * 601)::int AS talk,
           random() AS day_u, random() AS time_u, random() AS wrap_u,
           random() AS conv_u, random() AS survey_u, random() AS score_u, random() AS fcr_u
    FROM generate_series(1, :n)
  )
  SELECT agent, agent % :teams,
         (date :'start' + time '08:00') AT TIME ZONE 'UTC' + floor(day_u * 31)::int * interval '1 day'
           + time_u * interval '10 hours',
         talk, talk + floor(wrap_u * 121)::int,
         conv_u < :conv_min + (agent % :conv_steps) * :conv_step,
         CASE WHEN survey_u < 0.3 THEN 1 + floor(score_u * 5)::int END,
         fcr_u < 0.7
  FROM draw
) TO :'out' WITH (FORMAT csv);
