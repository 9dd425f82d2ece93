/*-------------------------------------------------------------------------
 *
 * lifecycle.c
 *	  The trading lifecycle (招标投标程序) of a project as a state machine,
 *	  with its legal clocks (R4).
 *
 *	  registered → announced → opened | failed → evaluating → publicity →
 *	  awarded → contracted → closed; a failed tender is announced again (a
 *	  new round, 重新招标); every state but closed → terminated.  A project
 *	  is suspended (暂停) while an objection (异议) is unanswered or a
 *	  complaint (投诉) whose handling suspends it is undecided: no step but
 *	  termination goes on.
 *
 *	  The machine is a BEFORE trigger on ptx.project, so that the API
 *	  functions (src/sql/43_lifecycle.sql) and a direct UPDATE of state obey
 *	  the same rules; an AFTER trigger records every transition in
 *	  ptx.transition.  The lifecycle columns (announced_at, opened_at, …)
 *	  are kept by the machine: a caller sets only the state and what the
 *	  step needs (the bid deadline, the end of the publicity, the winner,
 *	  the reason), the machine sets the rest from the business clock.
 *
 *	  Every number comes from a policy setting (ptx.setting), every day
 *	  count from ptx.clock_date, so a region's overrides and the working-day
 *	  calendar apply here as everywhere.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "ptx.h"
#include "spi_plan.h"

typedef enum LcState
{
	LC_REGISTERED,
	LC_ANNOUNCED,
	LC_OPENED,
	LC_FAILED,
	LC_EVALUATING,
	LC_PUBLICITY,
	LC_AWARDED,
	LC_CONTRACTED,
	LC_CLOSED,
	LC_TERMINATED,
	LC_NSTATES
} LcState;

static const char *const lc_state_names[LC_NSTATES] = {
	"registered", "announced", "opened", "failed", "evaluating",
	"publicity", "awarded", "contracted", "closed", "terminated"
};

/* The edges of the machine. */
static const LcState lc_edges[][2] = {
	{LC_REGISTERED, LC_ANNOUNCED},
	{LC_ANNOUNCED, LC_OPENED},
	{LC_ANNOUNCED, LC_FAILED},
	{LC_FAILED, LC_ANNOUNCED},
	{LC_OPENED, LC_EVALUATING},
	{LC_OPENED, LC_FAILED},			/* bids not decrypted by their bidders (R14) */
	{LC_EVALUATING, LC_PUBLICITY},
	{LC_PUBLICITY, LC_AWARDED},
	{LC_PUBLICITY, LC_EVALUATING},	/* re-evaluation after an upheld objection */
	{LC_AWARDED, LC_CONTRACTED},
	{LC_CONTRACTED, LC_CLOSED},
	{LC_REGISTERED, LC_TERMINATED},
	{LC_ANNOUNCED, LC_TERMINATED},
	{LC_FAILED, LC_TERMINATED},
	{LC_OPENED, LC_TERMINATED},
	{LC_EVALUATING, LC_TERMINATED},
	{LC_PUBLICITY, LC_TERMINATED},
	{LC_AWARDED, LC_TERMINATED},
	{LC_ANNOUNCED, LC_AWARDED},	/* a sale sold at its close (src/sql/49_sales.sql) */
};

/*
 * Columns kept by the machine.  A caller may set the ones marked settable
 * together with the step that needs them; the machine sets the others.
 */
typedef enum LcCol
{
	COL_ROUND,
	COL_BID_DEADLINE,
	COL_ANNOUNCED_AT,
	COL_OPENED_AT,
	COL_REPORTED_AT,
	COL_PUBLICITY_FROM,
	COL_PUBLICITY_UNTIL,
	COL_WINNER_ID,
	COL_AWARDED_AT,
	COL_STATE_CHANGED_AT,
	COL_STATE_NOTE,
	COL_REGISTERED_AT,
	LC_NCOLS
} LcCol;

static const char *const lc_col_names[LC_NCOLS] = {
	"round", "bid_deadline", "announced_at", "opened_at", "reported_at",
	"publicity_from", "publicity_until", "winner_id", "awarded_at",
	"state_changed_at", "state_note", "registered_at"
};

/* The queries of the machine, prepared once per backend. */
typedef enum LcQuery
{
	Q_VALID_BIDS,
	Q_BLOCKER,
	Q_SETTING,
	Q_CLOCK_DATE,
	Q_CLOCK_END,
	Q_MIN_BIDS,
	Q_BID_PERIOD,
	Q_CANDIDATES,
	Q_REAWARD,
	Q_REEVALUATE,
	Q_CONTRACTS,
	Q_RECORD,
	Q_SALE_SOLD,
	LC_NQUERIES
} LcQuery;

typedef struct LcQueryDef
{
	const char *sql;
	int			nargs;
	Oid			argtypes[6];
} LcQueryDef;

