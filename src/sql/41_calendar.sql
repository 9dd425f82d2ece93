-- Legal clocks (法定期限): the local date of a business time, the working-day
-- calendar (工作日) and the due date of a period set by a policy setting.
--
-- Periods are counted in days: the day of the event is not counted (期间开始
--的当日不计入), so a period of n days after day d ends on d + n.  A period
-- in working days skips weekends and public holidays, and counts the
-- adjusted working days (调休上班) on weekends.

------------------------------------------------------------------------
-- The local date.  China keeps one time zone; the business clock is turned
-- into a date there whatever the session's TimeZone is.
------------------------------------------------------------------------
CREATE FUNCTION ptx.local_date(ts timestamptz) RETURNS date
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (ts AT TIME ZONE 'Asia/Shanghai')::date;
COMMENT ON FUNCTION ptx.local_date(timestamptz) IS
    'the calendar date of a time in China (Asia/Shanghai), the date legal periods count in';

CREATE FUNCTION ptx.today() RETURNS date
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN ptx.local_date(ptx.now());
COMMENT ON FUNCTION ptx.today() IS 'the local date of the business clock ptx.now()';

------------------------------------------------------------------------
-- Working-day calendar.  ptx.holiday_default holds the State Council's
-- holiday arrangements (国务院办公厅关于部分节假日安排的通知) shipped with ptx;
-- ptx.holiday holds the region's own rows, which win over the defaults for
-- the same day.  Both are editable: add next year's arrangement to
-- ptx.holiday as soon as it is published, correct a default by a row for
-- the same day.
------------------------------------------------------------------------
CREATE TABLE ptx.holiday_default (
    day     date PRIMARY KEY,
    kind    text NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name    text NOT NULL
);
COMMENT ON TABLE ptx.holiday_default IS
    'public holidays (法定节假日) and adjusted working days (调休上班日) shipped with ptx; override them in ptx.holiday';

CREATE TABLE ptx.holiday (
    day     date PRIMARY KEY,
    kind    text NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name    text NOT NULL CHECK (pg_catalog.btrim(name) <> ''),
    reason  text NOT NULL CHECK (pg_catalog.btrim(reason) <> ''),
    set_by  text NOT NULL DEFAULT session_user,
    set_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);
COMMENT ON TABLE ptx.holiday IS
    'the region''s calendar rows: holidays and adjusted working days, winning over ptx.holiday_default';
COMMENT ON COLUMN ptx.holiday.kind IS 'holiday: no work on that day; workday: a weekend day worked (调休上班) or a default holiday cancelled';
SELECT pg_catalog.pg_extension_config_dump('ptx.holiday', '');

CREATE VIEW ptx.calendar AS
SELECT COALESCE(h.day, d.day) AS day,
       COALESCE(h.kind, d.kind) AS kind,
       COALESCE(h.name, d.name) AS name,
       h.day IS NOT NULL AS local
  FROM ptx.holiday_default d
  FULL JOIN ptx.holiday h ON h.day = d.day;
COMMENT ON VIEW ptx.calendar IS 'the effective holidays and adjusted working days';

-- 2025: 国办发明电〔2024〕12号; 2026: 国办发明电〔2025〕7号.
INSERT INTO ptx.holiday_default (day, kind, name)
SELECT d::date, 'holiday', n
  FROM (VALUES ('2025-01-01', '2025-01-01', '元旦'),
               ('2025-01-28', '2025-02-04', '春节'),
               ('2025-04-04', '2025-04-06', '清明节'),
               ('2025-05-01', '2025-05-05', '劳动节'),
               ('2025-05-31', '2025-06-02', '端午节'),
               ('2025-10-01', '2025-10-08', '国庆节、中秋节'),
               ('2026-01-01', '2026-01-03', '元旦'),
               ('2026-02-15', '2026-02-23', '春节'),
               ('2026-04-04', '2026-04-06', '清明节'),
               ('2026-05-01', '2026-05-05', '劳动节'),
               ('2026-06-19', '2026-06-21', '端午节'),
               ('2026-09-25', '2026-09-27', '中秋节'),
               ('2026-10-01', '2026-10-07', '国庆节')) v(a, b, n),
       LATERAL pg_catalog.generate_series(a::date, b::date, interval '1 day') d;
