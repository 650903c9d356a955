/*
 * board_expr.h: the expressions a board declares over its source rows.
 */
#ifndef LEADERBOARD_BOARD_EXPR_H
#define LEADERBOARD_BOARD_EXPR_H

#include "postgres.h"

#include "nodes/primnodes.h"
#include "utils/relcache.h"

/*
 * A metric or filter expression of a board (checked when the board was created) parsed,
 * analyzed over the columns of rel and planned, ready for ExecInitExpr(). "what" names
 * it in error messages.
 */
extern Expr *board_plan_source_expression(Relation rel, const char *expr, const char *what);

/* The same expression parsed and analyzed over the columns of rel, neither checked nor planned. */
extern Node *board_analyze_source_expression(Relation rel, const char *expr, const char *what);

#endif