static const LcQueryDef lc_queries[LC_NQUERIES] = {
	[Q_VALID_BIDS] = {
		"SELECT pg_catalog.count(*) FROM ptx.bid b"
		" WHERE b.project_id = $1 AND b.round = $2 AND b.status = 'valid'",
		2, {INT8OID, INT4OID}
	},
	[Q_BLOCKER] = {
		"SELECT k.kind, k.id, k.stage, ptx.local_date(k.filed_at)"
		"  FROM (SELECT 'objection'::text AS kind, o.id, o.stage, o.filed_at"
		"          FROM ptx.objection o"
		"         WHERE o.project_id = $1 AND o.answered_at IS NULL AND o.suspends"
		"        UNION ALL"
		"        SELECT 'complaint'::text, c.id, c.stage, c.filed_at"
		"          FROM ptx.complaint c"
		"         WHERE c.project_id = $1 AND c.suspend AND c.decided_at IS NULL) k"
		" ORDER BY k.filed_at, k.id LIMIT 1",
		1, {INT8OID}
	},
	[Q_SETTING] = {
		"SELECT ptx.setting($1)",
		1, {TEXTOID}
	},
	[Q_CLOCK_DATE] = {
		"SELECT ptx.clock_date(ptx.local_date($1), ptx.period_key($2, p.category, p.method))"
		"  FROM ptx.project p WHERE p.id = $3",
		3, {TIMESTAMPTZOID, TEXTOID, INT8OID}
	},
	[Q_CLOCK_END] = {
		"SELECT ptx.clock_end($1, ptx.period_key($2, p.category, p.method))"
		"  FROM ptx.project p WHERE p.id = $3",
		3, {TIMESTAMPTZOID, TEXTOID, INT8OID}
	},
	[Q_MIN_BIDS] = {
		"SELECT ptx.min_bids($1)::bigint",
		1, {INT8OID}
	},
	[Q_BID_PERIOD] = {
		"SELECT b.key, b.earliest, b.value, b.unit, b.basis FROM ptx.bid_period($1, $2) b",
		2, {INT8OID, TIMESTAMPTZOID}
	},
	[Q_CANDIDATES] = {
		"SELECT pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE c.bidder_id = $3)"
		"  FROM ptx.candidate c WHERE c.project_id = $1 AND c.round = $2"
		"   AND c.evaluation = ptx.candidate_evaluation($1)",
		3, {INT8OID, INT4OID, INT8OID}
	},
	[Q_REAWARD] = {
		"SELECT COALESCE(pg_catalog.bool_or(s.bidder_id = $3), false),"
		"       COALESCE(pg_catalog.bool_or(s.bidder_id = $4), false),"
		"       ptx.required_winner($1)"
		"  FROM (SELECT 1) x"
		"  LEFT JOIN ptx.candidate_set_aside s ON s.project_id = $1 AND s.round = $2",
		4, {INT8OID, INT4OID, INT8OID, INT8OID}
	},
	[Q_REEVALUATE] = {
		"SELECT pg_catalog.count(*) FROM ptx.objection o"
		" WHERE o.project_id = $1 AND o.round = $2"
		"   AND o.stage IN ('result', 'challenge') AND o.upheld"
		"   AND o.answered_at >= $3",
		3, {INT8OID, INT4OID, TIMESTAMPTZOID}
	},
	[Q_CONTRACTS] = {
		"SELECT pg_catalog.count(*) FROM ptx.contract c WHERE c.project_id = $1",
		1, {INT8OID}
	},
	[Q_RECORD] = {
		"INSERT INTO ptx.transition (project_id, round, from_state, to_state, at, reason)"
		" VALUES ($1, $2, $3, $4, $5, $6)",
		6, {INT8OID, INT4OID, TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID}
	},
	[Q_SALE_SOLD] = {
		"SELECT pg_catalog.count(*) FROM ptx.sale s"
		" WHERE s.project_id = $1 AND s.round = $2 AND s.stage = 'sold' AND s.winner_id = $3",
		3, {INT8OID, INT4OID, INT8OID}
	},
};

static SPIPlanPtr lc_plans[LC_NQUERIES];

/* A project row as the machine sees it. */
typedef struct LcRow
{
	Datum		values[LC_NCOLS];
	bool		nulls[LC_NCOLS];
} LcRow;

PG_FUNCTION_INFO_V1(ptx_transition_allowed);
PG_FUNCTION_INFO_V1(ptx_next_states);
PG_FUNCTION_INFO_V1(ptx_receipt_time);
PG_FUNCTION_INFO_V1(ptx_project_guard);
PG_FUNCTION_INFO_V1(ptx_project_record);

/* ---------------------------------------------------------------------
 * States and edges
 * ---------------------------------------------------------------------
 */
static int
lc_state_index(const char *name)
{
	int			i;

	for (i = 0; i < LC_NSTATES; i++)
		if (strcmp(lc_state_names[i], name) == 0)
			return i;
	return -1;
}

static bool
lc_edge(int from, int to)
{
	size_t		i;

	for (i = 0; i < lengthof(lc_edges); i++)
		if ((int) lc_edges[i][0] == from && (int) lc_edges[i][1] == to)
			return true;
	return false;
}

/* "a, b or c": the states reachable from a state, for messages. */
static char *
lc_next_list(int from)
{
	StringInfoData buf;
	int			i;
	int			n = 0;
	int			total = 0;

	for (i = 0; i < LC_NSTATES; i++)
		if (lc_edge(from, i))
			total++;
	if (total == 0)
		return pstrdup("none: it is final");
	initStringInfo(&buf);
	for (i = 0; i < LC_NSTATES; i++)
	{
		if (!lc_edge(from, i))
			continue;
		if (n > 0)
			appendStringInfoString(&buf, n == total - 1 ? " or " : ", ");
		appendStringInfoString(&buf, lc_state_names[i]);
		n++;
	}
	return buf.data;
}

/*
 * ptx.transition_allowed(from text, to text) → boolean
 */
Datum
ptx_transition_allowed(PG_FUNCTION_ARGS)
{
	char	   *from = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *to = text_to_cstring(PG_GETARG_TEXT_PP(1));
	int			f = lc_state_index(from);
	int			t = lc_state_index(to);

	PG_RETURN_BOOL(f >= 0 && t >= 0 && lc_edge(f, t));
}

/*
 * ptx.next_states(state text) → text[]
 */
Datum
ptx_next_states(PG_FUNCTION_ARGS)
{
	char	   *from = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int			f = lc_state_index(from);
	Datum		elems[LC_NSTATES];
	int			n = 0;
	int			i;

	if (f < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown project state \"%s\"", from),
				 errhint("The states are registered, announced, opened, failed, evaluating, publicity, awarded, contracted, closed and terminated.")));
	for (i = 0; i < LC_NSTATES; i++)
		if (lc_edge(f, i))
			elems[n++] = CStringGetTextDatum(lc_state_names[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* ---------------------------------------------------------------------
 * Clock
 * ---------------------------------------------------------------------
 */

/*
 * The time a bid, a withdrawal or an objection is received.  Under the
 * faked business clock it is ptx.now(); on the real clock it is the time
 * of the call, not the start of the transaction, so that a transaction
 * opened before a deadline cannot deliver a bid after it.
 */
static TimestampTz
lc_receipt_time(void)
{
	const char *fake = GetConfigOption("ptx.fake_now", true, false);

	if (fake != NULL && fake[0] != '\0')
		return ptx_now();
	return GetCurrentTimestamp();
}

Datum
ptx_receipt_time(PG_FUNCTION_ARGS)
{
	PG_RETURN_TIMESTAMPTZ(lc_receipt_time());
}

static char *
lc_ts_text(TimestampTz ts)
{
	return DatumGetCString(DirectFunctionCall1(timestamptz_out, TimestampTzGetDatum(ts)));
}

static char *
lc_date_text(DateADT d)
{
	return DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d)));
}

