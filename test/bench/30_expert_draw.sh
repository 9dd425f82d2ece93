#!/usr/bin/env bash
# Benchmark of DESIGN.md §8: an expert draw from a database of 100 000
# experts, for a project with 50 bidders whose relations recuse experts,
# against the naive draw of $PTX_SHARED/peers/naive_draw.sql (the same
# filters in plain SQL, ORDER BY random() LIMIT k).  Target: >= 10x faster.
#
# Run by test/bench/run.sh with PGHOST, PGPORT, PGUSER and PTX_SHARED set;
# prints a markdown section on stdout.  Creates and drops its own database.
set -euo pipefail
: "${PTX_SHARED:?set PTX_SHARED to the shared directory with peers/}"
[ -f "$PTX_SHARED/peers/naive_draw.sql" ] || { echo "peers/naive_draw.sql not found" >&2; exit 1; }
DB=ptx_bench_expert_draw
ROUNDS=${BENCH_ROUNDS:-3}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
q -d "$DB" -c "CREATE EXTENSION ptx CASCADE"
start=$(date +%s)
# one project per draw: a project has one draw per need and round (PX008)
q -d "$DB" -v nproj=$((10 * ROUNDS + 6)) >/dev/null <<'SQL'
-- 100 000 experts, 5 000 employers, 12 leagues, 10 × rounds + 6 projects of 50 bidders each.
SET client_min_messages = warning;
SELECT setseed(0.42);
SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region(c, n, '150000') FROM (VALUES
  ('150100','呼和浩特市'),('150200','包头市'),('150300','乌海市'),('150400','赤峰市'),
  ('150500','通辽市'),('150600','鄂尔多斯市'),('150700','呼伦贝尔市'),('150800','巴彦淖尔市'),
  ('150900','乌兰察布市'),('152200','兴安盟'),('152500','锡林郭勒盟'),('152900','阿拉善盟')) v(c, n);
CREATE TEMP TABLE leagues AS SELECT array_agg(code ORDER BY code) AS codes FROM ptx.region WHERE level = 2;
-- organisations: 1 supervisor, 10 tenderees, 10 agencies, 5 000 other subjects
CREATE FUNCTION pg_temp.uscc(n int) RETURNS text LANGUAGE sql AS
  $$ SELECT '91150000' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150000' || lpad(n::text, 9, '0')) $$;
INSERT INTO ptx.org (uscc, name, region, roles)
SELECT pg_temp.uscc(i),
       CASE WHEN i = 1 THEN '住房和城乡建设厅' WHEN i <= 11 THEN '招标人' || i WHEN i <= 21 THEN '代理机构' || i ELSE '企业' || i END,
       (SELECT codes[1 + (i % 12)] FROM leagues),
       CASE WHEN i = 1 THEN '{supervisor}'::text[] WHEN i <= 11 THEN '{tenderee}' WHEN i <= 21 THEN '{agency}' ELSE '{bidder}' END
  FROM generate_series(1, 5021) i;
SELECT ptx.grant_jurisdiction(1, 'construction', '150000');
-- experts: 1 to 3 codes of the classification (A 50 %, B 30 %, C 20 %),
-- first levels 01-12, second levels 01-08, a third level for some
CREATE FUNCTION pg_temp.code() RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT c || lpad((1 + floor(random() * 12))::int::text, 2, '0')
           || lpad((1 + floor(random() * 8))::int::text, 2, '0')
           || CASE WHEN random() < 0.4 THEN lpad((1 + floor(random() * 5))::int::text, 2, '0') ELSE '' END
    FROM (SELECT CASE WHEN r < 0.5 THEN 'A' WHEN r < 0.8 THEN 'B' ELSE 'C' END AS c FROM (SELECT random() AS r) x) y $$;
CREATE FUNCTION pg_temp.rid(n int) RETURNS text LANGUAGE sql AS $$
  SELECT b || substr('10X98765432', (SELECT sum(substr(b, i::int, 1)::int * w) FROM unnest('{7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2}'::int[]) WITH ORDINALITY AS t(w, i))::int % 11 + 1, 1)
    FROM (SELECT '150102' || to_char(date '1950-01-01' + (n % 15000), 'YYYYMMDD') || lpad((n / 15000)::text, 3, '0') AS b) s $$;
SELECT ptx_private.personal_data_keys() IS NOT NULL AS keys;
INSERT INTO ptx.expert (name, id_number_hash, id_number_cipher, employer_id, region, specialties,
                        title, practice_years, trained_until)
