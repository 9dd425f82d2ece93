/*-------------------------------------------------------------------------
 *
 * inspect.c
 *	  The sampling step of the annual agency inspection (代理机构检查,
 *	  双随机一公开): agencies drawn from the year's population, then the
 *	  inspectors of each agency, from one PTX-DRAW-1 stream.
 *
 * The step is a pure function of its inputs, so that executing a draw and
 * verifying it afterwards run the very same code on the stored inputs:
 *
 * 1. Agencies: pool = the population (sorted ascending), k = the sample
 *	  size; seats 1..k in pick order.
 * 2. Priority targets (重点检查对象) not already picked follow on seats
 *	  k+1.., ascending by id.  They never take the place of a random pick.
 * 3. Inspectors: for each agency in seat order, m inspectors from the
 *	  inspector pool (sorted) less those with a declared conflict with that
 *	  agency, continuing the same stream.  Fewer than m eligible is PX007.
 *
 * docs/draw-algorithm.md and docs/reference/inspection.md give the replay
 * in a few lines of Python.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "ptx.h"
#include "args.h"
#include "draw.h"

PG_FUNCTION_INFO_V1(ptx_inspection_sample);

/* a declared conflict: an inspector may not inspect an agency */
typedef struct InspectionConflict
{
	int64		agency;
	int64		inspector;
} InspectionConflict;

static int
cmp_conflict(const void *a, const void *b)
{
	const InspectionConflict *x = (const InspectionConflict *) a;
	const InspectionConflict *y = (const InspectionConflict *) b;

	if (x->agency != y->agency)
		return (x->agency > y->agency) - (x->agency < y->agency);
	return (x->inspector > y->inspector) - (x->inspector < y->inspector);
}

