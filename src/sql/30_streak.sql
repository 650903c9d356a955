
-- Streaks: working-day calendars and the order-independent streak state.

CREATE TYPE leaderboard.calendar;

CREATE FUNCTION leaderboard.calendar_in(cstring) RETURNS leaderboard.calendar
  AS 'MODULE_PATHNAME', 'calendar_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.calendar_out(leaderboard.calendar) RETURNS cstring
  AS 'MODULE_PATHNAME', 'calendar_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.calendar_recv(internal) RETURNS leaderboard.calendar
  AS 'MODULE_PATHNAME', 'calendar_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.calendar_send(leaderboard.calendar) RETURNS bytea
  AS 'MODULE_PATHNAME', 'calendar_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE leaderboard.calendar (
  INPUT = leaderboard.calendar_in, OUTPUT = leaderboard.calendar_out,
  RECEIVE = leaderboard.calendar_recv, SEND = leaderboard.calendar_send,
  INTERNALLENGTH = VARIABLE, ALIGNMENT = int4, STORAGE = extended);

COMMENT ON TYPE leaderboard.calendar IS
  'working weekdays and holidays, e.g. ''Mon-Fri; holidays 2026-12-25, 2027-01-01''';
COMMENT ON FUNCTION leaderboard.calendar_in(cstring) IS
  'parses a calendar: working weekdays (list or ranges, wrapping after Sunday), then optionally "; holidays" and ISO dates';
COMMENT ON FUNCTION leaderboard.calendar_out(leaderboard.calendar) IS
  'canonical text form of a calendar';
COMMENT ON FUNCTION leaderboard.calendar_recv(internal) IS
  'reads the binary form of a calendar (version byte first)';
COMMENT ON FUNCTION leaderboard.calendar_send(leaderboard.calendar) IS
  'binary form of a calendar (version byte first)';

CREATE FUNCTION leaderboard.calendar_eq(leaderboard.calendar, leaderboard.calendar) RETURNS boolean
  AS 'MODULE_PATHNAME', 'calendar_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.calendar_ne(leaderboard.calendar, leaderboard.calendar) RETURNS boolean
  AS 'MODULE_PATHNAME', 'calendar_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.calendar_eq(leaderboard.calendar, leaderboard.calendar) IS
  'true when two calendars mark the same days as working';
COMMENT ON FUNCTION leaderboard.calendar_ne(leaderboard.calendar, leaderboard.calendar) IS
  'true when two calendars differ';

CREATE OPERATOR leaderboard.= (
  LEFTARG = leaderboard.calendar, RIGHTARG = leaderboard.calendar,
  FUNCTION = leaderboard.calendar_eq, COMMUTATOR = OPERATOR(leaderboard.=),
  NEGATOR = OPERATOR(leaderboard.<>), RESTRICT = eqsel, JOIN = eqjoinsel);
CREATE OPERATOR leaderboard.<> (
  LEFTARG = leaderboard.calendar, RIGHTARG = leaderboard.calendar,
  FUNCTION = leaderboard.calendar_ne, COMMUTATOR = OPERATOR(leaderboard.<>),
  NEGATOR = OPERATOR(leaderboard.=), RESTRICT = neqsel, JOIN = neqjoinsel);
COMMENT ON OPERATOR leaderboard.= (leaderboard.calendar, leaderboard.calendar) IS
  'calendars mark the same days as working';
COMMENT ON OPERATOR leaderboard.<> (leaderboard.calendar, leaderboard.calendar) IS
  'calendars differ';

CREATE FUNCTION leaderboard.is_working_day(cal leaderboard.calendar, day date) RETURNS boolean
  AS 'MODULE_PATHNAME', 'calendar_is_working_day' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.is_working_day(leaderboard.calendar, date) IS
  'true when day falls on a working weekday of the calendar and is not one of its holidays';

CREATE TYPE leaderboard.streak;

CREATE FUNCTION leaderboard.streak_in(cstring) RETURNS leaderboard.streak
  AS 'MODULE_PATHNAME', 'streak_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.streak_out(leaderboard.streak) RETURNS cstring
  AS 'MODULE_PATHNAME', 'streak_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.streak_recv(internal) RETURNS leaderboard.streak
  AS 'MODULE_PATHNAME', 'streak_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.streak_send(leaderboard.streak) RETURNS bytea
  AS 'MODULE_PATHNAME', 'streak_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE leaderboard.streak (
  INPUT = leaderboard.streak_in, OUTPUT = leaderboard.streak_out,
  RECEIVE = leaderboard.streak_recv, SEND = leaderboard.streak_send,
  INTERNALLENGTH = VARIABLE, ALIGNMENT = int4, STORAGE = extended);

