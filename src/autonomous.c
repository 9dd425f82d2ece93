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
 * caller's settings (session user, business clock...) and its current user
 * and security context — runs each statement it is sent in a transaction
 * of its own, commits, and reports back through a shared memory queue:
 * first any notice or error, in the protocol's format (the caller raises
 * them as they were, SQLSTATE included), then, only once the transaction
 * has committed, the first column of the first row of the result.  The
 * caller waits for it; its own transaction may still abort afterwards, the
 * worker's stays committed.
 *
 * A worker serves one session while the session's identity and settings
 * stay the same, and ends after PTX_AUTONOMOUS_IDLE_MS without work: the
 * next draw of the session finds its caches warm, and an idle session holds
 * no worker slot for long.
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

#include "ptx.h"
#include "autonomous.h"

#define PTX_AUTONOMOUS_MAGIC		0x50545841
#define PTX_AUTONOMOUS_KEY_FIXED	0
#define PTX_AUTONOMOUS_KEY_GUC		1
#define PTX_AUTONOMOUS_KEY_REQUESTS	2
#define PTX_AUTONOMOUS_KEY_REPLIES	3
#define PTX_AUTONOMOUS_NKEYS		4
#define PTX_AUTONOMOUS_QUEUE_SIZE	((Size) 65536)
#define PTX_AUTONOMOUS_LOCK_TIMEOUT "30s"
/* a worker left idle this long ends, freeing its slot */
#define PTX_AUTONOMOUS_IDLE_MS		10000L

/* messages of the worker besides the protocol's errors and notices */
#define PTX_AUTONOMOUS_MSG_RESULT	'D' /* the result, after the commit */
#define PTX_AUTONOMOUS_MSG_DONE		'Z' /* ready for the next statement */

typedef struct PtxAutonomousFixed
{
	Oid			database_id;
	Oid			authenticated_user_id;
	Oid			current_user_id;
	int			sec_context;
	Size		guc_len;
} PtxAutonomousFixed;

/*
 * The caller's worker.  A worker serves one session with one identity and
 * one set of settings: the caller reuses it while they are unchanged (so
 * that the second draw of a session finds the catalog caches and compiled
 * functions warm), and starts another when they change.  busy marks a
 * statement sent and not yet answered: a call interrupted then leaves the
 * worker to finish alone, and the next call starts a new one.
 */
typedef struct PtxAutonomousSession
{
	dsm_segment *seg;
	BackgroundWorkerHandle *handle;
	shm_mq_handle *requests;
	shm_mq_handle *replies;
	char	   *gucstate;
	Size		guc_len;
	Oid			authenticated_user_id;
	Oid			current_user_id;
	int			sec_context;
	bool		busy;
} PtxAutonomousSession;

static PtxAutonomousSession *session = NULL;
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

/*
 * Lets the worker go: it ends when it finds its queues detached.  An idle
 * worker is waited for, so that its slot is free for the next one; a busy
 * one (a call interrupted) finishes its statement alone.
 */
static void
autonomous_close(void)
{
	PtxAutonomousSession *s = session;

	if (s == NULL)
		return;
	session = NULL;
	dsm_detach(s->seg);
	if (!s->busy)
		(void) WaitForBackgroundWorkerShutdown(s->handle);
	pfree(s->handle);
	pfree(s->gucstate);
	pfree(s);
}

static bool
autonomous_reusable(const char *gucstate, Size guc_len, Oid auth, Oid cur, int sec)
{
	pid_t		pid;

	return session != NULL && !session->busy
		&& session->authenticated_user_id == auth
		&& session->current_user_id == cur
		&& session->sec_context == sec
		&& session->guc_len == guc_len
		&& memcmp(session->gucstate, gucstate, guc_len) == 0
		&& GetBackgroundWorkerPid(session->handle, &pid) == BGWH_STARTED;
}

