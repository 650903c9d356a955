/*
 * leaderboard.c: module entry point.
 */
#include "postgres.h"
#include "fmgr.h"

PG_MODULE_MAGIC;