COMMENT ON TYPE leaderboard.streak IS
  'order-independent, mergeable streak state: a calendar and the set of its met working days';
COMMENT ON FUNCTION leaderboard.streak_in(cstring) IS
  'parses a streak: a calendar, a colon, then met days as dates or ranges (e.g. ''Mon-Fri: 2026-10-01..2026-10-06'')';
COMMENT ON FUNCTION leaderboard.streak_out(leaderboard.streak) IS
  'canonical text form of a streak: calendar, colon, one item per run of met working days';
COMMENT ON FUNCTION leaderboard.streak_recv(internal) IS
  'reads the binary form of a streak (version byte first)';
COMMENT ON FUNCTION leaderboard.streak_send(leaderboard.streak) IS
  'binary form of a streak (version byte first)';

CREATE FUNCTION leaderboard.longest(leaderboard.streak) RETURNS integer
  AS 'MODULE_PATHNAME', 'streak_longest_days' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.longest_start(leaderboard.streak) RETURNS date
  AS 'MODULE_PATHNAME', 'streak_longest_start' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.current(leaderboard.streak, as_of date) RETURNS integer
  AS 'MODULE_PATHNAME', 'streak_current_days' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.met_days(leaderboard.streak) RETURNS integer
  AS 'MODULE_PATHNAME', 'streak_met_days_count' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.streak_calendar(leaderboard.streak) RETURNS leaderboard.calendar
  AS 'MODULE_PATHNAME', 'streak_calendar' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.longest(leaderboard.streak) IS
  'length in working days of the longest run of met working days (0 when none is met)';
COMMENT ON FUNCTION leaderboard.longest_start(leaderboard.streak) IS
  'first day of the longest run, the earliest such run on ties; NULL when none is met';
COMMENT ON FUNCTION leaderboard.current(leaderboard.streak, date) IS
  'working days of the run ending on as_of if it is met, else on the working day before as_of (today is not over); 0 when that day is not met; days after as_of are ignored';
COMMENT ON FUNCTION leaderboard.met_days(leaderboard.streak) IS
  'number of met working days';
COMMENT ON FUNCTION leaderboard.streak_calendar(leaderboard.streak) IS
  'calendar of a streak';

CREATE FUNCTION leaderboard.streak_union(leaderboard.streak, leaderboard.streak) RETURNS leaderboard.streak
  AS 'MODULE_PATHNAME', 'streak_union' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.streak_eq(leaderboard.streak, leaderboard.streak) RETURNS boolean
  AS 'MODULE_PATHNAME', 'streak_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.streak_ne(leaderboard.streak, leaderboard.streak) RETURNS boolean
  AS 'MODULE_PATHNAME', 'streak_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.streak_union(leaderboard.streak, leaderboard.streak) IS
  'streak whose met days are those of either (the calendars must be equal, else 22023)';
COMMENT ON FUNCTION leaderboard.streak_eq(leaderboard.streak, leaderboard.streak) IS
  'true when two streaks have the same calendar and met days';
COMMENT ON FUNCTION leaderboard.streak_ne(leaderboard.streak, leaderboard.streak) IS
  'true when two streaks differ';

CREATE OPERATOR leaderboard.+ (
  LEFTARG = leaderboard.streak, RIGHTARG = leaderboard.streak,
  FUNCTION = leaderboard.streak_union, COMMUTATOR = OPERATOR(leaderboard.+));
CREATE OPERATOR leaderboard.= (
  LEFTARG = leaderboard.streak, RIGHTARG = leaderboard.streak,
  FUNCTION = leaderboard.streak_eq, COMMUTATOR = OPERATOR(leaderboard.=),
  NEGATOR = OPERATOR(leaderboard.<>), RESTRICT = eqsel, JOIN = eqjoinsel);
CREATE OPERATOR leaderboard.<> (
  LEFTARG = leaderboard.streak, RIGHTARG = leaderboard.streak,
  FUNCTION = leaderboard.streak_ne, COMMUTATOR = OPERATOR(leaderboard.<>),
  NEGATOR = OPERATOR(leaderboard.=), RESTRICT = neqsel, JOIN = neqjoinsel);
COMMENT ON OPERATOR leaderboard.+ (leaderboard.streak, leaderboard.streak) IS
  'union of the met days of two streaks with the same calendar';