/* ---------------------------------------------------------------------
 * SPI helpers (to be called between SPI_connect and SPI_finish)
 * ---------------------------------------------------------------------
 */
static SPIPlanPtr
lc_plan(LcQuery q)
{
	return ptx_spi_plan(&lc_plans[q], lc_queries[q].sql, lc_queries[q].nargs,
						lc_queries[q].argtypes, "a lifecycle query");
}

/* Runs a query; returns the number of rows (in SPI_tuptable). */
static uint64
lc_run(LcQuery q, Datum *args, const char *nulls, bool read_only)
{
	int			rc;

	rc = SPI_execute_plan(lc_plan(q), args, nulls, read_only, 0);
	if (rc < 0)
		elog(ERROR, "lifecycle query failed: %s", SPI_result_code_string(rc));
	return SPI_processed;
}

static Datum
lc_result(int row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);
}

static int64
lc_count(LcQuery q, Datum *args)
{
	bool		isnull;

	lc_run(q, args, NULL, true);
	return DatumGetInt64(lc_result(0, 1, &isnull));
}

static int32
lc_setting_int(const char *key)
{
	Datum		arg = CStringGetTextDatum(key);
	bool		isnull;
	Datum		v;

	lc_run(Q_SETTING, &arg, NULL, true);
	v = lc_result(0, 1, &isnull);
	if (isnull)
		elog(ERROR, "policy setting \"%s\" is null", key);
	return DatumGetInt32(DirectFunctionCall1(numeric_int4, v));
}

/*
 * The last day of a period set by key (or its setting for the project's
 * category and method) when it starts at ts; and the moment it ends,
 * 24:00 China time of that day (ptx.clock_date, ptx.clock_end).
 */
static Datum
lc_clock(LcQuery q, TimestampTz ts, const char *key, int64 project_id)
{
	Datum		args[3];
	bool		isnull;
	Datum		v;

	args[0] = TimestampTzGetDatum(ts);
	args[1] = CStringGetTextDatum(key);
	args[2] = Int64GetDatum(project_id);
	if (lc_run(q, args, NULL, true) != 1)
		elog(ERROR, "project %lld vanished while its clock was read", (long long) project_id);
	v = lc_result(0, 1, &isnull);
	if (isnull)
		elog(ERROR, "period \"%s\" of project %lld has no end", key, (long long) project_id);
	return v;
}

static DateADT
lc_clock_date(TimestampTz ts, const char *key, int64 project_id)
{
	return DatumGetDateADT(lc_clock(Q_CLOCK_DATE, ts, key, project_id));
}

static TimestampTz
lc_clock_end(TimestampTz ts, const char *key, int64 project_id)
{
	return DatumGetTimestampTz(lc_clock(Q_CLOCK_END, ts, key, project_id));
}

static DateADT
lc_local_date(TimestampTz ts)
{
	Datum		d;

	d = DirectFunctionCall2(timestamptz_zone, CStringGetTextDatum("Asia/Shanghai"),
							TimestampTzGetDatum(ts));
	return DatumGetDateADT(DirectFunctionCall1(timestamp_date, d));
}

/* ---------------------------------------------------------------------
 * Rows
 * ---------------------------------------------------------------------
 */
static int
lc_fnumber(Relation rel, const char *col)
{
	int			fno = SPI_fnumber(RelationGetDescr(rel), col);

	if (fno <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of table %s is missing", col,
						RelationGetRelationName(rel)),
				 errhint("The lifecycle trigger belongs on ptx.project.")));
	return fno;
}

static void
lc_read_row(Relation rel, HeapTuple tup, LcRow *row)
{
	int			i;

	for (i = 0; i < LC_NCOLS; i++)
		row->values[i] = heap_getattr(tup, lc_fnumber(rel, lc_col_names[i]),
									  RelationGetDescr(rel), &row->nulls[i]);
}

static char *
lc_text(Relation rel, HeapTuple tup, const char *col)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, lc_fnumber(rel, col), RelationGetDescr(rel), &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

static int64
lc_int8(Relation rel, HeapTuple tup, const char *col)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, lc_fnumber(rel, col), RelationGetDescr(rel), &isnull);

	return isnull ? 0 : DatumGetInt64(d);
}

static bool
lc_differs(Relation rel, LcCol c, const LcRow *a, const LcRow *b)
{
	Form_pg_attribute att;

	if (a->nulls[c] != b->nulls[c])
		return true;
	if (a->nulls[c])
		return false;
	att = TupleDescAttr(RelationGetDescr(rel), lc_fnumber(rel, lc_col_names[c]) - 1);
	if (att->atttypid == TEXTOID)
		return strcmp(TextDatumGetCString(a->values[c]),
					  TextDatumGetCString(b->values[c])) != 0;
	return !datumIsEqual(a->values[c], b->values[c], att->attbyval, att->attlen);
}

static void
lc_set(LcRow *row, LcCol c, Datum v)
{
	row->values[c] = v;
	row->nulls[c] = false;
}

static void
lc_clear(LcRow *row, LcCol c)
{
	row->values[c] = (Datum) 0;
	row->nulls[c] = true;
}

static TimestampTz
lc_ts(const LcRow *row, LcCol c)
{
	return DatumGetTimestampTz(row->values[c]);
}

/* Refuses a change of a kept column that the step does not allow. */
static void
lc_check_kept(Relation rel, const char *code, const LcRow *old, const LcRow *new,
			  const bool *settable)
{
	int			i;

	for (i = 0; i < LC_NCOLS; i++)
	{
		if (settable != NULL && settable[i])
			continue;
		if (lc_differs(rel, (LcCol) i, old, new))
			ereport(ERROR,
					(errcode(ERRCODE_PTX_INVALID_TRANSITION),
					 errmsg("column %s of project %s is kept by the lifecycle", lc_col_names[i], code),
					 errdetail("The state machine sets it from the business clock when the project changes state."),
					 errhint("Use the lifecycle functions (ptx.announce, ptx.open_bids, ptx.publish_candidates, ptx.award …) or update the state alone.")));
	}
}

