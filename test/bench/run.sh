#!/usr/bin/env bash
# make bench: measures the targets of DESIGN.md §8 as ratios against the
# peers in ../shared/peers/, in one run on this machine, and writes the
# figures to docs/benchmarks.md.
#
# Each test/bench/NN_name.sh runs in order with PGHOST, PGPORT, PGUSER and
# PTX_SHARED (the shared directory with peers/) set.  It creates its own
# database, measures, and prints a markdown section on stdout: a "###"
# heading, a table of figures, the ratio and the target.
#
#   make bench                     # all
#   BENCH="10_ledger" make bench   # some (names without .sh)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

ensure_packages
# pgaudit, the peer a DBA would pick for "record every change" (DESIGN.md §8)
dpkg-query -W -f='${Status}' "postgresql-$PG_MAJOR-pgaudit" 2>/dev/null | grep -q 'install ok installed' || {
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "postgresql-$PG_MAJOR-pgaudit" >/dev/null; }
SHARED=${PTX_SHARED:-$(cd "$PTX_SRC/.." && pwd)/shared}
[ -d "$SHARED/peers" ] || die "peers not found in $SHARED (set PTX_SHARED)"
W=$(make_workdir bench)
PORT=$(free_port)
# Huge pages for the shared buffers, as PostgreSQL's documentation advises
# for a shared_buffers of this size.  Without them every process maps the
# shared buffers 4 kB at a time, page-faulting the first time it touches
# each page; on a virtual machine a fault costs a trip to the hypervisor.
# pgbench connects anew at every run, so each run's backends fault again on
# every page they touch, and a variant that writes more new pages (ptx's
# ledger) pays that many times over: a cost of the bench's fresh cluster and
# fresh connections, not of a server in service.  The pages are reserved
# for the run (as root) and given back afterwards; where they cannot be had
# the server runs without them, and the machine's table below says so.
HUGE_WANT=640                        # 2 MB pages: 1.25 GB for 1 GB of shared buffers
hp_total0=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
hp_free() { awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo; }
huge=off
if [ "$(hp_free)" -lt "$HUGE_WANT" ]; then
    as_root sysctl -q -w vm.nr_hugepages=$(( hp_total0 + HUGE_WANT - $(hp_free) )) 2>/dev/null || true
fi
[ "$(hp_free)" -ge "$HUGE_WANT" ] && huge=on
cleanup() {
    stop_cluster "$W"; [ -n "${PTX_KEEP:-}" ] || rm -rf "$W"
    [ "$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)" = "$hp_total0" ] \
        || as_root sysctl -q -w vm.nr_hugepages="$hp_total0" 2>/dev/null || true
}
trap cleanup EXIT

say "building ptx in $W"
make_pg_tree "$W" >/dev/null
build_ptx "$W"
BIN=$W/inst/usr/lib/postgresql/$PG_MAJOR/bin
# Durable settings, as in production: the ratios include the cost of WAL.
# pgaudit is loaded for the whole server and logs only in its variant's
# database (pgaudit.log set there); its lines go to a log file, as in
# production.
start_cluster "$W" "$PORT" "fsync = on" "shared_buffers = '1GB'" "huge_pages = $huge" \
    "max_connections = 50" "cron.database_name = 'postgres'" \
    "shared_preload_libraries = 'pg_cron,ptx,pgaudit'" \
    "logging_collector = on" "log_directory = 'log'"

scripts=()
if [ -n "${BENCH:-}" ]; then
    for b in $BENCH; do scripts+=("$PTX_SRC/test/bench/$b.sh"); done
else
    for f in "$PTX_SRC"/test/bench/[0-9][0-9]_*.sh; do [ -e "$f" ] && scripts+=("$f"); done
fi

out=$W/sections.md
: > "$out"
chmod 666 "$out"
status=0
for s in "${scripts[@]}"; do
    name=$(basename "$s" .sh)
    say "bench $name"
    if ! run_user env PGHOST="$W" PGPORT="$PORT" PGUSER=postgres PTX_SHARED="$SHARED" \
            PATH="$BIN:$PATH" BENCH_WORKDIR="$W" bash "$s" >"$W/$name.md" 2>"$W/$name.log"; then
        status=1
        { echo "### $name"; echo; echo "Failed; last lines of its log:"; echo '```';
          tail -n 20 "$W/$name.log"; echo '```'; } >"$W/$name.md"
    fi
    cat "$W/$name.md"
    { cat "$W/$name.md"; echo; } >>"$out"
done

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
pgv=$("$BIN/postgres" --version)
{
    echo "# Benchmarks"
    echo
    echo "Measured by \`make bench\` (test/bench/run.sh), all in one run on the same"
    echo "machine, so that the figures are ratios against the peers of"
    echo "\`../shared/peers/\` and the machine's own limits.  Reproduce with:"
    echo
    echo '```'
    echo 'make bench'
    echo '```'
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
    echo "| machine | $(nproc) cores, $cpu, $mem |"
    if [ "$huge" = on ]; then hp_note="in huge pages of 2 MB"; else hp_note="**without huge pages** (none could be reserved)"; fi
    echo "| server | $pgv, fsync on, shared_buffers 1GB $hp_note, a private cluster |"
    echo
    cat "$out"
} > "$PTX_SRC/docs/benchmarks.md.new"
if [ -n "${BENCH:-}" ]; then
    mv "$PTX_SRC/docs/benchmarks.md.new" "$PTX_SRC/docs/benchmarks-partial.md"
    say "partial run: figures in docs/benchmarks-partial.md"
else
    mv "$PTX_SRC/docs/benchmarks.md.new" "$PTX_SRC/docs/benchmarks.md"
    say "figures in docs/benchmarks.md"
fi
exit $status
