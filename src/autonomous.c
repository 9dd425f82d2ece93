/*-------------------------------------------------------------------------
 *
 * autonomous.c
 *	  Statements run and committed in a transaction of their own
 *	  (DESIGN.md §11.1, §11.2).
 *
 * A draw's execution must be committed before anyone sees its picks, and a
 * read of secret data must leave a record that the reader cannot roll back.
 * Both are done here by a dynamic background worker that connects to the
 * caller's database as the caller — the authenticated user, then the
 * caller's settings (session user, role, business clock...) and its current
 * user and security context — runs one statement, commits, and reports back
 * through a shared memory queue: first any notice or error, in the
 * protocol's format (the caller raises them as they were, SQLSTATE
 * included), then, only once the transaction has committed, the first
 * column of the first row of the result.  The caller waits for it; its
 * own transaction may still abort afterwards, the worker's stays committed.
 *
 * The worker cannot wait for a lock held by the caller's own transaction
 * without the two waiting for each other unseen by the deadlock detector;
 * it therefore runs with a lock timeout (the caller's, or
 * PTX_AUTONOMOUS_LOCK_TIMEOUT when the caller has none).  The callers in
 * ptx refuse before starting a worker what their own transaction holds
 * (a draw requested or cancelled in it).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "libpq/pqmq.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "storage/shm_mq.h"
#include "storage/shm_toc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "autonomous.h"

#define PTX_AUTONOMOUS_MAGIC		0x50545841
#define PTX_AUTONOMOUS_KEY_FIXED	0
#define PTX_AUTONOMOUS_KEY_SQL		1
#define PTX_AUTONOMOUS_KEY_GUC		2
#define PTX_AUTONOMOUS_KEY_QUEUE	3
#define PTX_AUTONOMOUS_NKEYS		4
#define PTX_AUTONOMOUS_QUEUE_SIZE	((Size) 65536)
#define PTX_AUTONOMOUS_LOCK_TIMEOUT "30s"

/* the message that carries the result, after the commit */
#define PTX_AUTONOMOUS_MSG_RESULT	'D'

typedef struct PtxAutonomousFixed
{
	Oid			database_id;
	Oid			authenticated_user_id;
	Oid			current_user_id;
	int			sec_context;
} PtxAutonomousFixed;

static bool in_autonomous_worker = false;

PG_FUNCTION_INFO_V1(ptx_autonomous_sql);
PG_FUNCTION_INFO_V1(ptx_in_autonomous_worker_sql);

bool
ptx_in_autonomous_worker(void)
{
	return in_autonomous_worker;
}

/*
 * Raises in the caller an error or notice sent by the worker.  The worker's
 * client encoding is the database's, so the texts need no conversion.  An
 * error becomes at most an ERROR here: the worker's FATAL ends the worker,
 * not the caller.
 */
static void
autonomous_rethrow(StringInfo msg)
{
	ErrorData	edata;

	pq_parse_errornotice(msg, &edata);
	if (edata.elevel > ERROR)
		edata.elevel = ERROR;
	ThrowErrorData(&edata);
}

