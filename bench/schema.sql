-- The calls table of the benchmarks: one row a call, as a call center logs them.
DROP TABLE IF EXISTS calls CASCADE;
CREATE TABLE calls (
  call_id        bigserial   PRIMARY KEY,
  agent_id       int         NOT NULL,
  team_id        int         NOT NULL,
  started_at     timestamptz NOT NULL,
  talk_seconds   int         NOT NULL,
  handle_seconds int         NOT NULL,  -- talk plus wrap-up
  converted      boolean     NOT NULL,
  csat           smallint,              -- survey score 1..5, NULL without a survey
  resolved_first boolean     NOT NULL
);