SELECT '专家' || i,
       hmac(convert_to('id_number:' || pg_temp.rid(i), 'UTF8'), k.hash_key, 'sha256'),
       pgp_sym_encrypt(pg_temp.rid(i), encode(k.cipher_key, 'hex'), 'cipher-algo=aes256, s2k-mode=1'),
       22 + floor(random() * 5000)::int,
       (SELECT codes[1 + floor(random() * 12)::int] FROM leagues),
       ARRAY(SELECT pg_temp.code() FROM generate_series(1, 1 + floor(random() * 3)::int + i * 0)),
       (ARRAY['senior', 'associate_senior', 'associate_senior', 'equivalent', 'intermediate'])[1 + floor(random() * 5)::int],
       5 + floor(random() * 30)::int,
       current_date + (floor(random() * 1000) - 100)::int
  FROM generate_series(1, 100000) i, ptx_private.personal_data_key k;
-- declared relations besides employment: 20 000, with past and present periods
INSERT INTO ptx.expert_relation (expert_id, org_id, kind, valid_from, valid_to)
SELECT 1 + floor(random() * 100000)::int, 22 + floor(random() * 5000)::int,
       (ARRAY['employee', 'director', 'controller', 'relative', 'other'])[1 + floor(random() * 5)::int],
       f, CASE WHEN random() < 0.5 THEN f + floor(random() * 2500)::int END
  FROM (SELECT date '2010-01-01' + floor(random() * 3000)::int AS f FROM generate_series(1, 20000)) g;
-- the projects, each with one of 10 tenderees and agencies and 50 bidders
SET session_replication_role = replica;
INSERT INTO ptx.project (code, title, category, region, tenderee_id, agency_id, supervisor_id, amount, state)
SELECT 'BENCH-' || i, '基准项目' || i, 'construction', '150100', 1 + (i - 1) % 10 + 1, 11 + (i - 1) % 10 + 1, 1, 50000000, 'opened'
  FROM generate_series(1, :nproj) i;
INSERT INTO ptx.bid (project_id, bidder_id, price)
SELECT p.id, 22 + ((p.id * 97 + b * 13) % 5000), 40000000 + b
  FROM ptx.project p, generate_series(1, 50) b;
RESET session_replication_role;
ANALYZE;
VACUUM ANALYZE;
SQL
load_s=$(( $(date +%s) - start ))

# The naive draw, one query per need, with every filter ptx applies.
cat > "$W/naive.sql" <<'SQL'
-- the naive draw of ../shared/peers/naive_draw.sql, adapted to ptx's schema
-- with the same filters as ptx.expert_pool: :project, :spec, :k
PREPARE naive(bigint, text, int) AS
SELECT e.id
  FROM ptx.expert e
 WHERE (e.status = 'active' OR (e.status = 'suspended' AND e.suspended_until < current_date))
   AND e.trained_until >= current_date
   AND (e.practice_years IS NULL OR e.practice_years >= 8)
   AND (e.title IS NULL OR e.title IN ('senior', 'associate_senior', 'equivalent'))
   AND EXISTS (SELECT 1 FROM unnest(e.specialties) s WHERE s LIKE $2 || '%')
   AND NOT EXISTS (SELECT 1 FROM ptx.expert_relation r
                    WHERE r.expert_id = e.id
                      AND r.org_id IN (SELECT p.tenderee_id FROM ptx.project p WHERE p.id = $1
                                       UNION ALL SELECT p.agency_id FROM ptx.project p WHERE p.id = $1
                                       UNION ALL SELECT p.supervisor_id FROM ptx.project p WHERE p.id = $1
                                       UNION ALL SELECT b.bidder_id FROM ptx.bid b WHERE b.project_id = $1)
                      AND (r.valid_from IS NULL OR r.valid_from <= current_date)
                      AND (r.valid_to IS NULL OR r.valid_to >= CASE WHEN r.kind IN ('employee', 'director', 'controller')
                                                                    THEN (current_date - interval '3 years')::date ELSE current_date END))
   AND NOT EXISTS (SELECT 1 FROM ptx.expert_penalty pe WHERE pe.expert_id = e.id AND pe.decided_on <= current_date)
   AND NOT ptx.is_restricted('expert', e.id, current_date)
 ORDER BY random() LIMIT $3;
SQL

