# Draws and secret reads committed apart (DESIGN.md §11.1, §11.2), when the
# caller's session dies: an operator's backend terminated in the middle of
# its transaction, after executing a draw and reading the committee and an
# expert's personal data, leaves the execution and every read recorded; the
# background worker that served the session ends with it, and one worker
# serves every call of a session whose identity and settings do not change.
# With max_worker_processes exhausted a call fails with 53000, cleanly.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('autonomous');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'ptx'
max_worker_processes = 16
timezone = 'Asia/Shanghai'
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION ptx CASCADE');

$node->safe_psql('postgres', q{
CREATE FUNCTION pg_temp.rid(n int) RETURNS text LANGUAGE sql AS $$
  SELECT b || substr('10X98765432', (SELECT sum(substr(b, i::int, 1)::int * w)
           FROM unnest('{7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2}'::int[]) WITH ORDINALITY AS t(w, i))::int % 11 + 1, 1)
    FROM (SELECT '15010219800101' || lpad(n::text, 3, '0') AS b) s $$;
SELECT ptx.set_policy('expert_db.min_size', 1, 'test');
SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_org('91150000' || lpad(i::text, 9, '0') || ptx.uscc_check_char('91150000' || lpad(i::text, 9, '0')),
                   '单位' || i, '150000', CASE i WHEN 1 THEN '{supervisor}'::text[] ELSE '{tenderee,bidder}' END)
  FROM generate_series(1, 20) i;
SELECT ptx.add_expert('专家' || i, pg_temp.rid(i), i + 2, '150000', '{A08}', current_date + 365,
                      phone => '1390471' || lpad(i::text, 4, '0'))
  FROM generate_series(1, 15) i;
SET session_replication_role = replica;
INSERT INTO ptx.project (code, title, category, region, tenderee_id, supervisor_id, amount, state)
VALUES ('P', '工程', 'construction', '150000', 2, 1, 1000000, 'opened');
RESET session_replication_role;
CREATE ROLE regress_ptx_op LOGIN IN ROLE ptx_operator;
-- the operator acts for a trading centre of the region (DESIGN.md §11.4)
SELECT ptx.add_staff('regress_ptx_op',
       ptx.add_org('91150000' || lpad('21', 9, '0') || ptx.uscc_check_char('91150000' || lpad('21', 9, '0')),
                   '内蒙古自治区公共资源交易中心', '150000', '{centre}'));
});
$node->safe_psql('postgres', q{
SET SESSION AUTHORIZATION regress_ptx_op;
SELECT ptx.request_expert_draw(1, '[{"specialty":"A08","count":3}]');
});

# the operator executes, reads, and its backend is terminated before it
# commits anything
my ($ret, $out, $err) = $node->psql('postgres', q{
SET SESSION AUTHORIZATION regress_ptx_op;
BEGIN;
SELECT count(*) FROM ptx.execute_draw(1);
SELECT count(*) FROM ptx.committee(1);
SELECT count(*) FROM ptx.expert_personal_data(3);
RESET SESSION AUTHORIZATION;
SELECT pg_terminate_backend(pg_backend_pid());
});
like($err, qr/terminat/, 'the reader\'s backend is terminated in its transaction');
is($node->safe_psql('postgres', q{SELECT count(*) FROM ptx.draw_execution WHERE draw_id = 1}),
	'1', 'the execution stays committed');
is($node->safe_psql('postgres', q{
	SELECT string_agg(kind || ':' || session_user_name, ',' ORDER BY seq) FROM ptx.ledger_entry
	 WHERE kind IN ('draw_executed', 'committee_read', 'personal_data_read')}),
	'draw_executed:regress_ptx_op,committee_read:regress_ptx_op,personal_data_read:regress_ptx_op',
	'the execution and both reads are recorded, as the operator');
is($node->safe_psql('postgres', q{SELECT ptx.verify_draw(1)}), 't', 'the draw replays');

# the worker ends with the session it served
ok($node->poll_query_until('postgres', q{
	SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'ptx autonomous transaction'}),
	'no worker outlives its session');

# one worker per session while identity and settings stay
is($node->safe_psql('postgres', q{
	SET SESSION AUTHORIZATION regress_ptx_op;
	SELECT count(*) FROM ptx.execute_draw(1);
	SELECT count(*) FROM ptx.committee(1);
	SELECT count(*) FROM ptx.execute_draw(1);
	RESET SESSION AUTHORIZATION;
	SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'ptx autonomous transaction'}),
	"3\n3\n3\n1", 'three calls, one worker');

# No free slot: 53000, nothing read.  One slot besides the logical
# replication launcher's, no other background worker: a session that read
# holds it (its worker waits ten seconds for more), another session's read
# is refused; a session that changes its identity lets its worker go before
# starting the next.
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = ''
max_worker_processes = 2
max_parallel_workers_per_gather = 0
});
$node->restart;
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM ptx.committee(1);
	SET SESSION AUTHORIZATION regress_ptx_op;
	SELECT count(*) FROM ptx.committee(1);}),
	"3\n3", 'a change of identity frees the slot before the next worker');
my $bg = $node->background_psql('postgres');
is($bg->query_safe(q{SELECT count(*) FROM ptx.committee(1)}), '3', 'a session reads and keeps its worker');
my $reads = $node->safe_psql('postgres', q{SELECT count(*) FROM ptx.ledger_entry WHERE kind = 'committee_read'});
($ret, $out, $err) = $node->psql('postgres', q{SELECT count(*) FROM ptx.committee(1)});
like($err, qr/could not start a background worker for an autonomous transaction/,
	'another session finds no slot: refused');
is($node->safe_psql('postgres', q{SELECT count(*) FROM ptx.ledger_entry WHERE kind = 'committee_read'}),
	$reads, 'the refused read is neither done nor recorded');
$bg->quit;
ok($node->poll_query_until('postgres', q{SELECT count(*) FROM ptx.committee(1)}, '3'),
	'once the slot is free the read runs');

$node->stop;
done_testing();
