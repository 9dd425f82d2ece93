#!/usr/bin/env bash
# The whole test suite of ptx on a throwaway cluster: pg_regress (sql/,
# expected/), isolation specs (test/specs/), TAP tests (test/t/).
#
#   bash test/check.sh
#
# It runs on every supported PostgreSQL major: the machine's own (15, Debian
# 12) and 17 in a Debian 13 root made with debootstrap (test/lib.sh,
# ensure_root; kept in /var/cache/ptx for later runs).
#
# Subsets, for development: REGRESS="ids registry" ISOLATION="" TAP="t/001_install.pl"
# (an empty value skips that kind); PTX_MAJORS="15" runs one major only.
# Exits non-zero on any failure, after printing the differences.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PTX_MAJORS=${PTX_MAJORS:-15 17}

# run_in_root MAJOR: the same suite, in the Debian root of that major
run_in_root() {
    local major=$1 root log line rc=0
    local pass=()
    root=$(ensure_root "$major")
    rsync -a --delete --exclude .git --exclude '*.o' --exclude '*.so' --exclude '*.bc' \
        --exclude results --exclude output_iso --exclude tmp_check "$PTX_SRC/" "$root/ptx-src/"
    for v in REGRESS ISOLATION TAP PTX_KEEP; do
        [ -n "${!v+x}" ] && pass+=("$v=${!v}")
    done
    say "PostgreSQL $major: the suite in $root"
    log=$(mktemp)
    chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        PG_MAJOR="$major" PTX_MAJORS="$major" PTX_IN_ROOT=1 "${pass[@]}" \
        bash /ptx-src/test/check.sh 2>&1 | tee "$log" || rc=1
    umount_root "$root"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    rm -f "$log"
    [ -n "$line" ] || { echo "PostgreSQL $major: the suite did not finish"; return 1; }
    echo "PostgreSQL $major: $line"
    all_passed=$((all_passed + ${line%% passed*}))
    line=${line#*, }
    all_failed=$((all_failed + ${line%% failed*}))
    return $rc
}

all_passed=0; all_failed=0; all_status=0
if [ -z "${PTX_IN_ROOT:-}" ]; then
    for m in $PTX_MAJORS; do
        [ "$m" = "$PG_MAJOR" ] && continue
        run_in_root "$m" || all_status=1
    done
    case " $PTX_MAJORS " in *" $PG_MAJOR "*) ;; *)
        echo "$all_passed passed, $all_failed failed"
        [ "$all_failed" -eq 0 ] || all_status=1
        exit $all_status ;;
    esac
fi

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
    [ "$status" -eq 0 ] || grep -qE '\.\.\. FAILED|^not ok ' "$W/installcheck.log" || failed=$((failed + 1))
    stop_cluster "$W"
fi

TAP=${TAP-t/*.pl}
if [ -n "$TAP" ]; then
    # the last release, for the upgrade test: built from its commit when the
    # history is here (a clone is), else the test says it skips that part
    RELEASE_DIR=
    if [[ " $TAP " == *002_upgrade* ]] || [ "$TAP" = "t/*.pl" ]; then
        say "building release 0.1.0 (commit b5dbc0e)"
        RELEASE_DIR=$(build_release "$W/release" 0.1.0 b5dbc0e)
        [ -n "$RELEASE_DIR" ] || say "release 0.1.0 cannot be built here: the upgrade test loads its data with this build"
    fi
    say "TAP tests"
    if ! (cd "$W/src/test" && run_user env PATH="$BIN:$PATH" TESTDIR="$W/src/test" \
            PTX_RELEASE_INSTALL="$RELEASE_DIR" \
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
[ -n "${PTX_IN_ROOT:-}" ] || [ "$PTX_MAJORS" = "$PG_MAJOR" ] || echo "PostgreSQL $PG_MAJOR: $passed passed, $failed failed"
passed=$((passed + all_passed)); failed=$((failed + all_failed))
[ "$all_status" -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
