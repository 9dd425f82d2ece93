-- The law's calendar (R11, 民法典 §200-§204): the State Council's holiday
-- arrangements for 2025 and 2026, working days with 调休, the one arithmetic
-- of legal periods, 24:00 China time, and business dates that do not
-- depend on the session's TimeZone.  Infinite dates and huge counts are
-- refused or computed at once, never walked day by day.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET TimeZone = 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';
SET statement_timeout = '10s';

------------------------------------------------------------------------
-- The shipped calendar: 国办发明电〔2024〕12号 (2025), 国办发明电〔2025〕7号
-- (2026).
------------------------------------------------------------------------
SELECT extract(year FROM day)::int AS year, kind, count(*) AS days,
       string_agg(to_char(day, 'MM-DD'), ' ' ORDER BY day) AS dates
  FROM ptx.holiday_default GROUP BY 1, 2 ORDER BY 1, 2;
-- a make-up Saturday is a working day; a holiday Monday is not
SELECT d, to_char(d, 'Dy') AS dow, ptx.is_working_day(d) AS working
  FROM unnest('{2026-02-14,2026-02-16,2026-02-23,2026-02-24,2026-02-28,2026-03-01,2026-10-08,2026-10-10}'::date[]) d;

------------------------------------------------------------------------
-- Working days: the formula agrees with a day-by-day walk over 2024-2027.
------------------------------------------------------------------------
-- the walk: every day of 2024-11 to 2027-06 classified one by one
CREATE TEMP TABLE walk AS
SELECT g::date AS d, ptx.is_working_day(g::date) AS working,
       count(*) FILTER (WHERE ptx.is_working_day(g::date)) OVER (ORDER BY g) AS upto
  FROM generate_series(date '2024-11-01', date '2027-06-30', interval '1 day') g;
SELECT count(*) AS checked,
       count(*) FILTER (WHERE ptx.add_working_days(a.d, n) <> e.d) AS add_differs,
       count(*) FILTER (WHERE ptx.working_days_between(a.d, e.d) <> n) AS between_differs
  FROM walk a CROSS JOIN generate_series(0, 25, 4) n
  JOIN walk e ON e.upto = a.upto + n AND CASE WHEN n = 0 THEN e.d = a.d ELSE e.working END
 WHERE a.d BETWEEN '2024-12-01' AND '2027-01-31';
SELECT ptx.working_days_between('2026-01-01', '2026-12-31') AS working_days_2026,
       ptx.working_days_between('2025-12-31', '2026-01-05') AS new_year_week,
       ptx.working_days_between('2026-03-10', '2026-03-01') AS backwards;

