# ptx — PGXS build.
#
# The install script ptx--$(EXTVERSION).sql is concatenated from the SQL
# sources in src/sql/, in file-name order (each file is one module).
# Released versions keep their scripts frozen in src/release/ (installed as
# they are).  The upgrade script from the last release to this version,
# ptx--$(PREVVERSION)--$(EXTVERSION).sql, is built from the hand-written
# parts in src/upgrade/$(PREVVERSION)--$(EXTVERSION)/ (NN < 50 before, NN >= 50
# after) around what src/upgrade/carry.pl carries over from src/sql/.
# docs/developing.md: how a change reaches both.

PG_CONFIG  ?= pg_config

EXTENSION   = ptx
EXTVERSION  = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" ptx.control)

MODULE_big  = ptx
OBJS        = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
# libcrypto: SHA-256 through OpenSSL's SHA256_* functions (src/sha256.c)
SHLIB_LINK  += -lcrypto

PREVVERSION = 0.1.0
UPGRADE     = ptx--$(PREVVERSION)--$(EXTVERSION).sql
UPGRADE_DIR = src/upgrade/$(PREVVERSION)--$(EXTVERSION)
UPGRADE_PRE = $(sort $(wildcard $(UPGRADE_DIR)/[0-4]*.sql))
UPGRADE_POST = $(sort $(wildcard $(UPGRADE_DIR)/[5-9]*.sql))

SQL_SOURCES = $(sort $(wildcard src/sql/*.sql))
DATA_built  = ptx--$(EXTVERSION).sql $(UPGRADE)
DATA        = $(wildcard src/release/ptx--*.sql)

REGRESS      = $(sort $(basename $(notdir $(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=. --load-extension=pgcrypto
ISOLATION      = $(sort $(basename $(notdir $(wildcard test/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test

# PostgreSQL's server headers are included as system headers: they are not
# -Wextra clean (unused parameters in inline functions), ptx's code is.
PG_CPPFLAGS = -I$(srcdir)/src -isystem $(shell $(PG_CONFIG) --includedir-server)
PG_CFLAGS   = -Wall -Wextra -Werror

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)


EXTRA_CLEAN = ptx--$(EXTVERSION).sql $(UPGRADE) results output_iso regression.diffs \
              regression.out tmp_check

ptx--$(EXTVERSION).sql: $(SQL_SOURCES) ptx.control
	@{ echo "-- ptx $(EXTVERSION): generated from src/sql/*.sql, do not edit"; \
	   printf '%s\n' '\echo Use "CREATE EXTENSION ptx CASCADE" to load this file. \quit'; \
	   for f in $(SQL_SOURCES); do echo; echo "-- ==== $$f"; cat $$f; done; } > $@

$(UPGRADE): src/release/ptx--$(PREVVERSION).sql $(SQL_SOURCES) $(UPGRADE_PRE) $(UPGRADE_POST) src/upgrade/carry.pl ptx.control
	@{ echo "-- ptx $(PREVVERSION) -> $(EXTVERSION): generated from $(UPGRADE_DIR)/ and src/sql/, do not edit"; \
	   printf '%s\n' '\echo Use "ALTER EXTENSION ptx UPDATE" to load this file. \quit'; \
	   for f in $(UPGRADE_PRE); do echo; echo "-- ==== $$f"; cat $$f; done; \
	   perl src/upgrade/carry.pl src/release/ptx--$(PREVVERSION).sql $(SQL_SOURCES); \
	   for f in $(UPGRADE_POST); do echo; echo "-- ==== $$f"; cat $$f; done; } > $@

.PHONY: demo bench
demo:
	bash test/demo.sh
bench:
	bash test/bench/run.sh