/* Refuses any step while an objection or complaint suspends the project. */
static void
lc_check_blockers(int64 project_id, const char *code, const char *from, const char *to)
{
	Datum		arg = Int64GetDatum(project_id);
	bool		isnull;
	char	   *kind;
	int64		id;
	char	   *stage;
	DateADT		filed;

	if (lc_run(Q_BLOCKER, &arg, NULL, true) == 0)
		return;
	kind = TextDatumGetCString(lc_result(0, 1, &isnull));
	id = DatumGetInt64(lc_result(0, 2, &isnull));
	stage = TextDatumGetCString(lc_result(0, 3, &isnull));
	filed = DatumGetDateADT(lc_result(0, 4, &isnull));
	if (strcmp(kind, "objection") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_STEP_SUSPENDED),
				 errmsg("project %s is suspended by objection %lld", code, (long long) id),
				 errdetail("The objection to the %s, filed on %s, has not been answered; the step from %s to %s waits for the answer.",
						   stage, lc_date_text(filed), from, to),
				 errhint("The tenderee answers with ptx.answer_objection (招标投标法实施条例 §22, §44, §54).")));
	ereport(ERROR,
			(errcode(ERRCODE_PTX_STEP_SUSPENDED),
			 errmsg("project %s is suspended by complaint %lld", code, (long long) id),
			 errdetail("The supervisory department suspended the project while it handles the complaint filed on %s; the step from %s to %s waits for its decision.",
					   lc_date_text(filed), from, to),
			 errhint("The department decides with ptx.decide_complaint (招标投标法实施条例 §62).")));
}

/* ---------------------------------------------------------------------
 * The steps
 * ---------------------------------------------------------------------
 */
static void
lc_step_announce(int64 project_id, const char *code, const char *category, TimestampTz now,
				 const LcRow *old, LcRow *new, int from)
{
	Datum		args[2];
	bool		isnull;
	TimestampTz deadline;
	DateADT		due;
	DateADT		dday;
	char	   *key;
	char	   *value;
	char	   *unit;
	char	   *basis;

	if (new->nulls[COL_BID_DEADLINE])
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("project %s cannot be announced without a bid deadline", code),
				 errhint("Give the bid deadline (投标截止时间) to ptx.announce.")));
	deadline = lc_ts(new, COL_BID_DEADLINE);

	args[0] = Int64GetDatum(project_id);
	args[1] = TimestampTzGetDatum(now);
	if (lc_run(Q_BID_PERIOD, args, NULL, true) != 1)
		elog(ERROR, "project %s has no bid period", code);
	key = TextDatumGetCString(lc_result(0, 1, &isnull));
	due = DatumGetDateADT(lc_result(0, 2, &isnull));
	value = TextDatumGetCString(lc_result(0, 3, &isnull));
	unit = TextDatumGetCString(lc_result(0, 4, &isnull));
	basis = TextDatumGetCString(lc_result(0, 5, &isnull));
	dday = lc_local_date(deadline);

	if (deadline <= now)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_DEADLINE_VIOLATION),
				 errmsg("bid deadline of project %s is not in the future", code),
				 errdetail("The deadline %s is not after the announcement at %s.",
						   lc_ts_text(deadline), lc_ts_text(now)),
				 errhint("Tenders of category %s need at least %s %s (policy setting %s; %s).",
						 category, value, unit, key, basis)));
	if (dday < due)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_DEADLINE_VIOLATION),
				 errmsg("bid deadline of project %s is too early", code),
				 errdetail_plural("The deadline %s falls on %s, %d day after the announcement on %s; tenders of category %s need at least %s %s, so the earliest deadline is on %s.",
								  "The deadline %s falls on %s, %d days after the announcement on %s; tenders of category %s need at least %s %s, so the earliest deadline is on %s.",
								  (unsigned long) (dday - lc_local_date(now)),
								  lc_ts_text(deadline), lc_date_text(dday),
								  (int) (dday - lc_local_date(now)), lc_date_text(lc_local_date(now)),
								  category, value, unit, lc_date_text(due)),
				 errhint("Set a later deadline (policy setting %s; %s).", key, basis)));

	lc_set(new, COL_ANNOUNCED_AT, TimestampTzGetDatum(now));
	if (from == LC_FAILED)
	{
		lc_set(new, COL_ROUND, Int32GetDatum(DatumGetInt32(old->values[COL_ROUND]) + 1));
		lc_clear(new, COL_OPENED_AT);
		lc_clear(new, COL_REPORTED_AT);
		lc_clear(new, COL_PUBLICITY_FROM);
		lc_clear(new, COL_PUBLICITY_UNTIL);
	}
}

