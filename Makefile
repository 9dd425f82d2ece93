# ptx — PGXS build.
#
# The install script ptx--$(EXTVERSION).sql is concatenated from the SQL
# sources in src/sql/, in file-name order (each file is one module).
# Upgrade scripts live in src/upgrade/ and are installed as they are.

PG_CONFIG  ?= pg_config

EXTENSION   = ptx
EXTVERSION  = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" ptx.control)

MODULE_big  = ptx
OBJS        = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
# libcrypto: SHA-256 through OpenSSL's EVP interface (src/sha256.c)
SHLIB_LINK  += -lcrypto

SQL_SOURCES = $(sort $(wildcard src/sql/*.sql))
DATA_built  = ptx--$(EXTVERSION).sql
DATA        = $(wildcard src/upgrade/ptx--*--*.sql)

REGRESS      = $(sort $(basename $(notdir $(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=. --load-extension=pgcrypto
ISOLATION      = $(sort $(basename $(notdir $(wildcard test/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test

# PostgreSQL's server headers are included as system headers: they are not
# -Wextra clean (unused parameters in inline functions), ptx's code is.
PG_CPPFLAGS = -I$(srcdir)/src -isystem $(shell $(PG_CONFIG) --includedir-server)
PG_CFLAGS   = -Wall -Wextra -Werror

EXTRA_CLEAN = ptx--$(EXTVERSION).sql results output_iso regression.diffs \
              regression.out tmp_check

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

ptx--$(EXTVERSION).sql: $(SQL_SOURCES) ptx.control
	@{ echo "-- ptx $(EXTVERSION): generated from src/sql/*.sql, do not edit"; \
	   printf '%s\n' '\echo Use "CREATE EXTENSION ptx CASCADE" to load this file. \quit'; \
	   for f in $(SQL_SOURCES); do echo; echo "-- ==== $$f"; cat $$f; done; } > $@

.PHONY: demo bench
demo:
	bash test/demo.sh
bench:
	bash test/bench/run.sh
