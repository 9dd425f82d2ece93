# The ledger survives a crash: kill -9 the postmaster during an 8-client
# write load on a ptx table (ptx.org) and two tracked tables, restart, and every committed
# business row has its entry and the ledger verifies.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes;

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'ptx'
ptx.seal_interval = '200ms'
max_connections = 30
});
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION ptx CASCADE;
	SELECT ptx.add_region('150000', '内蒙古自治区');
	SELECT ptx.add_org('91150000000000001' || ptx.uscc_check_char('91150000000000001'), '监管部门', '150000', '{supervisor}');
	SELECT ptx.add_org('91150000000000002' || ptx.uscc_check_char('91150000000000002'), '招标人', '150000', '{tenderee}');
	CREATE TABLE tender (id int PRIMARY KEY, deals int NOT NULL DEFAULT 0, amount numeric NOT NULL);
	INSERT INTO tender SELECT g, 0, 1000 FROM generate_series(1, 20) g;
	SELECT ptx.track('tender');
	CREATE TABLE deal (id bigserial PRIMARY KEY, client int, project int, amount numeric);
	SELECT ptx.track('deal');
});

my $script = PostgreSQL::Test::Utils::tempdir . '/load.sql';
open my $fh, '>', $script or die;
print $fh q{\set p random(1, 20)
BEGIN;
INSERT INTO deal (client, project, amount) VALUES (:client_id, :p, random() * 1000);
UPDATE tender SET deals = deals + 1, amount = amount + 1 WHERE id = :p;
UPDATE ptx.org SET name = 'x' || :client_id WHERE id = 1 + :client_id % 2;
COMMIT;
};
close $fh;

my ($out, $err) = ('', '');
my $pgbench = IPC::Run::start(
	[ 'pgbench', '-n', '-c', '8', '-j', '2', '-T', '20', '-f', $script,
	  '-h', $node->host, '-p', $node->port, 'postgres' ],
	'>', \$out, '2>', \$err);
sleep 4;
my $before = $node->safe_psql('postgres', 'SELECT count(*) FROM deal');
ok($before > 0, "load running ($before deals committed)");
my $pid = $node->{_pid};
$node->kill9;
$pgbench->finish;
# wait for the killed postmaster and its children to be gone
for (1 .. 100)
{
	last unless kill(0, $pid) || system("pgrep -f 't_011_ledger_crash_crash_data' >/dev/null") == 0;
	Time::HiRes::usleep(100_000);
}
my $started = 0;
for (1 .. 20)
{
	last if ($started = $node->start(fail_ok => 1));
	sleep 1;
}
ok($started, 'restarted after kill -9');

my $rows = $node->safe_psql('postgres', 'SELECT count(*) FROM deal');
ok($rows >= $before, "committed deals survived ($rows)");
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM deal d
	 WHERE NOT EXISTS (SELECT 1 FROM ptx.ledger_entry e
	                    WHERE e.relation = 'public.deal' AND e.operation = 'INSERT'
	                      AND e.key::text = jsonb_build_object('id', d.id)::text)}),
	'0', 'every committed deal has its ledger entry');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM ptx.ledger_entry e
	 WHERE e.relation = 'public.deal' AND e.operation = 'INSERT'
	   AND NOT EXISTS (SELECT 1 FROM deal d WHERE jsonb_build_object('id', d.id)::text = e.key::text)}),
	'0', 'and no entry without its row');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM ptx.ledger_entry WHERE relation = 'public.tender' AND operation = 'UPDATE'}),
	$rows, 'one tender update logged per deal');
$node->safe_psql('postgres', 'SELECT ptx.seal()');
is($node->safe_psql('postgres', 'SELECT count(*) FROM ptx.verify()'), '0',
	'the ledger verifies after the crash');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM ptx.ledger_entry e
	 WHERE (SELECT count(*) FROM ptx.ledger_block b WHERE e.seq BETWEEN b.first_seq AND b.last_seq) <> 1}),
	'0', 'every entry in exactly one block');
$node->stop;
done_testing();
