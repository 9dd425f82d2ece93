#!/usr/bin/env bash
# The demo: ptx on a throwaway cluster, real data flowing end to end.
#
#   bash test/demo.sh
#
# Installs the packages it needs, builds ptx, installs it into the system's
# PostgreSQL 15 (as a DBA would: make install, with sudo when not root),
# starts a throwaway cluster as an unprivileged user with pg_cron
# preloaded, creates the extension in a database and runs test/demo/NN_*.sql
# in order.  PTX_KEEP=1 keeps the cluster running afterwards;
# PTX_DEMO_PRIVATE=1 installs into a private tree instead of the system.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ensure_packages
W=$(make_workdir demo)
PORT=$(free_port)
cleanup() { [ -n "${PTX_KEEP:-}" ] || { stop_cluster "$W"; rm -rf "$W"; }; }
trap cleanup EXIT

say "building ptx (as $RUN_USER)"
make_pg_tree "$W" >/dev/null
build_ptx "$W"
if [ -z "${PTX_DEMO_PRIVATE:-}" ]; then
    say "installing ptx into PostgreSQL $PG_MAJOR (make install)"
    as_root make -C "$W/src" -s install >/dev/null
    export PG_BIN=$PG_BIN_SYS
fi
say "starting a throwaway cluster on port $PORT, pg_cron and ptx preloaded"
start_cluster "$W" "$PORT" "cron.database_name = 'ptx_demo'" "timezone = 'Asia/Shanghai'"

psql_demo() {
    run_user env PGHOST="$W" PGPORT="$PORT" PGUSER=postgres \
        psql -X -q -v ON_ERROR_STOP=1 -P pager=off "$@"
}
psql_demo -d postgres -c 'CREATE DATABASE ptx_demo'
psql_demo -d ptx_demo -c 'CREATE EXTENSION ptx CASCADE' -c 'CREATE EXTENSION pg_cron' \
    -c 'SELECT count(*) AS jobs_scheduled FROM ptx.schedule_jobs()' \
    -c 'SELECT ptx.seal() AS first_seal'
for f in "$PTX_SRC"/test/demo/[0-9][0-9]_*.sql; do
    say "demo: $(basename "$f")"
    psql_demo -d ptx_demo -v ptx_src="$PTX_SRC" -f "$f"
done
say "demo finished"
if [ -n "${PTX_KEEP:-}" ]; then
    say "cluster kept: psql -h $W -p $PORT -U postgres ptx_demo"
fi