text *
ptx_autonomous_run(const char *sql, bool *isnull)
{
	Size		sql_len = strlen(sql);
	Size		guc_len;
	Size		segsize;
	shm_toc_estimator e;
	dsm_segment *seg;
	shm_toc    *toc;
	PtxAutonomousFixed *fixed;
	char	   *sqlp;
	char	   *gucstate;
	shm_mq	   *mq;
	shm_mq_handle *mqh;
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	pid_t		pid;
	StringInfoData msg;
	text	   *result = NULL;
	bool		have_result = false;

	*isnull = true;

	if (in_autonomous_worker)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("an autonomous transaction cannot start another one"),
				 errdetail("The statement runs in a background worker that waits for no other worker.")));
	if (IsInParallelMode())
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("cannot start an autonomous transaction in a parallel operation")));

	shm_toc_initialize_estimator(&e);
	shm_toc_estimate_chunk(&e, sizeof(PtxAutonomousFixed));
	shm_toc_estimate_chunk(&e, sql_len + 1);
	guc_len = EstimateGUCStateSpace();
	shm_toc_estimate_chunk(&e, guc_len);
	shm_toc_estimate_chunk(&e, PTX_AUTONOMOUS_QUEUE_SIZE);
	shm_toc_estimate_keys(&e, PTX_AUTONOMOUS_NKEYS);
	segsize = shm_toc_estimate(&e);

	/* attached to the current resource owner: detached if we fail */
	seg = dsm_create(segsize, 0);
	toc = shm_toc_create(PTX_AUTONOMOUS_MAGIC, dsm_segment_address(seg), segsize);

	fixed = shm_toc_allocate(toc, sizeof(PtxAutonomousFixed));
	fixed->database_id = MyDatabaseId;
	fixed->authenticated_user_id = GetAuthenticatedUserId();
	GetUserIdAndSecContext(&fixed->current_user_id, &fixed->sec_context);
	shm_toc_insert(toc, PTX_AUTONOMOUS_KEY_FIXED, fixed);

	sqlp = shm_toc_allocate(toc, sql_len + 1);
	memcpy(sqlp, sql, sql_len + 1);
	shm_toc_insert(toc, PTX_AUTONOMOUS_KEY_SQL, sqlp);

	gucstate = shm_toc_allocate(toc, guc_len);
	SerializeGUCState(guc_len, gucstate);
	shm_toc_insert(toc, PTX_AUTONOMOUS_KEY_GUC, gucstate);

	mq = shm_mq_create(shm_toc_allocate(toc, PTX_AUTONOMOUS_QUEUE_SIZE),
					   PTX_AUTONOMOUS_QUEUE_SIZE);
	shm_toc_insert(toc, PTX_AUTONOMOUS_KEY_QUEUE, mq);
	shm_mq_set_receiver(mq, MyProc);
	/* attached before the worker starts, so that our failure detaches it */
	mqh = shm_mq_attach(mq, seg, NULL);

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_ConsistentState;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "ptx");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "ptx_autonomous_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "ptx autonomous transaction for PID %d", MyProcPid);
	snprintf(worker.bgw_type, BGW_MAXLEN, "ptx autonomous transaction");
	worker.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
	worker.bgw_notify_pid = MyProcPid;

	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
				 errmsg("could not start a background worker for an autonomous transaction"),
				 errdetail("Every background worker slot (max_worker_processes) is in use."),
				 errhint("Try again, or raise max_worker_processes; ptx needs one free slot for each draw executed or secret read at the same time.")));
	shm_mq_set_handle(mqh, handle);

	switch (WaitForBackgroundWorkerStartup(handle, &pid))
	{
		case BGWH_STARTED:
		case BGWH_STOPPED:
			break;
		case BGWH_POSTMASTER_DIED:
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
					 errmsg("cannot start a background worker without the postmaster")));
			break;
		default:
			elog(ERROR, "unexpected background worker status");
	}

	/* what the worker says, until it detaches */
	initStringInfo(&msg);
	for (;;)
	{
		Size		nbytes;
		void	   *data;
		char		msgtype;

		if (shm_mq_receive(mqh, &nbytes, &data, false) != SHM_MQ_SUCCESS)
			break;
		resetStringInfo(&msg);
		appendBinaryStringInfo(&msg, data, (int) nbytes);
		msgtype = pq_getmsgbyte(&msg);
		switch (msgtype)
		{
			case 'E':
			case 'N':
				autonomous_rethrow(&msg);
				break;
			case PTX_AUTONOMOUS_MSG_RESULT:
				{
					int			null = pq_getmsgbyte(&msg);
					int			len = msg.len - msg.cursor;

					if (!null)
					{
						result = cstring_to_text_with_len(pq_getmsgbytes(&msg, len), len);
						*isnull = false;
					}
					have_result = true;
					break;
				}
			default:
				/* other protocol messages carry nothing the caller needs */
				break;
		}
	}
	pfree(msg.data);
	dsm_detach(seg);
	pfree(handle);

	if (!have_result)
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("the background worker of an autonomous transaction ended without reporting"),
				 errdetail("Whether its statement committed is not known to this session."),
				 errhint("See the server log; running the call again is safe: draws are executed once and reads recorded each time.")));
	return result;
}

