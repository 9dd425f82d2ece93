-- Legal clocks (法定期限): the working-day calendar (工作日) and the due date
-- of a period set by a policy setting, counted on China's dates
-- (ptx.local_date and ptx.today, 05_clock.sql).
--
-- Periods are counted in days: the day of the event is not counted (期间开始
-- 的当日不计入), so a period of n days after day d ends on d + n, or on the
-- next working day when that day is a holiday or rest day (民法典 §203 ¶1),
-- at 24:00 China time (§203 ¶2).  A period in working days skips weekends
-- and public holidays, and counts the adjusted working days (调休上班) on
-- weekends.  Every clock of ptx counts with ptx.period_last_day (through
-- ptx.clock_date and ptx.clock_end).

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

-- The arithmetic below never walks day by day: weekdays are counted by a
-- formula and only the calendar's rows (a few dozen a year) are visited, so
-- any finite date and any count answer at once.  Infinite dates are no
-- business days and are refused (22008).
CREATE FUNCTION ptx.finite_day(day date, what text DEFAULT 'day') RETURNS date
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF day IS NOT NULL AND NOT pg_catalog.isfinite(day) THEN
        PERFORM ptx.raise('calendar.infinite_day', COALESCE(what, '<NULL>'), day::text);
    END IF;
    RETURN day;
END
$$;
COMMENT ON FUNCTION ptx.finite_day(date, text) IS
    'the day itself, or an error (22008) when it is infinite';

CREATE FUNCTION ptx.is_working_day(day date) RETURNS boolean
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    BEGIN ATOMIC
        SELECT COALESCE((SELECT h.kind = 'workday' FROM ptx.holiday h WHERE h.day = is_working_day.day),
                        (SELECT d.kind = 'workday' FROM ptx.holiday_default d WHERE d.day = is_working_day.day),
                        pg_catalog.date_part('isodow', ptx.finite_day(is_working_day.day)) < 6);
    END;
COMMENT ON FUNCTION ptx.is_working_day(date) IS
    'true on a working day: Monday to Friday unless a holiday, or an adjusted working day';

-- Mondays to Fridays from 2000-01-03 (a Monday) up to a day, as a
-- relative count: weekdays_between(a, b) = upto(b) - upto(a).
CREATE FUNCTION ptx.weekdays_upto(day date) RETURNS bigint
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    days bigint := ptx.finite_day(day) - date '2000-01-03';
    r bigint := ((days % 7) + 7) % 7;
BEGIN
    RETURN 5 * ((days - r) / 7) + LEAST(r + 1, 5);
END
$$;
COMMENT ON FUNCTION ptx.weekdays_upto(date) IS
    'Mondays to Fridays from 2000-01-03 up to a day, relative (for differences)';

CREATE FUNCTION ptx.working_days_between(a date, b date) RETURNS integer
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM ptx.finite_day(a, 'start'), ptx.finite_day(b, 'end');
    IF b <= a THEN
        RETURN 0;
    END IF;
    -- weekdays, less the holidays on weekdays, plus the weekend days worked
    SELECT ptx.weekdays_upto(b) - ptx.weekdays_upto(a)
           + COALESCE(sum(CASE WHEN c.kind = 'workday' AND pg_catalog.date_part('isodow', c.day) > 5 THEN 1
                               WHEN c.kind = 'holiday' AND pg_catalog.date_part('isodow', c.day) <= 5 THEN -1
                               ELSE 0 END), 0)
      INTO n
      FROM ptx.calendar c
     WHERE c.day > a AND c.day <= b;
    RETURN n;
END
$$;
COMMENT ON FUNCTION ptx.working_days_between(date, date) IS
    'working days after a up to and including b (0 when b <= a)';

-- The n-th weekday after a day, the calendar's rows not considered.
CREATE FUNCTION ptx.add_weekdays(day date, n bigint) RETURNS date
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    w integer := pg_catalog.date_part('isodow', ptx.finite_day(day))::integer;
    monday bigint;
    total bigint;
    result bigint;
BEGIN
    IF n < 0 THEN
        PERFORM ptx.raise('calendar.weekdays_negative', n::text);
    END IF;
    IF n = 0 THEN
        RETURN day;
    END IF;
    IF w > 5 THEN
        w := 5;                      -- a weekend counts on from its Friday
    END IF;
    monday := (day - date '2000-01-03') - (pg_catalog.date_part('isodow', day)::integer - 1);
    total := (w - 1) + n;
    result := monday + (total / 5) * 7 + total % 5;
    IF result > date '5874897-12-31' - date '2000-01-03' THEN
        PERFORM ptx.raise('calendar.weekdays_beyond_last_date', n::text, day::text);
    END IF;
    RETURN date '2000-01-03' + result::integer;
END
$$;
COMMENT ON FUNCTION ptx.add_weekdays(date, bigint) IS
    'the n-th Monday-to-Friday day after a day, holidays not considered';

CREATE FUNCTION ptx.add_working_days(day date, n integer) RETURNS date
    LANGUAGE plpgsql STABLE STRICT
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    e date := ptx.finite_day(day);
    left_ bigint := n;
    plain bigint;
    c record;