------------------------------------------------------------------------
-- No hang: infinities refused, far dates and huge counts at once.
------------------------------------------------------------------------
SELECT ptx.add_working_days('infinity', 5);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_working_days('-infinity', 5);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.working_days_between('-infinity', '2025-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.working_days_between('2025-01-01', 'infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.is_working_day('infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.period_last_day('infinity', 3, 'days');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_working_days('2025-01-01', -1);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_working_days('2025-01-01', 2147483647);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.period_last_day('5874897-12-30', 3, 'days');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.period_last_day('2025-01-01', 3, 'weeks');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.working_days_between('2025-01-01', '9999-12-31') AS to_9999,
       ptx.add_working_days('2025-01-01', 1000000) AS million_on,
       ptx.add_working_days('9999-12-30', 3) AS past_9999,
       ptx.working_days_between('4713-01-01 BC', '2000-01-01') > 0 AS from_4713_bc;

-- hostile arguments: an error of class 22, never XX000, never a hang
CREATE FUNCTION pg_temp.sqlstate_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
SELECT q, pg_temp.sqlstate_of(q) AS sqlstate
  FROM unnest(ARRAY[
    $q$SELECT ptx.period_last_day('2025-01-01', 2147483647, 'days')$q$,
    $q$SELECT ptx.period_last_day('2025-01-01', -1, 'days')$q$,
    $q$SELECT ptx.period_last_day('2025-01-01', 1, NULL)$q$,
    $q$SELECT ptx.add_weekdays('2025-01-01', 9223372036854775807)$q$,
    $q$SELECT ptx.add_weekdays('2025-01-01', -5)$q$,
    $q$SELECT ptx.clock_end('infinity', 'publicity.min_days')$q$,
    $q$SELECT ptx.clock_date('2025-01-01', 'tender.min_bids')$q$,
    $q$SELECT ptx.clock_date('2025-01-01', 'no.such.key')$q$,
    $q$SELECT ptx.day_end('5874897-12-31')$q$,
    $q$SELECT ptx.next_working_day('-infinity')$q$,
    $q$SELECT ptx.weekdays_upto('4713-01-01 BC')$q$,
    $q$SELECT ptx.period_key(NULL, NULL, NULL)$q$,
    $q$SELECT ptx.bid_period(NULL, NULL)$q$,
    $q$SELECT ptx.min_bids(-1)$q$]) q;

------------------------------------------------------------------------
-- The arithmetic of a period: the first day not counted, a last day on a
-- holiday or rest day carried to the next working day, the end at 24:00.
------------------------------------------------------------------------
-- award on 04-01: 30 days end on 05-01, Labour Day: the contract is due on
-- the first working day after the holiday (2025: 05-06; 2026: 05-06)
SELECT ptx.clock_date('2025-04-01', 'contract.sign_days') AS contract_2025,
       ptx.clock_date('2026-04-01', 'contract.sign_days') AS contract_2026,
       ptx.clock_date('2026-03-31', 'contract.sign_days') AS day_30_on_thursday;
-- a period in working days skips the holiday, counts the make-up Saturday
SELECT ptx.period_last_day('2026-02-12', 3, 'working days') AS spring_festival,
       ptx.period_last_day('2026-09-30', 1, 'working days') AS national_day,
       ptx.period_last_day('2026-10-09', 1, 'working days') AS makeup_saturday;
-- a period of 0 days ends the same day, even on a holiday
SELECT ptx.period_last_day('2026-10-01', 0, 'days') AS same_day;
-- publicised from 03-27 10:00 for 3 days: to 24:00 of 03-30, whatever the
-- session's time zone
SELECT ptx.clock_end('2026-03-27 10:00+08', 'publicity.min_days') AS publicity_end;
SET TimeZone = 'UTC';
SELECT ptx.clock_end('2026-03-27 10:00+08', 'publicity.min_days') AS publicity_end_utc,
       ptx.day_end('2026-03-30') = '2026-03-31 00:00+08' AS at_24_china;
SET TimeZone = 'Asia/Shanghai';
SELECT ptx.period_key('tender.min_bid_days', 'procurement', 'negotiation') AS negotiation,
       ptx.period_key('tender.min_bid_days', 'procurement', 'open') AS procurement_open,
       ptx.period_key('contract.sign_days', 'construction', 'open') AS fallback;

------------------------------------------------------------------------
-- A DBA loads a later year (docs/operations.md) and corrects a day.
------------------------------------------------------------------------
INSERT INTO ptx.holiday (day, kind, name, reason)
SELECT d::date, 'holiday', '元旦', '国务院办公厅关于2027年部分节假日安排的通知'
  FROM generate_series(date '2027-01-01', date '2027-01-03', interval '1 day') d;
SELECT ptx.is_working_day('2027-01-01') AS new_year_2027,
       ptx.add_working_days('2026-12-31', 1) AS after_new_year_2027;
INSERT INTO ptx.holiday (day, kind, name, reason) VALUES ('2026-10-10', 'holiday', '取消调休', '本地区测试');
SELECT ptx.is_working_day('2026-10-10') AS corrected, local FROM ptx.calendar WHERE day = '2026-10-10';

------------------------------------------------------------------------
-- Business dates are China's dates: at 07:00 China time in a UTC session
-- (23:00 UTC the day before), the business day is already the next one.
------------------------------------------------------------------------
SET TimeZone = 'UTC';
SET ptx.fake_now = '2025-03-25 07:00:00+08';
SELECT ptx.now() AS now_utc, ptx.now()::date AS session_date, ptx.today() AS business_date;
-- a credit restriction that ended on 03-24 no longer restricts on 03-25
SELECT ptx.add_region('150000', '内蒙古自治区') \gset
SELECT ptx.add_org('91150000' || lpad('1', 9, '0') || ptx.uscc_check_char('91150000' || lpad('1', 9, '0')),
                   '某建设公司', '150000', '{bidder}') AS org \gset
SELECT ptx.add_credit_record('org', :org, 'bid_ban', '串通投标', '2025-01-01', '2025-03-24', '测试') > 0 AS recorded;
SELECT ptx.is_restricted('org', :org) AS restricted_at_0700_china;
SET ptx.fake_now = '2025-03-24 23:59:59+08';
SELECT ptx.is_restricted('org', :org) AS restricted_last_second;
-- a committee checked at 07:00 China time in a UTC session: an expert
-- whose training ended on 03-24 no longer sits on 03-25
SET TimeZone = 'Asia/Shanghai';
SET ptx.fake_now = '2025-03-20 09:00:00+08';
SELECT ptx.set_policy('expert_db.min_size', 5, 'a small test database') \gset
SELECT ptx.add_org('91150000' || lpad('2', 9, '0') || ptx.uscc_check_char('91150000' || lpad('2', 9, '0')),
                   '财政厅', '150000', '{supervisor}') AS sup,
       ptx.add_org('91150000' || lpad('3', 9, '0') || ptx.uscc_check_char('91150000' || lpad('3', 9, '0')),
                   '招标人', '150000', '{tenderee}') AS tenderee \gset
CREATE FUNCTION pg_temp.rid(n int) RETURNS text LANGUAGE sql AS $$
  SELECT b || substr('10X98765432', (SELECT sum(substr(b, i::int, 1)::int * w) FROM unnest('{7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2}'::int[]) WITH ORDINALITY AS t(w, i))::int % 11 + 1, 1)
    FROM (SELECT '15010219800101' || lpad(n::text, 3, '0') AS b) s $$;
SELECT count(ptx.add_expert('专家' || i, pg_temp.rid(i),
                            ptx.add_org('91150000' || lpad((10 + i)::text, 9, '0') || ptx.uscc_check_char('91150000' || lpad((10 + i)::text, 9, '0')),
                                        '单位' || i, '150000', '{bidder}'),
                            '150000', '{A08}', '2025-03-24')) AS experts
  FROM generate_series(1, 6) i;
SET session_replication_role = replica;
INSERT INTO ptx.project (code, title, category, region, tenderee_id, supervisor_id, amount, state)
VALUES ('C', '办公楼施工', 'construction', '150000', :tenderee, :sup, 5000000, 'opened');
RESET session_replication_role;
SELECT id AS c FROM ptx.project WHERE code = 'C' \gset
CALL ptx.draw_experts(:c, '[{"specialty":"A08","count":5}]');
SET TimeZone = 'UTC';
SET ptx.fake_now = '2025-03-24 23:59:59+08';
SELECT count(*) AS problems_on_0324 FROM ptx.committee_problems(:c);
SET ptx.fake_now = '2025-03-25 07:00:00+08';
SELECT regexp_replace(x, 'expert \d+', 'expert N') AS problem_at_0700_china
  FROM ptx.committee_problems(:c) x LIMIT 1;
RESET ptx.fake_now;
SET TimeZone = 'Asia/Shanghai';