/*
 * The worker: connect as the caller, run the statement, commit, report.
 * An error is reported by the error machinery itself (the protocol output
 * is the queue) and ends the worker before anything is committed.
 */
void
ptx_autonomous_main(Datum main_arg)
{
	dsm_segment *seg;
	shm_toc    *toc;
	PtxAutonomousFixed *fixed;
	char	   *sql;
	char	   *gucstate;
	shm_mq	   *mq;
	shm_mq_handle *mqh;
	char	   *value = NULL;
	int			ret;
	StringInfoData buf;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	in_autonomous_worker = true;

	CurrentResourceOwner = ResourceOwnerCreate(NULL, "ptx autonomous transaction");
	seg = dsm_attach(DatumGetUInt32(main_arg));
	if (seg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("could not map the shared memory of an autonomous transaction")));
	toc = shm_toc_attach(PTX_AUTONOMOUS_MAGIC, dsm_segment_address(seg));
	if (toc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("bad magic number in the shared memory of an autonomous transaction")));
	fixed = shm_toc_lookup(toc, PTX_AUTONOMOUS_KEY_FIXED, false);
	sql = shm_toc_lookup(toc, PTX_AUTONOMOUS_KEY_SQL, false);
	gucstate = shm_toc_lookup(toc, PTX_AUTONOMOUS_KEY_GUC, false);
	mq = shm_toc_lookup(toc, PTX_AUTONOMOUS_KEY_QUEUE, false);

	shm_mq_set_sender(mq, MyProc);
	mqh = shm_mq_attach(mq, seg, NULL);
	pq_redirect_to_shm_mq(seg, mqh);

	BackgroundWorkerInitializeConnectionByOid(fixed->database_id,
											  fixed->authenticated_user_id, 0);

	/* the caller's settings: session user, role, business clock... */
	StartTransactionCommand();
	RestoreGUCState(gucstate);
	CommitTransactionCommand();
	/* the caller expects texts in the database's encoding */
	SetClientEncoding(GetDatabaseEncoding());
	if (LockTimeout == 0)
		(void) set_config_option("lock_timeout", PTX_AUTONOMOUS_LOCK_TIMEOUT,
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SET, true, 0, false);

	SetUserIdAndSecContext(fixed->current_user_id, fixed->sec_context);

	SetCurrentStatementStartTimestamp();
	pgstat_report_activity(STATE_RUNNING, sql);
	StartTransactionCommand();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PushActiveSnapshot(GetTransactionSnapshot());
	ret = SPI_execute(sql, false, 1);
	if (ret < 0)
		elog(ERROR, "SPI_execute failed: error code %d", ret);
	if (SPI_tuptable != NULL && SPI_processed > 0 && SPI_tuptable->tupdesc->natts >= 1)
	{
		char	   *v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		if (v != NULL)
			value = MemoryContextStrdup(TopMemoryContext, v);
	}
	PopActiveSnapshot();
	SPI_finish();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);

	/* committed: now, and only now, the result */
	pq_beginmessage(&buf, PTX_AUTONOMOUS_MSG_RESULT);
	pq_sendbyte(&buf, value == NULL ? 1 : 0);
	if (value != NULL)
		pq_sendbytes(&buf, value, strlen(value));
	pq_endmessage(&buf);
}

/*
 * SQL: ptx.autonomous_run(statement text) → text.  Owner-only: the
 * SECURITY DEFINER functions of ptx call it with statements of their own.
 */
Datum
ptx_autonomous_sql(PG_FUNCTION_ARGS)
{
	char	   *sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	bool		isnull;
	text	   *result = ptx_autonomous_run(sql, &isnull);

	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(result);
}

/* SQL: ptx.in_autonomous_transaction() → boolean */
Datum
ptx_in_autonomous_worker_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(in_autonomous_worker);
}