static void
lc_step_open(int64 project_id, const char *code, TimestampTz now,
			 const LcRow *old, LcRow *new, int to)
{
	Datum		args[2];
	int64		nbids;
	int32		min_bids;

	if (IsolationUsesXactSnapshot() && !IsolationIsSerializable())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("bids of project %s cannot be opened in a REPEATABLE READ transaction", code),
				 errdetail("A bid committed after the transaction's snapshot would be left out of the opening."),
				 errhint("Open bids in a READ COMMITTED or SERIALIZABLE transaction.")));

	if (now < lc_ts(old, COL_BID_DEADLINE))
		ereport(ERROR,
				(errcode(ERRCODE_PTX_DEADLINE_VIOLATION),
				 errmsg("bids of project %s cannot be opened before the bid deadline", code),
				 errdetail("The bid deadline is %s; it is now %s.",
						   lc_ts_text(lc_ts(old, COL_BID_DEADLINE)), lc_ts_text(now)),
				 errhint("Bids are opened at the bid deadline (招标投标法 §34).")));

	/*
	 * Bids are opened at the deadline (招标投标法 §34): within the minute of
	 * the deadline and the tolerance the region sets.  Recording a failure
	 * (too few bids) opens nothing and is not bound by it.
	 */
	if (to == LC_OPENED)
	{
		int32		tolerance = lc_setting_int("tender.opening_tolerance_minutes");
		TimestampTz deadline = lc_ts(old, COL_BID_DEADLINE);
		TimestampTz minute;
		TimestampTz latest;

		if (tolerance < 0 || tolerance > 10080)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("policy setting \"tender.opening_tolerance_minutes\" is out of range"),
					 errdetail("Its value is %d; it is between 0 and 10080 minutes.", tolerance),
					 errhint("Correct the override with ptx.set_policy.")));
		minute = deadline - ((deadline % USECS_PER_MINUTE) + USECS_PER_MINUTE) % USECS_PER_MINUTE;
		latest = minute + (TimestampTz) (tolerance + 1) * USECS_PER_MINUTE;
		if (now >= latest)
			ereport(ERROR,
					(errcode(ERRCODE_PTX_DEADLINE_VIOLATION),
					 errmsg("bids of project %s are opened too late", code),
					 errdetail("The bid deadline was %s; the bids are opened at the same time, at the latest by %s (%d minutes of tolerance). It is now %s.",
							   lc_ts_text(deadline), lc_ts_text(latest), tolerance, lc_ts_text(now)),
					 errhint("The opening takes place at the bid deadline (招标投标法 §34; policy setting tender.opening_tolerance_minutes). Terminate the project with ptx.terminate and tender it again, or have the supervisory department decide.")));
	}

	args[0] = Int64GetDatum(project_id);
	args[1] = old->values[COL_ROUND];
	nbids = lc_count(Q_VALID_BIDS, args);
	min_bids = (int32) lc_count(Q_MIN_BIDS, args);

	if (to == LC_OPENED && nbids < min_bids)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_TOO_FEW_BIDS),
				 errmsg("project %s has too few bids to be opened", code),
				 errdetail("%lld valid bids were received by the deadline; at least %d are needed.",
						   (long long) nbids, min_bids),
				 errhint("The tender fails and is tendered again (招标投标法实施条例 §44): use ptx.open_bids, which records the failure.")));
	if (to == LC_FAILED && nbids >= min_bids)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_TRANSITION),
				 errmsg("project %s has enough bids and cannot fail", code),
				 errdetail("%lld valid bids were received by the deadline; %d are enough to open them.",
						   (long long) nbids, min_bids),
				 errhint("Open the bids with ptx.open_bids.")));
	if (to == LC_OPENED)
		lc_set(new, COL_OPENED_AT, TimestampTzGetDatum(now));
}

/*
 * Back from publicity to evaluation (重新评审): only for an objection to the
 * result (条例 §54) or a procurement challenge (质疑) upheld during this
 * publicity.  The report and the publicity are cleared: the committee
 * reports again and the next evaluation's candidates are published.
 */
static void
lc_step_reevaluate(int64 project_id, const char *code,
				   const LcRow *old, LcRow *new)
{
	Datum		args[3];
	bool		isnull;

	args[0] = Int64GetDatum(project_id);
	args[1] = old->values[COL_ROUND];
	args[2] = old->values[COL_PUBLICITY_FROM];
	if (old->nulls[COL_PUBLICITY_FROM])
		args[2] = TimestampTzGetDatum(DT_NOBEGIN);
	lc_run(Q_REEVALUATE, args, NULL, true);
	if (DatumGetInt64(lc_result(0, 1, &isnull)) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_TRANSITION),
				 errmsg("project %s cannot go back to evaluation", code),
				 errdetail("No objection to the result was upheld during this publicity."),
				 errhint("A project is evaluated again when an objection to the result (招标投标法实施条例 §54) or a challenge (质疑, 政府采购法 §52) is answered as upheld with ptx.answer_objection.")));
	lc_clear(new, COL_REPORTED_AT);
	lc_clear(new, COL_PUBLICITY_FROM);
	lc_clear(new, COL_PUBLICITY_UNTIL);
}

static void
lc_step_publicity(int64 project_id, const char *code, TimestampTz now,
				  const LcRow *old, LcRow *new)
{
	Datum		args[3];
	bool		isnull;
	DateADT		due;
	int64		ncand;
	int32		max_cand;
	TimestampTz earliest_end;

	if (old->nulls[COL_REPORTED_AT])
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_TRANSITION),
				 errmsg("project %s has no evaluation report", code),
				 errdetail("Candidates are published after the evaluation committee reports."),
				 errhint("Record the report with ptx.report_evaluation.")));
	due = lc_clock_date(lc_ts(old, COL_REPORTED_AT), "publicity.publish_within_days", project_id);
	if (lc_local_date(now) > due)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_DEADLINE_VIOLATION),
				 errmsg("candidates of project %s are published too late", code),
				 errdetail("The evaluation report was received on %s; the candidates had to be published by %s.",
						   lc_date_text(lc_local_date(lc_ts(old, COL_REPORTED_AT))), lc_date_text(due)),
				 errhint("The supervisory department decides how the project goes on (招标投标法实施条例 §54).")));

	args[0] = Int64GetDatum(project_id);
	args[1] = old->values[COL_ROUND];
	args[2] = Int64GetDatum(0);
	lc_run(Q_CANDIDATES, args, NULL, true);
	ncand = DatumGetInt64(lc_result(0, 1, &isnull));
	max_cand = lc_setting_int("candidates.max");
	if (ncand == 0 || ncand > max_cand)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_TRANSITION),
				 errmsg("project %s has %lld candidates", code, (long long) ncand),
				 errdetail("Between 1 and %d ranked candidates are published.", max_cand),
				 errhint("Publish the candidates with ptx.publish_candidates (招标投标法实施条例 §53).")));

	/* the end follows from the start: 24:00 of the last day (民法典 §201, §203) */
	earliest_end = lc_clock_end(now, "publicity.min_days", project_id);
	if (new->nulls[COL_PUBLICITY_UNTIL])
		lc_set(new, COL_PUBLICITY_UNTIL, TimestampTzGetDatum(earliest_end));
	else if (lc_ts(new, COL_PUBLICITY_UNTIL) < earliest_end)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_DEADLINE_VIOLATION),
				 errmsg("publicity of project %s is too short", code),
				 errdetail("It would end at %s; the publicity runs to 24:00 China time of its last day, %s.",
						   lc_ts_text(lc_ts(new, COL_PUBLICITY_UNTIL)),
						   lc_ts_text(earliest_end)),
				 errhint("Give a later end, or none for the minimum (policy setting publicity.min_days; 招标投标法实施条例 §54; 民法典 §201, §203).")));
	lc_set(new, COL_PUBLICITY_FROM, TimestampTzGetDatum(now));
}