/* Starts a worker for the caller's identity and settings. */
static void
autonomous_open(const char *gucstate, Size guc_len, Oid auth, Oid cur, int sec)
{
	shm_toc_estimator e;
	Size		segsize;
	dsm_segment *seg;
	shm_toc    *toc;
	PtxAutonomousFixed *fixed;
	char	   *gucp;
	shm_mq	   *requests;
	shm_mq	   *replies;
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	PtxAutonomousSession *s;
	MemoryContext oldcontext;
	pid_t		pid;

	shm_toc_initialize_estimator(&e);
	shm_toc_estimate_chunk(&e, sizeof(PtxAutonomousFixed));
	shm_toc_estimate_chunk(&e, guc_len);
	shm_toc_estimate_chunk(&e, PTX_AUTONOMOUS_QUEUE_SIZE);
	shm_toc_estimate_chunk(&e, PTX_AUTONOMOUS_QUEUE_SIZE);
	shm_toc_estimate_keys(&e, PTX_AUTONOMOUS_NKEYS);
	segsize = shm_toc_estimate(&e);

	/* attached to the current resource owner until the worker runs */
	seg = dsm_create(segsize, 0);
	toc = shm_toc_create(PTX_AUTONOMOUS_MAGIC, dsm_segment_address(seg), segsize);

	fixed = shm_toc_allocate(toc, sizeof(PtxAutonomousFixed));
	fixed->database_id = MyDatabaseId;
	fixed->authenticated_user_id = auth;
	fixed->current_user_id = cur;
	fixed->sec_context = sec;
	fixed->guc_len = guc_len;
	shm_toc_insert(toc, PTX_AUTONOMOUS_KEY_FIXED, fixed);

	gucp = shm_toc_allocate(toc, guc_len);
	memcpy(gucp, gucstate, guc_len);
	shm_toc_insert(toc, PTX_AUTONOMOUS_KEY_GUC, gucp);

	requests = shm_mq_create(shm_toc_allocate(toc, PTX_AUTONOMOUS_QUEUE_SIZE),
							 PTX_AUTONOMOUS_QUEUE_SIZE);
	shm_toc_insert(toc, PTX_AUTONOMOUS_KEY_REQUESTS, requests);
	shm_mq_set_sender(requests, MyProc);
	replies = shm_mq_create(shm_toc_allocate(toc, PTX_AUTONOMOUS_QUEUE_SIZE),
							PTX_AUTONOMOUS_QUEUE_SIZE);
	shm_toc_insert(toc, PTX_AUTONOMOUS_KEY_REPLIES, replies);
	shm_mq_set_receiver(replies, MyProc);

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_ConsistentState;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "ptx");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "ptx_autonomous_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "ptx autonomous transactions for PID %d", MyProcPid);
	snprintf(worker.bgw_type, BGW_MAXLEN, "ptx autonomous transaction");
	worker.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
	worker.bgw_notify_pid = MyProcPid;

	/* what outlives this transaction: the session, its queues, the handle */
	oldcontext = MemoryContextSwitchTo(TopMemoryContext);
	s = palloc0(sizeof(PtxAutonomousSession));
	s->seg = seg;
	s->requests = shm_mq_attach(requests, seg, NULL);
	s->replies = shm_mq_attach(replies, seg, NULL);
	s->gucstate = palloc(guc_len);
	memcpy(s->gucstate, gucstate, guc_len);
	s->guc_len = guc_len;
	s->authenticated_user_id = auth;
	s->current_user_id = cur;
	s->sec_context = sec;
	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
	{
		MemoryContextSwitchTo(oldcontext);
		pfree(s->gucstate);
		pfree(s);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
				 errmsg("could not start a background worker for an autonomous transaction"),
				 errdetail("Every background worker slot (max_worker_processes) is in use."),
				 errhint("Try again, or raise max_worker_processes: each session executing draws or reading secret data holds one slot while it does, and for ten seconds after.")));
	}
	MemoryContextSwitchTo(oldcontext);
	s->handle = handle;
	shm_mq_set_handle(s->requests, handle);
	shm_mq_set_handle(s->replies, handle);

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
	/* the segment now lives as long as the session keeps it */
	dsm_pin_mapping(seg);
	session = s;
}

/*
 * Sends the statement and reads the replies until the worker is ready
 * again.  Returns false when the worker had gone before answering anything
 * (an idle worker that ended as the statement was sent): the statement was
 * not run.
 */
static bool
autonomous_exchange(const char *sql, text **result, bool *isnull)
{
	StringInfoData msg;
	bool		answered = false;
	bool		done = false;

	session->busy = true;
	if (shm_mq_send(session->requests, strlen(sql) + 1, sql, false, true) != SHM_MQ_SUCCESS)
	{
		autonomous_close();
		return false;
	}

	initStringInfo(&msg);
	while (!done)
	{
		Size		nbytes;
		void	   *data;
		char		msgtype;

		if (shm_mq_receive(session->replies, &nbytes, &data, false) != SHM_MQ_SUCCESS)
		{
			autonomous_close();
			if (!answered)
				return false;
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("the background worker of an autonomous transaction ended without reporting"),
					 errdetail("Whether its statement committed is not known to this session."),
					 errhint("See the server log; running the call again is safe: draws are executed once and reads recorded each time.")));
		}
		answered = true;
		resetStringInfo(&msg);
		appendBinaryStringInfo(&msg, data, (int) nbytes);
		msgtype = pq_getmsgbyte(&msg);
		switch (msgtype)
		{
			case 'E':
				/* the worker ends after an error: so does its session */
				autonomous_close();
				autonomous_rethrow(&msg);
				break;
			case 'N':
				autonomous_rethrow(&msg);
				break;
			case PTX_AUTONOMOUS_MSG_RESULT:
				{
					int			null = pq_getmsgbyte(&msg);
					int			len = msg.len - msg.cursor;

					if (!null)
					{
						*result = cstring_to_text_with_len(pq_getmsgbytes(&msg, len), len);
						*isnull = false;
					}
					break;
				}
			case PTX_AUTONOMOUS_MSG_DONE:
				done = true;
				break;
			default:
				/* other protocol messages carry nothing the caller needs */
				break;
		}
	}
	pfree(msg.data);
	session->busy = false;
	return true;
}

