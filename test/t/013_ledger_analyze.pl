# Writers of the ledger beside ANALYZE of ptx.ledger_entry (autovacuum does
# it): an ANALYZE invalidates the ledger's relcache entry, which reset the
# writer's cached OIDs between its lock and its nextval ("could not open
# relation with OID 0").  Writers never fail, and the ledger verifies.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $node = PostgreSQL::Test::Cluster->new('analyze');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'ptx'
ptx.seal_interval = '200ms'
max_connections = 40
});
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION ptx CASCADE;
	CREATE TABLE w (id int PRIMARY KEY, v int NOT NULL DEFAULT 0);
	SELECT ptx.track('w');
	INSERT INTO w SELECT g FROM generate_series(1, 1000) g;
});

my $dir = PostgreSQL::Test::Utils::tempdir;
open my $fh, '>', "$dir/write.sql" or die;
print $fh q{\set id random(1, 1000)
UPDATE w SET v = v + 1 WHERE id = :id;
SELECT ptx.ledger_event('bench', NULL, NULL, '{}');
};
close $fh;
open $fh, '>', "$dir/analyze.sql" or die;
print $fh "ANALYZE ptx.ledger_entry;\n";
close $fh;

my @conn = ('-h', $node->host, '-p', $node->port, 'postgres');
my ($wout, $werr, $aout, $aerr) = ('', '', '', '');
my $writers = IPC::Run::start(
	[ 'pgbench', '-n', '-c', '6', '-j', '2', '-T', '10', '-f', "$dir/write.sql", @conn ],
	'>', \$wout, '2>', \$werr);
my $analyze = IPC::Run::start(
	[ 'pgbench', '-n', '-c', '1', '-T', '10', '-f', "$dir/analyze.sql", @conn ],
	'>', \$aout, '2>', \$aerr);
my $wok = $writers->finish;
my $aok = $analyze->finish;

ok($aok, 'ANALYZE ran in a loop') or diag($aerr);
my ($analyzes) = $aout =~ /number of transactions actually processed: (\d+)/;
ok(($analyzes // 0) > 10, 'many ANALYZEs (' . ($analyzes // 0) . ')');
ok($wok, 'no writer failed') or diag($werr);
unlike($werr, qr/could not open relation|aborted/, 'no writer error');
my ($writes) = $wout =~ /number of transactions actually processed: (\d+)/;
ok(($writes // 0) > 100, 'writers committed (' . ($writes // 0) . ')');
my ($failed) = $wout =~ /number of failed transactions: (\d+)/;
is($failed // 0, 0, 'no failed transaction');

$node->safe_psql('postgres', 'SELECT ptx.seal()');
is($node->safe_psql('postgres', 'SELECT count(*) FROM ptx.verify()'), '0',
	'the ledger verifies');
is($node->safe_psql('postgres',
	q{SELECT count(*) FROM ptx.ledger_entry WHERE kind = 'bench'}), $writes // -1,
	'one event per committed transaction');

my $log = slurp_file($node->logfile);
unlike($log, qr/could not open relation with OID 0/, 'no such error in the server log');
$node->stop;
done_testing();