COMMENT ON OPERATOR leaderboard.= (leaderboard.streak, leaderboard.streak) IS
  'streaks have the same calendar and met days';
COMMENT ON OPERATOR leaderboard.<> (leaderboard.streak, leaderboard.streak) IS
  'streaks differ';

-- Aggregate support: the state is a growable bitmap in the aggregate context.
CREATE FUNCTION leaderboard.streak_agg_transfn(internal, date, boolean) RETURNS internal
  AS 'MODULE_PATHNAME', 'streak_agg_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION leaderboard.streak_agg_transfn(internal, date, boolean, leaderboard.calendar) RETURNS internal
  AS 'MODULE_PATHNAME', 'streak_agg_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION leaderboard.streak_merge_transfn(internal, leaderboard.streak) RETURNS internal
  AS 'MODULE_PATHNAME', 'streak_merge_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION leaderboard.streak_agg_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'streak_agg_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION leaderboard.streak_agg_serialize(internal) RETURNS bytea
  AS 'MODULE_PATHNAME', 'streak_agg_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.streak_agg_deserialize(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'streak_agg_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION leaderboard.streak_agg_final(internal) RETURNS leaderboard.streak
  AS 'MODULE_PATHNAME', 'streak_agg_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION leaderboard.streak_agg_transfn(internal, date, boolean) IS
  'transition function of streak_agg(date, boolean): sets the bit of a met day';
COMMENT ON FUNCTION leaderboard.streak_agg_transfn(internal, date, boolean, leaderboard.calendar) IS
  'transition function of streak_agg(date, boolean, calendar): sets the bit of a met working day';
COMMENT ON FUNCTION leaderboard.streak_merge_transfn(internal, leaderboard.streak) IS
  'transition function of streak_merge: adds the met days of a streak';
COMMENT ON FUNCTION leaderboard.streak_agg_combine(internal, internal) IS
  'combine function of streak_agg and streak_merge: ORs two bitmaps';
COMMENT ON FUNCTION leaderboard.streak_agg_serialize(internal) IS
  'serial function of streak_agg and streak_merge: the streak value of a state';
COMMENT ON FUNCTION leaderboard.streak_agg_deserialize(bytea, internal) IS
  'deserial function of streak_agg and streak_merge';
COMMENT ON FUNCTION leaderboard.streak_agg_final(internal) IS
  'final function of streak_agg and streak_merge: the streak of a state';

CREATE AGGREGATE leaderboard.streak_agg(day date, met boolean) (
  SFUNC = leaderboard.streak_agg_transfn, STYPE = internal, SSPACE = 96,
  FINALFUNC = leaderboard.streak_agg_final,
  COMBINEFUNC = leaderboard.streak_agg_combine,
  SERIALFUNC = leaderboard.streak_agg_serialize,
  DESERIALFUNC = leaderboard.streak_agg_deserialize,
  PARALLEL = SAFE);
CREATE AGGREGATE leaderboard.streak_agg(day date, met boolean, cal leaderboard.calendar) (
  SFUNC = leaderboard.streak_agg_transfn, STYPE = internal, SSPACE = 96,
  FINALFUNC = leaderboard.streak_agg_final,
  COMBINEFUNC = leaderboard.streak_agg_combine,
  SERIALFUNC = leaderboard.streak_agg_serialize,
  DESERIALFUNC = leaderboard.streak_agg_deserialize,
  PARALLEL = SAFE);
CREATE AGGREGATE leaderboard.streak_merge(leaderboard.streak) (
  SFUNC = leaderboard.streak_merge_transfn, STYPE = internal, SSPACE = 96,
  FINALFUNC = leaderboard.streak_agg_final,
  COMBINEFUNC = leaderboard.streak_agg_combine,
  SERIALFUNC = leaderboard.streak_agg_serialize,
  DESERIALFUNC = leaderboard.streak_agg_deserialize,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE leaderboard.streak_agg(date, boolean) IS
  'streak of the days met (a day is met when any of its rows is); every day works; NULL days are skipped, NULL met is not met';
COMMENT ON AGGREGATE leaderboard.streak_agg(date, boolean, leaderboard.calendar) IS
  'streak of the working days met (a day is met when any of its rows is); NULL days are skipped, NULL met is not met';
COMMENT ON AGGREGATE leaderboard.streak_merge(leaderboard.streak) IS
  'union of the met days of streaks with the same calendar; NULLs are skipped';
