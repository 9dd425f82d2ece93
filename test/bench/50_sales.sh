#!/usr/bin/env bash
# Sales (R13): 8 clients offering concurrently on one sale, the ledger on,
# against the same check-and-insert in plain SQL (a row lock on the sale,
# the last offer read, the next one inserted) without ptx.  Afterwards:
# every accepted transaction left its offer (none lost) and the accepted
# amounts rise strictly with their sequence.
#
# Run by test/bench/run.sh with PGHOST, PGPORT, PGUSER and PTX_SHARED set;
# prints a markdown section on stdout, its progress on stderr.
#
#   SALES_BENCH_SECS=10   seconds of offers per variant and round
#   SALES_BENCH_REPS=3    rounds (the figure is the median)
set -euo pipefail

SECS=${SALES_BENCH_SECS:-10}
REPS=${SALES_BENCH_REPS:-3}
WORK=$(mktemp -d "${BENCH_WORKDIR:-/tmp}/sales-bench.XXXXXX")
log() { printf '%s\n' "$*" >&2; }
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
BIDDERS=100

# A client sees the current price and offers one increment above it.  It
# takes the sale's row lock first so that the price it reads is the one
# its offer is checked against (otherwise most offers would be refused as
# too low, which pgbench counts as failures): ptx.offer takes the same
# lock again and checks everything itself.
cat > "$WORK/ptx.sql" <<EOF
\set b random(3, $((BIDDERS + 2)))
BEGIN;
SELECT 1 FROM ptx.sale WHERE id = 1 FOR NO KEY UPDATE;
SELECT ptx.offer(1, :b, COALESCE((SELECT o.amount FROM ptx.offer o WHERE o.sale_id = 1
                                   ORDER BY o.seq DESC LIMIT 1) + 10, 1000000));
COMMIT;
EOF
cat > "$WORK/plain.sql" <<EOF
\set b random(3, $((BIDDERS + 2)))
BEGIN;
SELECT 1 FROM plain.sale WHERE id = 1 FOR NO KEY UPDATE;
INSERT INTO plain.offer (sale_id, seq, bidder_id, amount)
SELECT 1, COALESCE(l.seq, 0) + 1, :b, COALESCE(l.amount + s.increment, s.start_price)
  FROM plain.sale s
  LEFT JOIN LATERAL (SELECT o.seq, o.amount FROM plain.offer o WHERE o.sale_id = s.id
                      ORDER BY o.seq DESC LIMIT 1) l ON true
 WHERE s.id = 1 AND now() BETWEEN s.opens_at AND s.closes_at
   AND EXISTS (SELECT 1 FROM plain.deposit d WHERE d.sale_id = 1 AND d.bidder_id = :b);
COMMIT;
EOF

setup_db() {   # setup_db VARIANT
    local db=bench_sales_$1
    q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    if [ "$1" = ptx ]; then
        q -d "$db" >/dev/null <<EOF
SET client_min_messages = warning;
CREATE EXTENSION ptx CASCADE;
SET ptx.fake_now = '2025-03-03 09:00:00+08';
SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_org('91150000' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150000' || lpad(n::text, 9, '0')),
                   'org ' || n, '150000',
                   ARRAY[CASE n WHEN 1 THEN 'supervisor' WHEN 2 THEN 'tenderee' ELSE 'bidder' END])
  FROM generate_series(1, $((BIDDERS + 2))) n;
SELECT ptx.grant_jurisdiction(1, 'land', '150000');
SELECT ptx.register_project('BENCH-SALE', 'bench sale', 'land', '150000', 2, 1000000, 1, NULL, NULL, 'auction');
SELECT ptx.open_sale(1, 1000000, 10, '2025-03-24 09:00:00+08', '2025-03-24 11:00:00+08');
SET ptx.fake_now = '2025-03-24 08:00:00+08';
SELECT ptx.record_deposit(1, n, 0) FROM generate_series(3, $((BIDDERS + 2))) n;
EOF
    else
        q -d "$db" >/dev/null <<EOF
CREATE SCHEMA plain;
CREATE TABLE plain.sale (id int PRIMARY KEY, start_price numeric(18,2) NOT NULL, increment numeric(18,2) NOT NULL,
                         opens_at timestamptz NOT NULL, closes_at timestamptz NOT NULL);
CREATE TABLE plain.deposit (sale_id int REFERENCES plain.sale, bidder_id int, PRIMARY KEY (sale_id, bidder_id));
CREATE TABLE plain.offer (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, sale_id int NOT NULL REFERENCES plain.sale,
                          seq int NOT NULL, bidder_id int NOT NULL, amount numeric(18,2) NOT NULL,
                          offered_at timestamptz NOT NULL DEFAULT clock_timestamp(), UNIQUE (sale_id, seq));
INSERT INTO plain.sale VALUES (1, 1000000, 10, now() - interval '1 day', now() + interval '1 day');
INSERT INTO plain.deposit SELECT 1, n FROM generate_series(3, $((BIDDERS + 2))) n;
EOF
    fi
    q -d "$db" -c "VACUUM ANALYZE" -c "CHECKPOINT"
}