BEGIN
    IF n < 0 THEN
        PERFORM ptx.raise('calendar.working_days_negative', n::text);
    END IF;
    IF n = 0 THEN
        RETURN e;
    END IF;
    IF (e - date '2000-01-03')::bigint + (n::bigint * 7) / 5 + 400
       > (date '5874897-12-31' - date '2000-01-03') THEN
        PERFORM ptx.raise('calendar.working_days_beyond_last_date', n::text, e::text);
    END IF;
    -- Walk the calendar's rows after the day, counting the weekdays
    -- between them by formula.
    FOR c IN SELECT k.day, k.kind FROM ptx.calendar k WHERE k.day > add_working_days.day ORDER BY k.day LOOP
        plain := ptx.weekdays_upto(c.day - 1) - ptx.weekdays_upto(e);
        IF plain >= left_ THEN
            RETURN ptx.add_weekdays(e, left_);
        END IF;
        left_ := left_ - plain;
        IF c.kind = 'workday' THEN
            left_ := left_ - 1;
            IF left_ = 0 THEN
                RETURN c.day;
            END IF;
        END IF;
        e := c.day;
    END LOOP;
    RETURN ptx.add_weekdays(e, left_);
END
$$;
COMMENT ON FUNCTION ptx.add_working_days(date, integer) IS
    'the n-th working day after a day (the day itself not counted); the day itself for n = 0';

CREATE FUNCTION ptx.next_working_day(day date) RETURNS date
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    BEGIN ATOMIC
        SELECT CASE WHEN ptx.is_working_day(ptx.finite_day(next_working_day.day))
                    THEN next_working_day.day
                    ELSE ptx.add_working_days(next_working_day.day, 1) END;
    END;
COMMENT ON FUNCTION ptx.next_working_day(date) IS
    'the day itself when it is a working day, else the first working day after it';

------------------------------------------------------------------------
-- The one arithmetic of legal periods (R11, 民法典 §200-§204).  A period
-- of n days starting on a day (the event's day, not counted, §201) has
-- its last day n days later; when that day is a legal holiday or a rest
-- day, the period ends on the first working day after it (§203 ¶1).  A
-- period in working days ends on the n-th working day.  The period runs
-- to 24:00 China time of its last day (§203 ¶2): ptx.day_end.
------------------------------------------------------------------------
CREATE FUNCTION ptx.period_last_day(start date, n integer, unit text) RETURNS date
    LANGUAGE plpgsql STABLE STRICT
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.finite_day(start, 'start');
    IF n < 0 THEN
        PERFORM ptx.raise('calendar.period_negative', n::text, unit);
    END IF;
    IF unit = 'days' THEN
        IF n = 0 THEN
            RETURN start;            -- the same day: nothing to carry over
        END IF;
        IF start > date '5874897-12-31' - n THEN
            PERFORM ptx.raise('calendar.days_beyond_last_date', n::text, start::text);
        END IF;
        RETURN ptx.next_working_day(start + n);
    ELSIF unit = 'working days' THEN
        RETURN ptx.add_working_days(start, n);
    END IF;
    PERFORM ptx.raise('calendar.period_unit', unit);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION ptx.period_last_day(date, integer, text) IS
    'last day of a period of n days or working days starting on a day (not counted); a last day on a holiday or rest day moves to the next working day (民法典 §201, §203)';

CREATE FUNCTION ptx.day_end(day date) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ((ptx.finite_day(day) + 1)::timestamp AT TIME ZONE 'Asia/Shanghai');
COMMENT ON FUNCTION ptx.day_end(date) IS
    '24:00 China time (Asia/Shanghai) of a day, when a period ending on it ends (民法典 §203 ¶2)';

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
    IF v < 0 OR v <> trunc(v) OR v > 36500 THEN
        PERFORM ptx.raise('calendar.setting_not_whole_days', key, v::text);
    END IF;
    IF u IN ('days', 'working days') THEN
        RETURN ptx.period_last_day(start, v::integer, u);
    END IF;
    PERFORM ptx.raise('calendar.setting_not_a_period', key, u);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION ptx.clock_date(date, text) IS
    'the last day of a period set by a policy setting when it starts on a day (the day itself not counted; a holiday at the end carried to the next working day)';

CREATE FUNCTION ptx.clock_end(start timestamptz, key text) RETURNS timestamptz
    LANGUAGE sql STABLE STRICT
    RETURN ptx.day_end(ptx.clock_date(ptx.local_date(start), key));
COMMENT ON FUNCTION ptx.clock_end(timestamptz, text) IS
    'the moment a period set by a policy setting ends: 24:00 China time of its last day';

-- The setting of a period for a project: the most specific of
-- key.category.method, key.category and key that ptx.policy_default has.
CREATE FUNCTION ptx.period_key(key text, category text, method text DEFAULT NULL) RETURNS text
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT COALESCE(
            (SELECT d.key FROM ptx.policy_default d
              WHERE d.key = period_key.key || '.' || period_key.category || '.' || period_key.method),
            (SELECT d.key FROM ptx.policy_default d
              WHERE d.key = period_key.key || '.' || period_key.category),
            period_key.key);
    END;
COMMENT ON FUNCTION ptx.period_key(text, text, text) IS
    'the policy setting of a period for a category and method: key.category.method, else key.category, else key';

GRANT SELECT ON ptx.holiday_default, ptx.holiday, ptx.calendar
    TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT INSERT, UPDATE, DELETE ON ptx.holiday TO ptx_admin;
GRANT EXECUTE ON FUNCTION ptx.local_date(timestamptz), ptx.today(),
    ptx.is_working_day(date), ptx.add_working_days(date, integer),
    ptx.working_days_between(date, date), ptx.clock_date(date, text),
    ptx.finite_day(date, text), ptx.weekdays_upto(date), ptx.add_weekdays(date, bigint),
    ptx.next_working_day(date), ptx.period_last_day(date, integer, text), ptx.day_end(date),
    ptx.clock_end(timestamptz, text), ptx.period_key(text, text, text)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
