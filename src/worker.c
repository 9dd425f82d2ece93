/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  Background workers that seal the ledger of every database using ptx.
 *
 * When ptx is in shared_preload_libraries, a launcher ("ptx seal launcher")
 * runs with no database.  Every ptx.seal_interval milliseconds it lists the
 * databases that accept connections and starts, for each one that has no
 * worker running, a worker ("ptx seal"), which connects, seals if ptx is
 * installed there and ptx.seal_worker is on, and stays for a visit of at
 * most PTX_SEAL_VISIT_MS, sealing again every ptx.seal_interval.
 *
 * A visit is short and ends early, because a worker connected to a database
 * is in the way of commands on it: DROP DATABASE, ALTER DATABASE RENAME or
 * SET TABLESPACE and CREATE DATABASE with it as template wait at most 5 s
 * for other sessions to leave, then fail, and none of them can terminate a
 * background worker.  Before each round a worker therefore ends its visit
 * when
 *	 - one of those commands holds or waits for a lock on the database
 *	   (DROP, SET TABLESPACE, CREATE DATABASE ... TEMPLATE);
 *	 - the settings of the database or of its roles changed
 *	   (ALTER DATABASE ... SET ptx.seal_worker = off applies at connection);
 *	 - ptx was dropped, or dropped and created again (the next worker takes
 *	   the new install's baseline);
 *	 - another database waits for a worker slot (max_worker_processes);
 *	 - ptx.seal_interval became 0, or the visit lasted PTX_SEAL_VISIT_MS,
 *	   which is below the 5 s that ALTER DATABASE RENAME waits.
 * A visit spares the start of a process, its catalog caches and its
 * prepared queries at every round: most of what a sealing round costs on a
 * busy server.
 *
 * A worker that finds no ptx (or ptx.seal_worker off) says so in shared
 * memory; the launcher then looks at that database again only every
 * PTX_SEAL_RECHECK_MS; so it does after a worker that failed.  A database
 * has at most one worker at a time.  A worker waits at most
 * ptx.seal_lock_timeout for writers to finish, then gives up until the next
 * round.  Each of its transactions first takes a share lock on the
 * extension object, as DROP EXTENSION locks it before any of ptx's tables:
 * a worker and a drop never deadlock.
 *
 * A worker takes the baseline of a freshly installed ptx (ptx.seal() does it
 * at once) only once the ledger's sequence has been used: pg_restore creates
 * the extension long before it loads the ledger's rows and sets the
 * sequence, and a baseline in between would clash with the restored rows.
 * Errors end a worker with exit code 1, which the postmaster only logs.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/genam.h"
#include "access/xact.h"
#include "catalog/pg_db_role_setting.h"
#include "common/hashfn.h"
#include "catalog/pg_database.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "tcop/tcopprot.h"
#include "utils/backend_status.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "ptx.h"
#include "ledger.h"
#include "seal.h"
#include "worker.h"

#define PTX_SEAL_MAX_DBS		256
#define PTX_SEAL_RECHECK_MS		5000
#define PTX_SEAL_VISIT_MS		4000

typedef enum SealDbState
{
	SEAL_DB_UNKNOWN = 0,
	SEAL_DB_SERVED,
	SEAL_DB_SKIPPED
} SealDbState;

typedef struct SealDbSlot
{
	Oid			dboid;
	SealDbState state;
	TimestampTz checked_at;
} SealDbSlot;

/*
 * Shared between the launcher and the workers, under an LWLock: the
 * launcher walks all the slots while holding it, which a spinlock must not
 * cover (s_lock.h: a few instructions only, no calls).
 */
typedef struct SealShared
{
	LWLock	   *lock;
	bool		slots_short;	/* a worker could not be started last round */
	SealDbSlot	slots[PTX_SEAL_MAX_DBS];
} SealShared;

static SealShared *seal_shared = NULL;

static int	seal_interval = 1000;
static bool seal_worker_enabled = true;
static int	seal_lock_timeout = 10000;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static volatile sig_atomic_t got_sigterm = false;

static void
seal_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(SealShared)));
	RequestNamedLWLockTranche("ptx seal workers", 1);
}

static void
seal_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	seal_shared = ShmemInitStruct("ptx seal workers", sizeof(SealShared), &found);
	if (!found)
	{
		memset(seal_shared, 0, sizeof(SealShared));
		seal_shared->lock = &(GetNamedLWLockTranche("ptx seal workers"))->lock;
	}
	LWLockRelease(AddinShmemInitLock);
}