INSERT INTO ptx.holiday_default (day, kind, name) VALUES
    ('2025-01-26', 'workday', '春节调休上班'),
    ('2025-02-08', 'workday', '春节调休上班'),
    ('2025-04-27', 'workday', '劳动节调休上班'),
    ('2025-09-28', 'workday', '国庆节调休上班'),
    ('2025-10-11', 'workday', '国庆节调休上班'),
    ('2026-01-04', 'workday', '元旦调休上班'),
    ('2026-02-14', 'workday', '春节调休上班'),
    ('2026-02-28', 'workday', '春节调休上班'),
    ('2026-05-09', 'workday', '劳动节调休上班'),
    ('2026-09-20', 'workday', '国庆节调休上班'),
    ('2026-10-10', 'workday', '国庆节调休上班');

CREATE FUNCTION ptx.is_working_day(day date) RETURNS boolean
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    BEGIN ATOMIC
        SELECT COALESCE((SELECT h.kind = 'workday' FROM ptx.holiday h WHERE h.day = is_working_day.day),
                        (SELECT d.kind = 'workday' FROM ptx.holiday_default d WHERE d.day = is_working_day.day),
                        pg_catalog.date_part('isodow', is_working_day.day) < 6);
    END;
COMMENT ON FUNCTION ptx.is_working_day(date) IS
    'true on a working day: Monday to Friday unless a holiday, or an adjusted working day';

CREATE FUNCTION ptx.add_working_days(day date, n integer) RETURNS date
    LANGUAGE plpgsql STABLE STRICT
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    d date := day;
    left_ integer := n;
BEGIN
    IF n < 0 THEN
        RAISE EXCEPTION 'a number of working days cannot be negative'
            USING ERRCODE = '22023', DETAIL = format('%s was given.', n);
    END IF;
    WHILE left_ > 0 LOOP
        d := d + 1;
        IF ptx.is_working_day(d) THEN
            left_ := left_ - 1;
        END IF;
    END LOOP;
    RETURN d;
END
$$;
COMMENT ON FUNCTION ptx.add_working_days(date, integer) IS
    'the n-th working day after a day (the day itself not counted); the day itself for n = 0';

CREATE FUNCTION ptx.working_days_between(a date, b date) RETURNS integer
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    BEGIN ATOMIC
        SELECT pg_catalog.count(*)::integer
          FROM pg_catalog.generate_series(a + 1, b, interval '1 day') g(d)
         WHERE ptx.is_working_day(g.d::date);
    END;
COMMENT ON FUNCTION ptx.working_days_between(date, date) IS
    'working days after a up to and including b (0 when b <= a)';

------------------------------------------------------------------------
-- Due dates of policy periods.  A setting counted in time has the unit
-- 'days' or 'working days' in ptx.policy_default.
------------------------------------------------------------------------
CREATE FUNCTION ptx.clock_date(start date, key text) RETURNS date
    LANGUAGE plpgsql STABLE STRICT
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v numeric := ptx.setting(key);
    u text;
BEGIN
    SELECT d.unit INTO u FROM ptx.policy_default d WHERE d.key = clock_date.key;
    IF v < 0 OR v <> trunc(v) THEN
        RAISE EXCEPTION 'policy setting "%" is not a whole number of days', key
            USING ERRCODE = '22023',
                  DETAIL = format('Its value is %s.', v),
                  HINT = 'Correct the override with ptx.set_policy.';
    END IF;
    IF u = 'days' THEN
        RETURN start + v::integer;
    ELSIF u = 'working days' THEN
        RETURN ptx.add_working_days(start, v::integer);
    END IF;
    RAISE EXCEPTION 'policy setting "%" is not a period', key
        USING ERRCODE = '22023',
              DETAIL = format('Its unit is %s, not days or working days.', u);
END
$$;
COMMENT ON FUNCTION ptx.clock_date(date, text) IS
    'the day a period set by a policy setting ends when it starts on a day (the day itself not counted)';

GRANT SELECT ON ptx.holiday_default, ptx.holiday, ptx.calendar
    TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT INSERT, UPDATE, DELETE ON ptx.holiday TO ptx_admin;
GRANT EXECUTE ON FUNCTION ptx.local_date(timestamptz), ptx.today(),
    ptx.is_working_day(date), ptx.add_working_days(date, integer),
    ptx.working_days_between(date, date), ptx.clock_date(date, text)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