static int
cmp_id(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

static void
put_row(ReturnSetInfo *rsinfo, int seat, int64 subject, const char *role,
		const int64 *assigned_to)
{
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	values[0] = Int32GetDatum(seat);
	values[1] = Int64GetDatum(subject);
	values[2] = CStringGetTextDatum(role);
	if (assigned_to == NULL)
	{
		values[3] = (Datum) 0;
		nulls[3] = true;
	}
	else
		values[3] = Int64GetDatum(*assigned_to);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * ptx.inspection_sample(seed bytea, population bigint[], k int,
 *						 priority bigint[], inspectors bigint[],
 *						 conflict_inspector bigint[], conflict_agency bigint[],
 *						 per_agency int)
 *	 → table (seat int, subject_id bigint, role text, assigned_to bigint)
 *
 * role is 'agency' for a random pick, 'priority' for a priority target
 * added on top, 'inspector' for an inspector, whose assigned_to is the
 * agency it inspects.
 */
Datum
ptx_inspection_sample(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bytea	   *seed = PG_GETARG_BYTEA_PP(0);
	ArrayType  *population_arr = PG_GETARG_ARRAYTYPE_P(1);
	int32		k = PG_GETARG_INT32(2);
	ArrayType  *priority_arr = PG_GETARG_ARRAYTYPE_P(3);
	ArrayType  *inspectors_arr = PG_GETARG_ARRAYTYPE_P(4);
	ArrayType  *conflict_inspector_arr = PG_GETARG_ARRAYTYPE_P(5);
	ArrayType  *conflict_agency_arr = PG_GETARG_ARRAYTYPE_P(6);
	int32		per_agency = PG_GETARG_INT32(7);
	PtxDrawStream stream;
	int64	   *population;
	int64	   *priority;
	int64	   *inspectors;
	int64	   *conflict_inspector;
	int64	   *conflict_agency;
	InspectionConflict *conflicts;
	int64	   *picked;
	int64	   *picked_sorted;
	int64	   *agencies;
	int64	   *eligible;
	int64	   *chosen;
	int			npopulation;
	int			npriority;
	int			ninspectors;
	int			nconflicts;
	int			nconflict_agency;
	int			nagencies;
	int			got;
	int			seat;
	int			i;

	ptx_check_seed(seed);
	if (per_agency < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot assign %d inspectors to an agency", per_agency),
				 errhint("Each agency needs at least one inspector; the policy setting inspection.inspectors_per_agency is normally 2.")));

	population = ptx_draw_sorted_pool(population_arr, &npopulation);
	priority = ptx_draw_sorted_pool(priority_arr, &npriority);
	inspectors = ptx_draw_sorted_pool(inspectors_arr, &ninspectors);
	conflict_inspector = ptx_array_int64(conflict_inspector_arr, "conflict_inspector", &nconflicts);
	conflict_agency = ptx_array_int64(conflict_agency_arr, "conflict_agency", &nconflict_agency);
	if (nconflicts != nconflict_agency)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("conflict_inspector and conflict_agency must have the same length"),
				 errdetail("They have %d and %d elements.", nconflicts, nconflict_agency)));
	if (k < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot draw %d agencies", k)));
	if (k > npopulation)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_POOL_TOO_SMALL),
				 errmsg("cannot draw %d agencies from a population of %d", k, npopulation),
				 errhint("The sample size lies between 0 and the population size.")));

	conflicts = palloc(sizeof(InspectionConflict) * (nconflicts > 0 ? nconflicts : 1));
	for (i = 0; i < nconflicts; i++)
	{
		conflicts[i].agency = conflict_agency[i];
		conflicts[i].inspector = conflict_inspector[i];
	}
	qsort(conflicts, nconflicts, sizeof(InspectionConflict), cmp_conflict);

	ptx_draw_stream_init(&stream, (uint8 *) VARDATA_ANY(seed), VARSIZE_ANY_EXHDR(seed));

	/* 1. the random sample of agencies */
	picked = palloc(sizeof(int64) * (k > 0 ? k : 1));
	got = ptx_draw_pick(&stream, population, npopulation, k, NULL, NULL, picked);
	Assert(got == k);

	/* 2. priority targets not already picked, ascending */
	agencies = palloc(sizeof(int64) * (k + npriority > 0 ? k + npriority : 1));
	memcpy(agencies, picked, sizeof(int64) * k);
	nagencies = k;
	picked_sorted = palloc(sizeof(int64) * (k > 0 ? k : 1));
	memcpy(picked_sorted, picked, sizeof(int64) * k);
	qsort(picked_sorted, k, sizeof(int64), cmp_id);
	for (i = 0; i < npriority; i++)
		if (bsearch(&priority[i], picked_sorted, k, sizeof(int64), cmp_id) == NULL)
			agencies[nagencies++] = priority[i];

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	for (i = 0; i < nagencies; i++)
		put_row(rsinfo, i + 1, agencies[i], i < k ? "agency" : "priority", NULL);

	/*
	 * 3. the inspectors of each agency, in seat order, same stream, from the
	 * pool less the agency's conflicts.  Both lists are sorted, so the
	 * eligible pool is one merge.
	 */
	eligible = palloc(sizeof(int64) * (ninspectors > 0 ? ninspectors : 1));
	/* per_agency > ninspectors is refused below, before any pick */
	chosen = palloc(sizeof(int64) * (Min(per_agency, ninspectors) + 1));
	seat = nagencies;
	for (i = 0; i < nagencies; i++)
	{
		InspectionConflict key;
		int			c;
		int			hi;
		int			neligible = 0;
		int			j;

		/* c: the first conflict of the agency (conflicts[] is sorted) */
		key.agency = agencies[i];
		key.inspector = PG_INT64_MIN;
		c = 0;
		hi = nconflicts;
		while (c < hi)
		{
			int			mid = c + (hi - c) / 2;

			if (cmp_conflict(&conflicts[mid], &key) < 0)
				c = mid + 1;
			else
				hi = mid;
		}
		for (j = 0; j < ninspectors; j++)
		{
			while (c < nconflicts && conflicts[c].agency == key.agency &&
				   conflicts[c].inspector < inspectors[j])
				c++;
			if (c < nconflicts && conflicts[c].agency == key.agency &&
				conflicts[c].inspector == inspectors[j])
				continue;
			eligible[neligible++] = inspectors[j];
		}

		if (neligible < per_agency)
			ereport(ERROR,
					(errcode(ERRCODE_PTX_POOL_TOO_SMALL),
					 errmsg("too few inspectors for agency %lld",
							(long long) agencies[i]),
					 errdetail("Agency %lld (seat %d) needs %d inspectors; only %d of the %d inspectors in the pool have no declared conflict with it.",
							   (long long) agencies[i], i + 1, per_agency,
							   neligible, ninspectors),
					 errhint("Add inspectors to the department's pool with ptx.add_inspector, then execute the draw again: it picks the same agencies.")));

		got = ptx_draw_pick(&stream, eligible, neligible, per_agency,
							NULL, NULL, chosen);
		Assert(got == per_agency);
		for (j = 0; j < got; j++)
			put_row(rsinfo, ++seat, chosen[j], "inspector", &agencies[i]);
	}

	return (Datum) 0;
}