void
ptx_seal_worker_init(void)
{
	BackgroundWorker worker;

	DefineCustomIntVariable("ptx.seal_interval",
							"Milliseconds between two rounds of the ledger sealing workers.",
							"0 stops the workers; ptx.seal() then has to be scheduled with pg_cron.",
							&seal_interval,
							1000, 0, 3600 * 1000,
							PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomBoolVariable("ptx.seal_worker",
							 "Whether the sealing workers seal this database's ledger.",
							 "Set per database with ALTER DATABASE ... SET ptx.seal_worker = off.",
							 &seal_worker_enabled,
							 true,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("ptx.seal_lock_timeout",
							"Longest time a sealing worker waits for writers to finish.",
							NULL,
							&seal_lock_timeout,
							10000, 100, 3600 * 1000,
							PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);

	if (!process_shared_preload_libraries_in_progress)
		return;

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = seal_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = seal_shmem_startup;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 10;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "ptx");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "ptx_seal_launcher_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "ptx seal launcher");
	snprintf(worker.bgw_type, BGW_MAXLEN, "ptx seal launcher");
	RegisterBackgroundWorker(&worker);
}

static void
launcher_sigterm(SIGNAL_ARGS)
{
	int			save_errno = errno;

	got_sigterm = true;
	SetLatch(MyLatch);
	errno = save_errno;
}

/* the slot of a database, allocated on first use; NULL when all are taken */
static SealDbSlot *
slot_for(Oid dboid)
{
	SealDbSlot *free_slot = NULL;
	int			i;

	for (i = 0; i < PTX_SEAL_MAX_DBS; i++)
	{
		SealDbSlot *s = &seal_shared->slots[i];

		if (s->dboid == dboid)
			return s;
		if (s->dboid == InvalidOid && free_slot == NULL)
			free_slot = s;
	}
	if (free_slot)
	{
		free_slot->dboid = dboid;
		free_slot->state = SEAL_DB_UNKNOWN;
		free_slot->checked_at = 0;
	}
	return free_slot;
}

/*
 * The databases that accept connections, templates excepted, with their
 * names.  Returns how many there are; at most max are stored.
 */
static int
list_databases(Oid *dbs, NameData *names, int max)
{
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;
	int			n = 0;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	(void) GetTransactionSnapshot();
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tup);

		if (!db->datallowconn || db->datistemplate)
			continue;
		if (n < max)
		{
			dbs[n] = db->oid;
			names[n] = db->datname;
		}
		n++;
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	CommitTransactionCommand();
	return n;
}

/* a WARNING at most once a minute per kind of limit */
#define PTX_SEAL_WARN_MS	60000

