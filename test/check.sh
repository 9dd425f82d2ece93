#!/usr/bin/env bash
# The whole test suite of ptx on a throwaway cluster: pg_regress (sql/,
# expected/), isolation specs (test/specs/), TAP tests (test/t/).
#
#   bash test/check.sh
#
# Subsets, for development: REGRESS="ids registry" ISOLATION="" TAP="t/001_install.pl"
# (an empty value skips that kind).  Exits non-zero on any failure, after
# printing the differences.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ensure_packages
W=$(make_workdir check)
PORT=$(free_port)
cleanup() { stop_cluster "$W"; [ -n "${PTX_KEEP:-}" ] || rm -rf "$W"; }
trap cleanup EXIT

say "building ptx in $W (as $RUN_USER)"
make_pg_tree "$W" >/dev/null
build_ptx "$W"
BIN=$W/inst/usr/lib/postgresql/$PG_MAJOR/bin
PGXS_DIR=$(dirname "$(dirname "$($BIN/pg_config --pgxs)")")

passed=0; failed=0; status=0
count() {   # count LOG: add the "... ok" and "... FAILED" lines of a pg_regress log
    local ok bad
    ok=$(grep -cE '\.\.\. ok|^ok ' "$1" || true)
    bad=$(grep -cE '\.\.\. FAILED|^not ok ' "$1" || true)
    passed=$((passed + ok)); failed=$((failed + bad))
}

if [ "${REGRESS-x}" != "" ] || [ "${ISOLATION-x}" != "" ]; then
    say "starting a cluster on port $PORT"
    start_cluster "$W" "$PORT"
    args=(PGHOST="$W" PGPORT="$PORT" PGUSER=postgres)
    [ -n "${REGRESS+x}" ] && args+=(REGRESS="$REGRESS")
    [ -n "${ISOLATION+x}" ] && args+=(ISOLATION="$ISOLATION")
    say "pg_regress and isolation tests"
    if ! run_user make -C "$W/src" -s installcheck "${args[@]}" 2>&1 | tee "$W/installcheck.log"; then
        status=1
        for d in "$W/src/regression.diffs" "$W/src/output_iso/regression.diffs"; do
            [ -s "$d" ] && { echo "---- $d"; cat "$d"; }
        done
    fi
    count "$W/installcheck.log"
    # a run that stopped before counting its failure still counts as one
    [ "$status" -eq 0 ] || grep -qE '\.\.\. FAILED' "$W/installcheck.log" || failed=$((failed + 1))
    stop_cluster "$W"
fi

TAP=${TAP-t/*.pl}
if [ -n "$TAP" ]; then
    say "TAP tests"
    if ! (cd "$W/src/test" && run_user env PATH="$BIN:$PATH" TESTDIR="$W/src/test" \
            PG_REGRESS="$PGXS_DIR/test/regress/pg_regress" PTX_SRC="$W/src" \
            prove -I "$PGXS_DIR/test/perl" -I "$W/src/test" $TAP) 2>&1 | tee "$W/tap.log"; then
        status=1
        for l in "$W"/src/test/tmp_check/log/regress_log_*; do
            [ -f "$l" ] && { echo "---- $l (last 60 lines)"; tail -n 60 "$l"; }
        done
    fi
    ok=$(grep -cE '\.\. ok$' "$W/tap.log" || true)
    all=$(grep -cE '^t/[^ ]+ \.\.' "$W/tap.log" || true)
    passed=$((passed + ok)); failed=$((failed + all - ok))
fi

[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
