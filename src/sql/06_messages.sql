-- Messages in the user's language (消息的语言): English by default,
-- Chinese when the session's lc_messages is a Chinese locale.
--
-- C code translates through PostgreSQL's NLS (po/zh_CN.po, text domain
-- ptx-<major>).  PL/pgSQL code raises through ptx.raise(), which picks the
-- text by message id from ptx.message: every message has both languages
-- (the table refuses one without the other), and its SQLSTATE is the
-- message's, never the language's.  Reference: docs/reference/messages.md.

CREATE TABLE ptx.message (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$'),
    sqlstate    text NOT NULL CHECK (sqlstate ~ '^[0-9A-Z]{5}$'),
    en_message  text NOT NULL CHECK (en_message <> ''),
    en_detail   text CHECK (en_detail <> ''),
    en_hint     text CHECK (en_hint <> ''),
    zh_message  text NOT NULL CHECK (zh_message <> ''),
    zh_detail   text CHECK (zh_detail <> ''),
    zh_hint     text CHECK (zh_hint <> ''),
    CHECK ((en_detail IS NULL) = (zh_detail IS NULL)),
    CHECK ((en_hint IS NULL) = (zh_hint IS NULL))
);
COMMENT ON TABLE ptx.message IS
    'messages raised by ptx''s PL/pgSQL code, in English and Chinese (消息目录); texts are format() strings with positional arguments %1$s, %2$s, ...';
GRANT SELECT ON ptx.message TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;

CREATE FUNCTION ptx.message_language() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    RETURN CASE WHEN pg_catalog.lower(pg_catalog.current_setting('lc_messages')) ~ '^zh([_.@-]|$)'
                THEN 'zh' ELSE 'en' END;
COMMENT ON FUNCTION ptx.message_language() IS
    'the language of ptx''s messages in this session: zh when lc_messages is a Chinese locale, en otherwise';

-- ptx.message_text(id, args...): the message of id in the session's
-- language, its arguments filled in.
CREATE FUNCTION ptx.message_text(id text, VARIADIC args text[] DEFAULT '{}')
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    m ptx.message;
BEGIN
    SELECT * INTO m FROM ptx.message WHERE message.id = message_text.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = '22023',
            MESSAGE = pg_catalog.format(CASE ptx.message_language() WHEN 'zh' THEN '未知的 ptx 消息 "%s"'
                                        ELSE 'unknown ptx message "%s"' END, id);
    END IF;
    RETURN pg_catalog.format(CASE ptx.message_language() WHEN 'zh' THEN m.zh_message ELSE m.en_message END,
                             VARIADIC args);
END
$$;
COMMENT ON FUNCTION ptx.message_text(text, text[]) IS
    'the text of a ptx message in the session''s language, with its arguments';

-- ptx.raise(id, args...): raise message id with its SQLSTATE, detail and
-- hint in the session's language.  The arguments are shared by the
-- message, the detail and the hint (%1$s is the first everywhere).
CREATE FUNCTION ptx.raise(id text, VARIADIC args text[] DEFAULT '{}')
    RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    m ptx.message;
    zh boolean := ptx.message_language() = 'zh';
    msg text;
    det text;
    hnt text;
BEGIN
    SELECT * INTO m FROM ptx.message WHERE message.id = raise.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = '22023',
            MESSAGE = pg_catalog.format(CASE ptx.message_language() WHEN 'zh' THEN '未知的 ptx 消息 "%s"'
                                        ELSE 'unknown ptx message "%s"' END, id);
    END IF;
    msg := pg_catalog.format(CASE WHEN zh THEN m.zh_message ELSE m.en_message END, VARIADIC args);
    det := pg_catalog.format(CASE WHEN zh THEN m.zh_detail ELSE m.en_detail END, VARIADIC args);
    hnt := pg_catalog.format(CASE WHEN zh THEN m.zh_hint ELSE m.en_hint END, VARIADIC args);
    IF det IS NULL AND hnt IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = m.sqlstate, MESSAGE = msg;
    ELSIF det IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = m.sqlstate, MESSAGE = msg, HINT = hnt;
    ELSIF hnt IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = m.sqlstate, MESSAGE = msg, DETAIL = det;
    ELSE
        RAISE EXCEPTION USING ERRCODE = m.sqlstate, MESSAGE = msg, DETAIL = det, HINT = hnt;
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.raise(text, text[]) IS
    'raise a ptx message by id, in the session''s language, with its SQLSTATE';