run_load() {   # run_load VARIANT SECS -> "tps transactions"
    local v=$1
    PGOPTIONS='-c ptx.fake_now=2025-03-24T10:00:00+08' \
        pgbench -n -c 8 -j 2 -T "$2" -f "$WORK/$v.sql" "bench_sales_$v" 2>"$WORK/$v.err" >"$WORK/$v.out" || {
            log "pgbench failed for $v:"; cat "$WORK/$v.err" >&2; return 1; }
    echo "$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$WORK/$v.out") $(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$WORK/$v.out")"
}

check_db() {   # check_db VARIANT -> "offers rising"
    local s=ptx
    [ "$1" = ptx ] || s=plain
    q -At -d "bench_sales_$1" -c "
        SELECT count(*) || ' ' || COALESCE(bool_and(ok), true)
          FROM (SELECT o.seq = row_number() OVER (ORDER BY o.seq)
                       AND o.amount > COALESCE(lag(o.amount) OVER (ORDER BY o.seq), 0) AS ok
                  FROM $s.offer o WHERE o.sale_id = 1) x"
}

declare -A RUNS TPS DONE
for v in ptx plain; do
    log "sales bench: setting up $v"
    setup_db "$v"
    DONE[$v]=0
done
order=(ptx plain)
for ((r = 0; r < REPS; r++)); do
    for v in "${order[@]}"; do
        read -r tps n < <(run_load "$v" "$SECS")
        log "sales bench: round $((r + 1)) $v $tps tps ($n offers)"
        RUNS[$v]="${RUNS[$v]:-} $tps"
        DONE[$v]=$((DONE[$v] + n))
    done
    order=("${order[1]}" "${order[0]}")
done
median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for v in ptx plain; do TPS[$v]=$(echo "${RUNS[$v]}" | median); done
ratio=$(awk -v a="${TPS[ptx]}" -v b="${TPS[plain]}" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
read -r ptx_n ptx_ok < <(check_db ptx)
read -r plain_n plain_ok < <(check_db plain)
ledger_n=$(q -At -d bench_sales_ptx -c "SELECT count(DISTINCT key::text) FROM ptx.ledger_entry WHERE relation = 'ptx.offer' AND operation = 'INSERT'")
lost=$(( DONE[ptx] - ptx_n ))

cat <<EOF
### Sales: concurrent offers on one sale

\`pgbench -n -c 8 -j 2 -T $SECS\`, 8 clients offering on one sale with
$BIDDERS bidders holding deposits: each transaction locks the sale's row,
reads the last offer and offers one increment above it.  \`ptx\` calls
\`ptx.offer()\` (window, deposit, credit, increment checked; the offer
recorded in the ledger); \`plain\` does the same check-and-insert in plain
SQL, with the same row lock and no ledger.  $REPS rounds, interleaved; offers/s is
the median (all runs listed).

| variant | offers/s (median) | ratio | runs |
|---|---:|---:|---|
| plain SQL, row lock, no ledger | ${TPS[plain]} | 1.00 | ${RUNS[plain]# } |
| ptx.offer, ledger on | ${TPS[ptx]} | $ratio | ${RUNS[ptx]# } |

Integrity: ptx accepted ${DONE[ptx]} offers and holds $ptx_n (lost: $lost); the ledger
records $ledger_n of them; sequence gap-free and amounts strictly
rising: ptx **$ptx_ok**, plain **$plain_ok** ($plain_n offers).
EOF
for v in ptx plain; do q -d postgres -c "DROP DATABASE IF EXISTS bench_sales_$v" >&2 || true; done
rm -rf "$WORK"