static void
lc_step_award(int64 project_id, const char *code, TimestampTz now,
			  const LcRow *old, LcRow *new)
{
	Datum		args[3];
	bool		isnull;

	if (now < lc_ts(old, COL_PUBLICITY_UNTIL))
		ereport(ERROR,
				(errcode(ERRCODE_PTX_DEADLINE_VIOLATION),
				 errmsg("project %s is still in publicity", code),
				 errdetail("The publicity of the candidates ends at %s; it is now %s.",
						   lc_ts_text(lc_ts(old, COL_PUBLICITY_UNTIL)), lc_ts_text(now)),
				 errhint("Award after the publicity (招标投标法实施条例 §54).")));
	if (new->nulls[COL_WINNER_ID])
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("project %s cannot be awarded without a winner", code),
				 errhint("Name the winning bidder (中标人) to ptx.award.")));
	args[0] = Int64GetDatum(project_id);
	args[1] = old->values[COL_ROUND];
	args[2] = new->values[COL_WINNER_ID];
	lc_run(Q_CANDIDATES, args, NULL, true);
	if (DatumGetInt64(lc_result(0, 2, &isnull)) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_TRANSITION),
				 errmsg("organisation %lld is not a candidate of project %s",
						(long long) DatumGetInt64(new->values[COL_WINNER_ID]), code),
				 errdetail("The winner is chosen among the published candidates."),
				 errhint("See ptx.candidate (招标投标法实施条例 §55).")));
	lc_set(new, COL_AWARDED_AT, TimestampTzGetDatum(now));
}

/*
 * The award moves to another candidate (条例 §55; 政府采购法实施条例 §49):
 * only once the winner is set aside (declined, no performance bond, force
 * majeure, violation), to a candidate not set aside, and in a state-funded
 * project that must be tendered to the best-ranked one left.
 */
static void
lc_step_reaward(int64 project_id, const char *code, TimestampTz now,
				const LcRow *old, LcRow *new)
{
	Datum		args[4];
	bool		isnull;
	bool		old_aside;
	bool		new_aside;
	Datum		required;
	bool		required_null;
	int64		old_winner = DatumGetInt64(old->values[COL_WINNER_ID]);
	int64		new_winner;

	if (new->nulls[COL_WINNER_ID])
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("project %s cannot be awarded without a winner", code),
				 errhint("Name the next candidate to ptx.award.")));
	new_winner = DatumGetInt64(new->values[COL_WINNER_ID]);
	args[0] = Int64GetDatum(project_id);
	args[1] = old->values[COL_ROUND];
	args[2] = Int64GetDatum(old_winner);
	args[3] = Int64GetDatum(new_winner);
	lc_run(Q_REAWARD, args, NULL, true);
	old_aside = DatumGetBool(lc_result(0, 1, &isnull));
	new_aside = DatumGetBool(lc_result(0, 2, &isnull));
	required = lc_result(0, 3, &required_null);
	if (!old_aside)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_TRANSITION),
				 errmsg("project %s is awarded to organisation %lld", code, (long long) old_winner),
				 errdetail("The award moves to another candidate only once the winner is set aside."),
				 errhint("Record why with ptx.set_aside_candidate (招标投标法实施条例 §55; 政府采购法实施条例 §49).")));
	args[2] = Int64GetDatum(new_winner);
	lc_run(Q_CANDIDATES, args, NULL, true);
	if (DatumGetInt64(lc_result(0, 2, &isnull)) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_TRANSITION),
				 errmsg("organisation %lld is not a candidate of project %s", (long long) new_winner, code),
				 errdetail("The winner is chosen among the published candidates."),
				 errhint("See ptx.candidate (招标投标法实施条例 §55).")));
	if (new_aside)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_TRANSITION),
				 errmsg("candidate %lld of project %s was set aside", (long long) new_winner, code),
				 errhint("Award another candidate, or tender the project again.")));
	if (!required_null && DatumGetInt64(required) != new_winner)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_TRANSITION),
				 errmsg("project %s must be awarded to its best-ranked candidate not set aside", code),
				 errdetail("The project is funded by the state and must be tendered; that candidate is organisation %lld, not %lld.",
						   (long long) DatumGetInt64(required), (long long) new_winner),
				 errhint("Award that candidate (招标投标法实施条例 §55).")));
	lc_set(new, COL_AWARDED_AT, TimestampTzGetDatum(now));
}

/* A sale (拍卖, 挂牌, 竞价) is awarded at its close to the highest offer. */
static void
lc_step_sale_award(int64 project_id, const char *code, TimestampTz now,
				   const LcRow *old, LcRow *new)
{
	Datum		args[3];

	args[0] = Int64GetDatum(project_id);
	args[1] = old->values[COL_ROUND];
	args[2] = new->nulls[COL_WINNER_ID] ? Int64GetDatum(0) : new->values[COL_WINNER_ID];
	if (new->nulls[COL_WINNER_ID] || lc_count(Q_SALE_SOLD, args) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_TRANSITION),
				 errmsg("project %s cannot go from announced to awarded", code),
				 errdetail("Only a sale of the round, sold at its close to the winner named, goes straight to awarded."),
				 errhint("Close the sale with ptx.close_sale; a tender opens its bids with ptx.open_bids.")));
	lc_set(new, COL_AWARDED_AT, TimestampTzGetDatum(now));
}

static void
lc_step_contract(int64 project_id, const char *code)
{
	Datum		arg = Int64GetDatum(project_id);

	if (lc_count(Q_CONTRACTS, &arg) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_TRANSITION),
				 errmsg("project %s has no contract", code),
				 errhint("Record the contract with ptx.record_contract, which moves the project on.")));
}

/* ---------------------------------------------------------------------
 * The triggers
 * ---------------------------------------------------------------------
 */
