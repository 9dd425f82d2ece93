# The yearly agency inspection job under pg_cron: ptx.schedule_jobs()
# registers ptx:annual-inspection; running its command on 2 January makes
# the previous year's draws, goes on past a department that fails, and a
# second run completes what the first could not.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('cron');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_cron,ptx'
cron.database_name = 'postgres'
timezone = 'Asia/Shanghai'
});
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION ptx CASCADE;
	CREATE EXTENSION pg_cron;
});

# Registration.
is($node->safe_psql('postgres',
		q{SELECT job_name || ' ' || schedule FROM ptx.schedule_jobs() WHERE job_name = 'ptx:annual-inspection'}),
	'ptx:annual-inspection 0 2 2 1 *', 'ptx.schedule_jobs() registers the yearly inspection job');
is($node->safe_psql('postgres',
		q{SELECT command || ' | ' || database || ' | ' || active FROM cron.job WHERE jobname = 'ptx:annual-inspection'}),
	'CALL ptx.run_annual_inspections() | postgres | true', 'the job runs the draws in this database');

# Two departments with 2024 business: A has inspectors, B only one.
$node->safe_psql('postgres', q{
	SET ptx.fake_now = '2024-05-01 10:00:00+08';
	SELECT ptx.add_region('150000', '内蒙古自治区');
	CREATE FUNCTION pg_temp.uscc(n int) RETURNS text LANGUAGE sql
	    RETURN '91150000' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150000' || lpad(n::text, 9, '0'));
	SELECT ptx.add_org(pg_temp.uscc(1), '第一中学', '150000', '{tenderee}');
	SELECT ptx.add_org(pg_temp.uscc(2), '监管部门A', '150000', '{supervisor}');
	SELECT ptx.add_org(pg_temp.uscc(3), '监管部门B', '150000', '{supervisor}');
	SELECT ptx.grant_jurisdiction(s, 'construction', '150000') FROM generate_series(2, 3) s;
	SELECT ptx.add_org(pg_temp.uscc(10 + i), '代理机构' || i, '150000', '{agency}') FROM generate_series(1, 12) i;
	INSERT INTO ptx.project (code, title, category, region, tenderee_id, agency_id, supervisor_id, amount)
	SELECT 'P' || i, '工程' || i, 'construction', '150000', 1, 3 + i, CASE WHEN i <= 8 THEN 2 ELSE 3 END, 1000000
	  FROM generate_series(1, 12) i;
	SELECT ptx.add_inspector(2, '检查员' || j) FROM generate_series(1, 3) j;
	SELECT ptx.add_inspector(3, '检查员乙');
});

# Run the job's command as pg_cron would, on 2 January 2025.
my $command = $node->safe_psql('postgres',
	q{SELECT command FROM cron.job WHERE jobname = 'ptx:annual-inspection'});
my ($ret, $out, $err) = $node->psql('postgres', "SET ptx.fake_now = '2025-01-02 02:00:00+08';\n$command;");
is($ret, 0, 'the job command completes although one department fails');
like($err, qr/inspection draw of department 3 for 2024 failed: department 3 has too few inspectors/,
	'the failing department is reported');
is($node->safe_psql('postgres', q{
	SELECT string_agg(supervisor_id || ':' || outcome || ':' || COALESCE(sqlstate, ''), ' ' ORDER BY id)
	  FROM ptx.inspection_run}),
	'2:drawn: 3:failed:PX007', 'the run log names each department and its outcome');
is($node->safe_psql('postgres', q{
	SELECT string_agg(d.year || ':' || d.supervisor_id || ':' || s.executed || ':' || ptx.verify_draw(d.draw_id)
	                  || ':' || (SELECT count(*) FROM ptx.inspection_pick p WHERE p.draw_id = d.draw_id), ' ')
	  FROM ptx.inspection_draw d JOIN ptx.inspection_draw_state s USING (draw_id)}),
	'2024:2:true:true:2', 'department A drew 2 of its 8 agencies for 2024, and the draw replays');

# Once B has a second inspector, running the command again draws B only.
$node->safe_psql('postgres', q{SELECT ptx.add_inspector(3, '检查员丙')});
($ret, $out, $err) = $node->psql('postgres', "SET ptx.fake_now = '2025-01-02 03:00:00+08';\n$command;");
is($ret, 0, 'the second run completes');
is($node->safe_psql('postgres', q{
	SELECT string_agg(supervisor_id || ':' || outcome, ' ' ORDER BY id) FROM ptx.inspection_run WHERE id > 2}),
	'2:exists 3:drawn', 'the second run leaves A alone and draws B');
is($node->safe_psql('postgres', q{
	SELECT count(*) || ' ' || bool_and(ptx.verify_draw(draw_id)) FROM ptx.inspection_draw WHERE year = 2024}),
	'2 true', 'one verified draw per department');
is($node->safe_psql('postgres', q{
	SELECT (ptx.inspection_report(2024) -> 'summary')::text}),
	'{"draws": 2, "sampled": 3, "executed": 2, "population": 12, "priority_targets": 0, "results_recorded": 0, "departments_without_draw": 0}',
	'the report for the joint-conference office covers both departments');

# A third run changes nothing.
$node->psql('postgres', "SET ptx.fake_now = '2025-01-02 04:00:00+08';\n$command;");
is($node->safe_psql('postgres', q{SELECT count(*) FROM ptx.draw_request}), '2', 'no draw is ever made twice');

# Removal.
is($node->safe_psql('postgres', q{SELECT string_agg(j, ',') FROM ptx.unschedule_jobs() j WHERE j = 'ptx:annual-inspection'}),
	'ptx:annual-inspection', 'ptx.unschedule_jobs() removes the job');
$node->stop;
done_testing();