-- ptx.notice(id, args...) and ptx.warning(id, args...): the same for
-- messages that report rather than refuse (a catalogue row's SQLSTATE is
-- then 00000 or 01000).
CREATE FUNCTION ptx.report_message(level text, id text, args text[])
    RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    m ptx.message;
    zh boolean := ptx.message_language() = 'zh';
    msg text;
    det text;
    hnt text;
BEGIN
    IF level IS NULL OR level NOT IN ('notice', 'warning') THEN
        RAISE EXCEPTION USING ERRCODE = '22023',
            MESSAGE = pg_catalog.format(CASE WHEN zh THEN '无效的消息级别 "%s"' ELSE 'invalid message level "%s"' END, level),
            HINT = CASE WHEN zh THEN '级别为 notice 和 warning。' ELSE 'The levels are notice and warning.' END;
    END IF;
    SELECT * INTO m FROM ptx.message WHERE message.id = report_message.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = '22023',
            MESSAGE = pg_catalog.format(CASE ptx.message_language() WHEN 'zh' THEN '未知的 ptx 消息 "%s"'
                                        ELSE 'unknown ptx message "%s"' END, id);
    END IF;
    msg := pg_catalog.format(CASE WHEN zh THEN m.zh_message ELSE m.en_message END, VARIADIC args);
    det := pg_catalog.format(CASE WHEN zh THEN m.zh_detail ELSE m.en_detail END, VARIADIC args);
    hnt := pg_catalog.format(CASE WHEN zh THEN m.zh_hint ELSE m.en_hint END, VARIADIC args);
    -- PL/pgSQL sends an empty DETAIL or HINT as a line of its own: the
    -- absent ones are left out
    IF level = 'notice' THEN
        IF det IS NULL AND hnt IS NULL THEN
            RAISE NOTICE USING ERRCODE = m.sqlstate, MESSAGE = msg;
        ELSIF det IS NULL THEN
            RAISE NOTICE USING ERRCODE = m.sqlstate, MESSAGE = msg, HINT = hnt;
        ELSIF hnt IS NULL THEN
            RAISE NOTICE USING ERRCODE = m.sqlstate, MESSAGE = msg, DETAIL = det;
        ELSE
            RAISE NOTICE USING ERRCODE = m.sqlstate, MESSAGE = msg, DETAIL = det, HINT = hnt;
        END IF;
    ELSIF det IS NULL AND hnt IS NULL THEN
        RAISE WARNING USING ERRCODE = m.sqlstate, MESSAGE = msg;
    ELSIF det IS NULL THEN
        RAISE WARNING USING ERRCODE = m.sqlstate, MESSAGE = msg, HINT = hnt;
    ELSIF hnt IS NULL THEN
        RAISE WARNING USING ERRCODE = m.sqlstate, MESSAGE = msg, DETAIL = det;
    ELSE
        RAISE WARNING USING ERRCODE = m.sqlstate, MESSAGE = msg, DETAIL = det, HINT = hnt;
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.report_message(text, text, text[]) IS
    'report a ptx message by id as a notice or a warning, in the session''s language';

CREATE FUNCTION ptx.notice(id text, VARIADIC args text[] DEFAULT '{}')
    RETURNS void
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT ptx.report_message('notice', id, args);
    END;
COMMENT ON FUNCTION ptx.notice(text, text[]) IS
    'report a ptx message by id as a NOTICE, in the session''s language';

CREATE FUNCTION ptx.warning(id text, VARIADIC args text[] DEFAULT '{}')
    RETURNS void
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT ptx.report_message('warning', id, args);
    END;
COMMENT ON FUNCTION ptx.warning(text, text[]) IS
    'report a ptx message by id as a WARNING, in the session''s language';

GRANT EXECUTE ON FUNCTION ptx.message_language(), ptx.message_text(text, text[]),
    ptx.raise(text, text[]), ptx.report_message(text, text, text[]),
    ptx.notice(text, text[]), ptx.warning(text, text[])
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
