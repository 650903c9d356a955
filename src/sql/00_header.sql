-- leaderboard 0.1: live, ranked, explainable KPI standings.
\echo Use "CREATE EXTENSION leaderboard" to load this file. \quit