need='[{"specialty":"A05","count":5},{"specialty":"A0803","count":2}]'
# requests for every round, committed before they are executed
q -d "$DB" -At -c "SELECT ptx.request_expert_draw(p.id, '$need') FROM ptx.project p WHERE p.id <= 10 * $ROUNDS ORDER BY p.id" > "$W/draws"

# One session: a warm-up of each, then the rounds, alternating.
{
    echo '\i '"$W/naive.sql"
    echo "SELECT ptx.request_expert_draw($((10 * ROUNDS + 1)), '$need') AS warm \gset"
    echo "EXECUTE naive(1, 'A05', 5); EXECUTE naive(1, 'A0803', 2);"
    echo "SELECT count(*) FROM ptx.execute_draw(:warm);"
    echo '\timing on'
    i=0
    for d in $(cat "$W/draws"); do
        p=$(( i % 10 + 1 ))
        echo '\echo naive'
        echo "EXECUTE naive($p, 'A05', 5);"
        echo "EXECUTE naive($p, 'A0803', 2);"
        echo '\echo ptx'
        echo "SELECT count(*) FROM ptx.execute_draw($d);"
        i=$((i + 1))
    done
    echo '\timing off'
    echo '\echo call'
    echo '\timing on'
    for p in 2 3 4 5 6; do echo "CALL ptx.draw_experts($((10 * ROUNDS + p)), '$need', '{}', NULL);"; done
} > "$W/run.sql"
q -d "$DB" -f "$W/run.sql" > "$W/out" 2>&1

# times: naive = the two queries of a round; ptx = execute_draw (the pools
# computed and stored, the picks stored, the commit); call = draw_experts
# (request, commit, execute, commit)
awk '/^naive$/ {m = "naive"; n = 0; next} /^ptx$/ {m = "ptx"; next} /^call$/ {m = "call"; next}
     /^Time: / { t = $2 + 0;
                 if (m == "naive") { s += t; if (++n == 2) { print "naive", s; s = 0 } }
                 else if (m != "") print m, t }' "$W/out" > "$W/times"
median() { grep "^$1 " "$W/times" | awk '{print $2}' | sort -n | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
naive=$(median naive); ptx=$(median ptx); call=$(median call)
samples=$(grep -c '^ptx ' "$W/times")
pools=$(q -d "$DB" -At -c "SELECT string_agg(label || ' ' || round(avg_size), ', ' ORDER BY label) FROM (SELECT label, avg(pool_size) AS avg_size FROM ptx.draw_pool GROUP BY label) s")
experts=$(q -d "$DB" -At -c "SELECT count(*) FROM ptx.expert")
relations=$(q -d "$DB" -At -c "SELECT count(*) FROM ptx.expert_relation")
verified=$(q -d "$DB" -At -c "SELECT count(*) FILTER (WHERE ptx.verify_draw(x.draw_id)) || ' of ' || count(*) FROM ptx.draw_execution x")
ratio=$(awk -v a="$naive" -v b="$ptx" 'BEGIN {printf "%.1f", a / b}')
ratio_call=$(awk -v a="$naive" -v b="$call" 'BEGIN {printf "%.1f", a / b}')
met=$(awk -v r="$ratio" 'BEGIN {print (r >= 10) ? "met" : "NOT met"}')

echo "### Expert draw (30_expert_draw)"
echo
echo "Draw of 7 experts in 2 specialties (5 × A05, 2 × A0803) from $experts experts"
echo "($relations relations: employment and declared interests) for projects with"
echo "50 bidders each, against \`peers/naive_draw.sql\` with the same filters"
echo "(status, suspension, training, qualification, specialty, recusal against"
echo "tenderee, agency, supervisor and bidders, penalties, credit), \`ORDER BY random() LIMIT k\`."
echo "Medians of $samples draws in one session, after a warm-up; data loaded in ${load_s} s."
echo
echo "| | median ms |"
echo "|---|---|"
echo "| naive SQL, both needs | $naive |"
echo "| ptx.execute_draw: pools computed and stored with their hashes, picks stored, commit | $ptx |"
echo "| CALL ptx.draw_experts: request, commit, execute, commit | $call |"
echo
echo "Eligible pools (average size): $pools.  Draws verified by replay: $verified."
echo
echo "**Ratio: ${ratio}× faster** (naive / execute_draw; ${ratio_call}× for the whole CALL). Target: ≥ 10× — $met."
q -d postgres -c "DROP DATABASE $DB"