static HeapTuple
lc_build(Relation rel, HeapTuple tup, const LcRow *row)
{
	int			cols[LC_NCOLS];
	int			i;

	for (i = 0; i < LC_NCOLS; i++)
		cols[i] = lc_fnumber(rel, lc_col_names[i]);
	return heap_modify_tuple_by_cols(tup, RelationGetDescr(rel), LC_NCOLS, cols,
									 (Datum *) row->values, (bool *) row->nulls);
}

static HeapTuple
lc_guard_insert(TriggerData *td)
{
	Relation	rel = td->tg_relation;
	HeapTuple	tup = td->tg_trigtuple;
	const char *code = lc_text(rel, tup, "code");
	char	   *state = lc_text(rel, tup, "state");
	TimestampTz now = ptx_now();
	LcRow		row;
	LcRow		fresh;
	bool		settable[LC_NCOLS] = {0};
	int			i;

	if (code == NULL)
		code = "(no code)";		/* the NOT NULL constraint reports it */
	if (state == NULL || strcmp(state, "registered") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_TRANSITION),
				 errmsg("project %s must enter in state registered", code),
				 errdetail("It was given the state %s.", state ? state : "NULL"),
				 errhint("Register the project with ptx.register_project; the lifecycle moves it on.")));

	lc_read_row(rel, tup, &row);
	/* a new project: round 1, no lifecycle time; a note is allowed */
	for (i = 0; i < LC_NCOLS; i++)
		lc_clear(&fresh, (LcCol) i);
	lc_set(&fresh, COL_ROUND, Int32GetDatum(1));
	settable[COL_STATE_NOTE] = true;
	settable[COL_REGISTERED_AT] = true;
	settable[COL_STATE_CHANGED_AT] = true;
	lc_check_kept(rel, code, &fresh, &row, settable);

	lc_set(&row, COL_REGISTERED_AT, TimestampTzGetDatum(now));
	lc_set(&row, COL_STATE_CHANGED_AT, TimestampTzGetDatum(now));
	return lc_build(rel, tup, &row);
}

static HeapTuple
lc_guard_update(TriggerData *td)
{
	Relation	rel = td->tg_relation;
	HeapTuple	oldtup = td->tg_trigtuple;
	HeapTuple	newtup = td->tg_newtuple;
	char	   *code = lc_text(rel, oldtup, "code");
	char	   *category = lc_text(rel, oldtup, "category");
	char	   *old_state = lc_text(rel, oldtup, "state");
	char	   *new_state = lc_text(rel, newtup, "state");
	int64		project_id = lc_int8(rel, oldtup, "id");
	TimestampTz now = ptx_now();
	LcRow		old;
	LcRow		new;
	bool		settable[LC_NCOLS] = {0};
	int			from;
	int			to;

	if (lc_int8(rel, newtup, "id") != project_id)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_TRANSITION),
				 errmsg("project %s cannot change its id", code)));

	if (new_state == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_TRANSITION),
				 errmsg("project %s cannot go from %s to no state", code, old_state),
				 errhint("From %s the project can go to %s.", old_state,
						 lc_next_list(lc_state_index(old_state)))));

	lc_read_row(rel, oldtup, &old);
	lc_read_row(rel, newtup, &new);
	from = lc_state_index(old_state);
	to = lc_state_index(new_state);
	if (from < 0)
		elog(ERROR, "project %s is in an unknown state \"%s\"", code, old_state);

	SPI_connect();

	if (from == to)
	{
		/* No step: only a later bid deadline or the evaluation report. */
		settable[COL_BID_DEADLINE] = true;
		settable[COL_REPORTED_AT] = true;
		settable[COL_WINNER_ID] = (from == LC_AWARDED);
		lc_check_kept(rel, code, &old, &new, settable);

		if (lc_differs(rel, COL_WINNER_ID, &old, &new))
		{
			lc_check_blockers(project_id, code, old_state, new_state);
			lc_step_reaward(project_id, code, now, &old, &new);
		}

		if (lc_differs(rel, COL_BID_DEADLINE, &old, &new))
		{
			if (from != LC_ANNOUNCED || new.nulls[COL_BID_DEADLINE])
				ereport(ERROR,
						(errcode(ERRCODE_PTX_INVALID_TRANSITION),
						 errmsg("bid deadline of project %s cannot change in state %s", code, old_state),
						 errhint("A deadline is set when the project is announced and can only be extended before it passes.")));
			if (now > lc_ts(&old, COL_BID_DEADLINE))
				ereport(ERROR,
						(errcode(ERRCODE_PTX_DEADLINE_VIOLATION),
						 errmsg("bid deadline of project %s has passed", code),
						 errdetail("It passed at %s.", lc_ts_text(lc_ts(&old, COL_BID_DEADLINE))),
						 errhint("Open the bids, or terminate the project and tender it again.")));
			if (lc_ts(&new, COL_BID_DEADLINE) < lc_ts(&old, COL_BID_DEADLINE))
				ereport(ERROR,
						(errcode(ERRCODE_PTX_DEADLINE_VIOLATION),
						 errmsg("bid deadline of project %s cannot be brought forward", code),
						 errdetail("The deadline is %s; %s was asked.",
								   lc_ts_text(lc_ts(&old, COL_BID_DEADLINE)),
								   lc_ts_text(lc_ts(&new, COL_BID_DEADLINE))),
						 errhint("Bidders rely on the announced deadline; it can only be extended.")));
		}
		if (lc_differs(rel, COL_REPORTED_AT, &old, &new))
		{
			if (from != LC_EVALUATING || !old.nulls[COL_REPORTED_AT] || new.nulls[COL_REPORTED_AT])
				ereport(ERROR,
						(errcode(ERRCODE_PTX_INVALID_TRANSITION),
						 errmsg("evaluation report of project %s cannot be recorded in state %s%s",
								code, old_state,
								old.nulls[COL_REPORTED_AT] ? "" : " again"),
						 errhint("The report is recorded once, during the evaluation.")));
			lc_set(&new, COL_REPORTED_AT, TimestampTzGetDatum(now));
		}
	}
	else
	{
		const char *reason;

		if (to < 0 && strcmp(new_state, "suspended") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_PTX_INVALID_TRANSITION),
					 errmsg("project %s cannot go from %s to %s", code, old_state, new_state),
					 errdetail("A project is suspended by an unanswered objection or a complaint the supervisory department suspends it for, not by an update."),
					 errhint("See ptx.project_status and ptx.file_objection.")));
		if (to < 0)
			ereport(ERROR,
					(errcode(ERRCODE_PTX_INVALID_TRANSITION),
					 errmsg("project %s cannot go from %s to %s", code, old_state, new_state),
					 errdetail("%s is not a state of the lifecycle.", new_state),
					 errhint("From %s the project can go to %s.", old_state, lc_next_list(from))));
		if (!lc_edge(from, to))
			ereport(ERROR,
					(errcode(ERRCODE_PTX_INVALID_TRANSITION),
					 errmsg("project %s cannot go from %s to %s", code, old_state, new_state),
					 errdetail("From %s the project can go to %s.", old_state, lc_next_list(from)),
					 errhint("Follow the lifecycle: registered, announced, opened or failed, evaluating, publicity, awarded, contracted, closed.")));

		settable[COL_STATE_NOTE] = true;
		settable[COL_BID_DEADLINE] = (to == LC_ANNOUNCED);
		settable[COL_PUBLICITY_UNTIL] = (to == LC_PUBLICITY);
		settable[COL_WINNER_ID] = (to == LC_AWARDED);
		lc_check_kept(rel, code, &old, &new, settable);

		/* the reason is the note given with this update, if any */
		if (!lc_differs(rel, COL_STATE_NOTE, &old, &new))
			lc_clear(&new, COL_STATE_NOTE);
		reason = new.nulls[COL_STATE_NOTE] ? NULL : TextDatumGetCString(new.values[COL_STATE_NOTE]);

		if (to != LC_TERMINATED)
			lc_check_blockers(project_id, code, old_state, new_state);

		switch (to)
		{
			case LC_ANNOUNCED:
				lc_step_announce(project_id, code, category, now, &old, &new, from);
				break;
			case LC_OPENED:
			case LC_FAILED:
				lc_step_open(project_id, code, now, &old, &new, to);
				break;
			case LC_EVALUATING:
				if (from == LC_PUBLICITY)
					lc_step_reevaluate(project_id, code, &old, &new);
				break;
			case LC_PUBLICITY:
				lc_step_publicity(project_id, code, now, &old, &new);
				break;
			case LC_AWARDED:
				if (from == LC_ANNOUNCED)
					lc_step_sale_award(project_id, code, now, &old, &new);
				else
					lc_step_award(project_id, code, now, &old, &new);
				break;
			case LC_CONTRACTED:
				lc_step_contract(project_id, code);
				break;
			case LC_TERMINATED:
				if (reason == NULL || reason[strspn(reason, " \t\r\n")] == '\0')
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("project %s cannot be terminated without a reason", code),
							 errhint("Give the reason (终止招标的原因) to ptx.terminate.")));
				break;
			default:
				break;
		}
		lc_set(&new, COL_STATE_CHANGED_AT, TimestampTzGetDatum(now));
	}

	SPI_finish();
	return lc_build(rel, newtup, &new);
}