void
ptx_seal_launcher_main(Datum main_arg pg_attribute_unused())
{
	BackgroundWorkerHandle *handles[PTX_SEAL_MAX_DBS];
	TimestampTz started[PTX_SEAL_MAX_DBS];
	bool		warned_slot[PTX_SEAL_MAX_DBS];
	TimestampTz warned_dbs = 0;
	TimestampTz warned_full = 0;
	int			rotate = 0;
	bool		slots_short = false;

	memset(handles, 0, sizeof(handles));
	memset(started, 0, sizeof(started));
	memset(warned_slot, 0, sizeof(warned_slot));

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, launcher_sigterm);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname("ptx seal launcher");

	while (!got_sigterm)
	{
		Oid			dbs[PTX_SEAL_MAX_DBS];
		NameData	names[PTX_SEAL_MAX_DBS];
		int			ndbs,
					nall,
					k,
					i;
		TimestampTz now;

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 seal_interval > 0 ? seal_interval : 10000,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (got_sigterm)
			break;
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		if (seal_interval <= 0)
			continue;

		/* forget the handles of workers that have ended */
		for (i = 0; i < PTX_SEAL_MAX_DBS; i++)
		{
			pid_t		pid;

			if (handles[i] != NULL &&
				GetBackgroundWorkerPid(handles[i], &pid) == BGWH_STOPPED)
			{
				pfree(handles[i]);
				handles[i] = NULL;
			}
		}

		nall = list_databases(dbs, names, PTX_SEAL_MAX_DBS);
		ndbs = Min(nall, PTX_SEAL_MAX_DBS);
		now = GetCurrentTimestamp();
		if (nall > PTX_SEAL_MAX_DBS &&
			TimestampDifferenceExceeds(warned_dbs, now, PTX_SEAL_WARN_MS))
		{
			warned_dbs = now;
			ereport(WARNING,
					(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
					 errmsg("the ptx sealing workers serve at most %d databases; %d accept connections",
							PTX_SEAL_MAX_DBS, nall),
					 errhint("Seal the other databases with the ptx:seal job of pg_cron (ptx.schedule_jobs()).")));
		}

		/* free the slots of databases that are gone */
		LWLockAcquire(seal_shared->lock, LW_EXCLUSIVE);
		for (i = 0; i < PTX_SEAL_MAX_DBS; i++)
		{
			SealDbSlot *s = &seal_shared->slots[i];
			int			j;
			bool		present = false;

			if (s->dboid == InvalidOid || handles[i] != NULL)
				continue;
			for (j = 0; j < ndbs; j++)
				if (dbs[j] == s->dboid)
					present = true;
			if (!present)
			{
				s->dboid = InvalidOid;
				warned_slot[i] = false;
			}
		}
		LWLockRelease(seal_shared->lock);

		/*
		 * Start from another database each round, so that when worker slots
		 * run short no database is always the one left out.
		 */
		if (ndbs > 0)
			rotate = (rotate + 1) % ndbs;
		slots_short = false;
		for (k = 0; k < ndbs; k++)
		{
			SealDbSlot *s;
			int			idx;
			bool		start;
			BackgroundWorker worker;

			i = (rotate + k) % ndbs;
			LWLockAcquire(seal_shared->lock, LW_EXCLUSIVE);
			s = slot_for(dbs[i]);
			idx = s ? (int) (s - seal_shared->slots) : -1;
			start = s != NULL && handles[idx] == NULL &&
				TimestampDifferenceExceeds(started[idx], now, seal_interval) &&
				(s->state != SEAL_DB_SKIPPED ||
				 TimestampDifferenceExceeds(s->checked_at, now, PTX_SEAL_RECHECK_MS));
			LWLockRelease(seal_shared->lock);
			if (s == NULL)
			{
				/* cannot happen while ndbs <= PTX_SEAL_MAX_DBS; say so if it does */
				if (TimestampDifferenceExceeds(warned_full, now, PTX_SEAL_WARN_MS))
				{
					warned_full = now;
					ereport(WARNING,
							(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
							 errmsg("database \"%s\" is not sealed by the ptx sealing workers",
									NameStr(names[i])),
							 errdetail("All %d slots of the workers are taken.", PTX_SEAL_MAX_DBS)));
				}
				continue;
			}
			if (!start)
				continue;

			memset(&worker, 0, sizeof(worker));
			worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
			worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
			worker.bgw_restart_time = BGW_NEVER_RESTART;
			snprintf(worker.bgw_library_name, BGW_MAXLEN, "ptx");
			snprintf(worker.bgw_function_name, BGW_MAXLEN, "ptx_seal_worker_main");
			snprintf(worker.bgw_name, BGW_MAXLEN, "ptx seal %u", dbs[i]);
			snprintf(worker.bgw_type, BGW_MAXLEN, "ptx seal");
			worker.bgw_main_arg = ObjectIdGetDatum(dbs[i]);
			worker.bgw_notify_pid = MyProcPid;
			if (RegisterDynamicBackgroundWorker(&worker, &handles[idx]))
			{
				/* started: it is this database's turn again after the interval */
				started[idx] = now;
				warned_slot[idx] = false;
			}
			else
			{
				/*
				 * No free worker slot (max_worker_processes): not marked as
				 * started, so it is tried again next round, first of all
				 * thanks to the rotation.  Say which database waits.
				 */
				handles[idx] = NULL;
				slots_short = true;
				if (!warned_slot[idx])
				{
					warned_slot[idx] = true;
					ereport(WARNING,
							(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
							 errmsg("could not start a ptx sealing worker for database \"%s\"",
									NameStr(names[i])),
							 errdetail("No background worker slot is free (max_worker_processes = %d).",
									   max_worker_processes),
							 errhint("Raise max_worker_processes, or seal this database with the ptx:seal job of pg_cron.")));
				}
			}
		}

		/* visiting workers make way while a database waits for a slot */
		LWLockAcquire(seal_shared->lock, LW_EXCLUSIVE);
		seal_shared->slots_short = slots_short;
		LWLockRelease(seal_shared->lock);
	}
	proc_exit(0);
}

static void
set_slot_state(Oid dboid, SealDbState state)
{
	SealDbSlot *s;

	TimestampTz now = GetCurrentTimestamp();

	if (seal_shared == NULL)
		return;
	LWLockAcquire(seal_shared->lock, LW_EXCLUSIVE);
	s = slot_for(dboid);
	if (s)
	{
		s->state = state;
		s->checked_at = now;
	}
	LWLockRelease(seal_shared->lock);
}

/*
 * Whether a command that needs the database to itself holds or waits for a
 * lock on it: DROP DATABASE and ALTER DATABASE SET TABLESPACE take ACCESS
 * EXCLUSIVE, CREATE DATABASE with it as template SHARE, and a connecting
 * session's ROW EXCLUSIVE conflicts with both.  Called in a transaction.
 */