text *
ptx_autonomous_run(const char *sql, bool *isnull)
{
	Size		guc_len;
	char	   *gucstate;
	Oid			auth = GetAuthenticatedUserId();
	Oid			cur;
	int			sec;
	text	   *result = NULL;
	int			attempt;

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

	GetUserIdAndSecContext(&cur, &sec);
	guc_len = EstimateGUCStateSpace();
	gucstate = palloc0(guc_len);
	SerializeGUCState(guc_len, gucstate);

	for (attempt = 0; attempt < 2; attempt++)
	{
		if (!autonomous_reusable(gucstate, guc_len, auth, cur, sec))
		{
			autonomous_close();
			autonomous_open(gucstate, guc_len, auth, cur, sec);
		}
		if (autonomous_exchange(sql, &result, isnull))
		{
			pfree(gucstate);
			return result;
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_CONNECTION_FAILURE),
			 errmsg("the background worker of an autonomous transaction ended before its statement"),
			 errhint("See the server log, and try again.")));
	return NULL;				/* keep the compiler quiet */
}

/* Runs one statement in a transaction of its own; sends the result. */
static void
autonomous_run_statement(const char *sql)
{
	char	   *value = NULL;
	int			ret;
	StringInfoData buf;

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
	if (value != NULL)
		pfree(value);
	pq_beginmessage(&buf, PTX_AUTONOMOUS_MSG_DONE);
	pq_endmessage(&buf);
}

/*
 * The worker: connect as the caller, then run each statement sent, each in
 * its own transaction, until the caller lets it go or it has been idle for
 * PTX_AUTONOMOUS_IDLE_MS.  An error is reported by the error machinery
 * itself (the protocol output is the reply queue) and ends the worker
 * before anything of that statement is committed.
 */
void
ptx_autonomous_main(Datum main_arg)
{
	dsm_segment *seg;
	shm_toc    *toc;
	PtxAutonomousFixed *fixed;
	char	   *gucstate;
	shm_mq_handle *requests;
	shm_mq_handle *replies;
	shm_mq	   *mq;
	MemoryContext statement_context;

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
	gucstate = shm_toc_lookup(toc, PTX_AUTONOMOUS_KEY_GUC, false);

	mq = shm_toc_lookup(toc, PTX_AUTONOMOUS_KEY_REPLIES, false);
	shm_mq_set_sender(mq, MyProc);
	replies = shm_mq_attach(mq, seg, NULL);
	mq = shm_toc_lookup(toc, PTX_AUTONOMOUS_KEY_REQUESTS, false);
	shm_mq_set_receiver(mq, MyProc);
	requests = shm_mq_attach(mq, seg, NULL);
	pq_redirect_to_shm_mq(seg, replies);

	BackgroundWorkerInitializeConnectionByOid(fixed->database_id,
											  fixed->authenticated_user_id, 0);

	/* the caller's settings: session user, business clock... */
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

	statement_context = AllocSetContextCreate(TopMemoryContext,
											  "ptx autonomous statement",
											  ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		Size		nbytes;
		void	   *data;
		shm_mq_result res;
		MemoryContext oldcontext;

		res = shm_mq_receive(requests, &nbytes, &data, true);
		if (res == SHM_MQ_WOULD_BLOCK)
		{
			int			rc;

			rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						   PTX_AUTONOMOUS_IDLE_MS, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
			if (rc & WL_TIMEOUT)
			{
				/* idle: a last look, then free the slot */
				res = shm_mq_receive(requests, &nbytes, &data, true);
				if (res == SHM_MQ_WOULD_BLOCK)
					break;
			}
			else
				continue;
		}
		if (res != SHM_MQ_SUCCESS)
			break;				/* the caller let us go */
		if (nbytes == 0 || ((char *) data)[nbytes - 1] != '\0')
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("invalid statement for an autonomous transaction")));
		oldcontext = MemoryContextSwitchTo(statement_context);
		autonomous_run_statement(pstrdup((char *) data));
		MemoryContextSwitchTo(oldcontext);
		MemoryContextReset(statement_context);
	}
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