/*
 * ptx.project_guard(): BEFORE INSERT OR UPDATE ON ptx.project FOR EACH ROW
 */
Datum
ptx_project_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("ptx.project_guard() must be a BEFORE ROW trigger")));
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		return PointerGetDatum(lc_guard_insert(td));
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		return PointerGetDatum(lc_guard_update(td));
	ereport(ERROR,
			(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			 errmsg("ptx.project_guard() fires on INSERT and UPDATE only")));
	return (Datum) 0;
}

/*
 * ptx.project_record(): AFTER INSERT OR UPDATE ON ptx.project FOR EACH ROW
 *
 * Records the entry of a project and each change of state in
 * ptx.transition: one row per step, with the business time of the step and
 * the reason given with it.
 */
Datum
ptx_project_record(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	HeapTuple	newtup;
	char	   *old_state = NULL;
	char	   *new_state;
	Datum		args[6];
	char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
	LcRow		row;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("ptx.project_record() must be an AFTER ROW trigger")));
	rel = td->tg_relation;
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		newtup = td->tg_newtuple;
		old_state = lc_text(rel, td->tg_trigtuple, "state");
	}
	else
		newtup = td->tg_trigtuple;
	new_state = lc_text(rel, newtup, "state");
	lc_read_row(rel, newtup, &row);
	if (old_state != NULL && strcmp(old_state, new_state) == 0)
	{
		LcRow		oldrow;

		/* no step, unless the award moved to another candidate */
		lc_read_row(rel, td->tg_trigtuple, &oldrow);
		if (strcmp(new_state, "awarded") != 0 ||
			!lc_differs(rel, COL_WINNER_ID, &oldrow, &row) || row.nulls[COL_WINNER_ID] ||
			oldrow.nulls[COL_WINNER_ID])
			return PointerGetDatum(NULL);
		row.values[COL_STATE_NOTE] =
			CStringGetTextDatum(psprintf("award moved from organisation %lld, set aside, to organisation %lld",
										 (long long) DatumGetInt64(oldrow.values[COL_WINNER_ID]),
										 (long long) DatumGetInt64(row.values[COL_WINNER_ID])));
		row.nulls[COL_STATE_NOTE] = false;
		row.values[COL_STATE_CHANGED_AT] = row.values[COL_AWARDED_AT];
		row.nulls[COL_STATE_CHANGED_AT] = row.nulls[COL_AWARDED_AT];
	}

	args[0] = Int64GetDatum(lc_int8(rel, newtup, "id"));
	args[1] = row.values[COL_ROUND];
	if (old_state != NULL)
		args[2] = CStringGetTextDatum(old_state);
	else
		nulls[2] = 'n';
	args[3] = CStringGetTextDatum(new_state);
	args[4] = row.values[COL_STATE_CHANGED_AT];
	if (row.nulls[COL_STATE_CHANGED_AT])
		args[4] = TimestampTzGetDatum(ptx_now());
	args[5] = row.values[COL_STATE_NOTE];
	if (row.nulls[COL_STATE_NOTE])
		nulls[5] = 'n';

	SPI_connect();
	lc_run(Q_RECORD, args, nulls, false);
	SPI_finish();
	return PointerGetDatum(NULL);
}
