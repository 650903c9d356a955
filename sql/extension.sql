-- The extension installs into its fixed schema and cannot be relocated.
SELECT extname, extnamespace::regnamespace AS schema, extrelocatable
FROM pg_extension WHERE extname = 'leaderboard';
ALTER EXTENSION leaderboard SET SCHEMA public;