static bool
database_wanted(Oid dboid)
{
	LOCKTAG		tag;

	SET_LOCKTAG_OBJECT(tag, InvalidOid, DatabaseRelationId, dboid, 0);
	if (LockAcquire(&tag, RowExclusiveLock, false, true) == LOCKACQUIRE_NOT_AVAIL)
		return true;
	LockRelease(&tag, RowExclusiveLock, false);
	return false;
}

/*
 * A digest of the settings that apply to this database's sessions (rows of
 * pg_db_role_setting for the database or for all databases), to notice
 * ALTER DATABASE/ROLE ... SET while visiting.  Called in a transaction.
 */
static uint32
settings_digest(Oid dboid)
{
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tup;
	uint32		digest = 0;

	rel = table_open(DbRoleSettingRelationId, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_db_role_setting row = (Form_pg_db_role_setting) GETSTRUCT(tup);
		bool		isnull;
		Datum		config;
		text	   *t;

		if (row->setdatabase != dboid && OidIsValid(row->setdatabase))
			continue;
		digest = hash_combine(digest, hash_bytes_uint32(row->setdatabase));
		digest = hash_combine(digest, hash_bytes_uint32(row->setrole));
		config = heap_getattr(tup, Anum_pg_db_role_setting_setconfig,
							  RelationGetDescr(rel), &isnull);
		if (isnull)
			continue;
		t = DatumGetTextPP(config);
		digest = hash_combine(digest,
							  hash_bytes((const unsigned char *) VARDATA_ANY(t),
										 VARSIZE_ANY_EXHDR(t)));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return digest;
}

/*
 * One round of a visit: the baseline of a fresh install (first round only)
 * and a seal.  Returns false when the visit must end before it: the
 * database is wanted by another command, its settings changed, ptx is not
 * there or not to be served, or ptx is another install than the one the
 * visit began with.
 */
static bool
seal_round(Oid dboid, bool first, Oid *extoid, uint32 *settings)
{
	bool		served = false;
	char		timeout[32];

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	XactIsoLevel = XACT_READ_COMMITTED;
	if (first)
		*settings = settings_digest(dboid);
	if ((first || (!database_wanted(dboid) &&
				   settings_digest(dboid) == *settings)) &&
		seal_worker_enabled &&
		ptx_ledger_lock_extension() &&
		OidIsValid(ptx_ledger_entry_relid(true)) &&
		(first || get_extension_oid("ptx", true) == *extoid))
	{
		*extoid = get_extension_oid("ptx", true);
		/* a worker that fails leaves the database skipped for a while */
		set_slot_state(dboid, SEAL_DB_SKIPPED);
		snprintf(timeout, sizeof(timeout), "%d", seal_lock_timeout);
		SetConfigOption("lock_timeout", timeout, PGC_SUSET, PGC_S_OVERRIDE);
		pgstat_report_activity(STATE_RUNNING, "SELECT ptx.seal()");
		if (first)
		{
			/* the baseline commits before the seal waits for anyone */
			PushActiveSnapshot(GetTransactionSnapshot());
			(void) ptx_ledger_baseline();
			PopActiveSnapshot();
			CommitTransactionCommand();
			SetCurrentStatementStartTimestamp();
			StartTransactionCommand();
			XactIsoLevel = XACT_READ_COMMITTED;
		}
		if (ptx_ledger_lock_extension())
		{
			PushActiveSnapshot(GetTransactionSnapshot());
			(void) ptx_ledger_seal(false);
			PopActiveSnapshot();
			served = true;
		}
		pgstat_report_activity(STATE_IDLE, NULL);
	}
	CommitTransactionCommand();
	if (served)
		set_slot_state(dboid, SEAL_DB_SERVED);
	return served;
}

void
ptx_seal_worker_main(Datum main_arg)
{
	Oid			dboid = DatumGetObjectId(main_arg);
	TimestampTz visit_start;
	Oid			extoid = InvalidOid;
	uint32		settings = 0;
	bool		first = true;

	pqsignal(SIGTERM, die);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);
	pgstat_report_appname("ptx seal");
	visit_start = GetCurrentTimestamp();

	while (seal_round(dboid, first, &extoid, &settings))
	{
		bool		slots_short;
		long		elapsed;

		first = false;
		/* no idle wait past the visit: the next worker comes in time */
		elapsed = TimestampDifferenceMilliseconds(visit_start, GetCurrentTimestamp());
		if (seal_interval <= 0 || elapsed + seal_interval > PTX_SEAL_VISIT_MS)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 seal_interval, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		LWLockAcquire(seal_shared->lock, LW_SHARED);
		slots_short = seal_shared->slots_short;
		LWLockRelease(seal_shared->lock);
		if (seal_interval <= 0 || slots_short)
			break;
	}
	if (first)
		set_slot_state(dboid, SEAL_DB_SKIPPED);
	proc_exit(0);
}
