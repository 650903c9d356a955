# leaderboard: PGXS build. C sources live in src/, the install script of the current version
# is built from the ordered pieces in src/sql/, and every test file found is run. Install
# scripts of released versions are kept as they shipped, with the upgrade scripts that lead
# from each to the next (README, "Upgrading").
EXTENSION   = leaderboard
EXTVERSION  = 0.2
MODULE_big  = leaderboard
OBJS        = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
DATA_built  = leaderboard--$(EXTVERSION).sql
DATA        = leaderboard--0.1.sql leaderboard--0.1--0.2.sql
SQL_PIECES  = $(sort $(wildcard src/sql/*.sql))

REGRESS        = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS   = --load-extension=leaderboard
ISOLATION      = $(patsubst test/specs/%.spec,%,$(sort $(wildcard test/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test --load-extension=leaderboard

PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS   = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare -Wno-missing-field-initializers
EXTRA_CLEAN = results/ regression.diffs regression.out output_iso/ test/results/

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

leaderboard--$(EXTVERSION).sql: $(SQL_PIECES)
	cat $^ > $@

# PGXS tracks no header dependencies: rebuild every object when any header changes
$(OBJS): $(wildcard src/*.h)
