# The sealing background workers (DESIGN.md §3): they seal every database
# where ptx is installed within the lag, leave other databases alone, cope
# with DROP/CREATE EXTENSION, stay for several rounds yet never hold up
# DROP, RENAME or CREATE DATABASE ... TEMPLATE, honour ptx.seal_worker = off
# set while they visit, and never take the postmaster down.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

my $node = PostgreSQL::Test::Cluster->new('worker');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'ptx'
ptx.seal_interval = '200ms'
});
$node->start;

# Seconds until every entry of a database is sealed, or undef after $max.
sub time_to_seal
{
	my ($db, $max) = @_;
	my $t0 = time;
	while (time - $t0 < $max)
	{
		return time - $t0 if $node->safe_psql($db, q{
			SELECT count(*) = 0 FROM ptx.ledger_entry
			 WHERE seq > COALESCE((SELECT max(last_seq) FROM ptx.ledger_block), 0)}) eq 't';
		usleep(50_000);
	}
	return undef;
}

$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('postgres', 'CREATE DATABASE other');
$node->safe_psql('app', 'CREATE EXTENSION ptx CASCADE');
like($node->safe_psql('postgres',
	q{SELECT string_agg(backend_type, ',') FROM pg_stat_activity WHERE backend_type LIKE 'ptx%'}),
	qr/ptx seal launcher/, 'the launcher runs');

# The first write starts the ledger: the worker seals it, after a baseline
# of the install's own rows, within the recheck of a database where ptx was
# absent when the launcher first looked.
$node->safe_psql('app', q{SELECT ptx.add_region('150000', '内蒙古自治区')});
my $t0 = time;
$node->poll_query_until('app', q{SELECT count(*) > 0 FROM ptx.ledger_block}, 't')
	or die 'nothing sealed';
ok(time - $t0 < 10, 'first entries sealed by the worker');
is($node->safe_psql('app', q{SELECT count(*) FROM ptx.ledger_entry WHERE relation = 'ptx.category' AND operation = 'SNAPSHOT'}),
	'6', 'with a baseline of the built-in categories');
my $lag;
$node->safe_psql('app', q{
	CREATE TABLE t (id int PRIMARY KEY, v int);
	SELECT ptx.track('t');
	INSERT INTO t SELECT g, g FROM generate_series(1, 500) g;
	UPDATE t SET v = v + 1 WHERE id % 7 = 0;
});
$lag = time_to_seal('app', 5);
ok(defined $lag && $lag < 2, 'new entries sealed within the lag (' . ($lag // 'never') . ' s)');
is($node->safe_psql('app', 'SELECT count(*) FROM ptx.verify()'), '0', 'worker-sealed ledger verifies');
is($node->safe_psql('app', q{SELECT count(*) > 1 FROM ptx.ledger_block}), 't', 'several blocks');

# a database without ptx is served by nobody and harmed by nothing
$node->safe_psql('other', 'CREATE TABLE x (id int)');
is($node->safe_psql('other', q{SELECT count(*) FROM pg_extension WHERE extname = 'ptx'}),
	'0', 'other database untouched');

# DROP and CREATE EXTENSION, as every regression test file does
for my $round (1 .. 3)
{
	$node->safe_psql('app', q{
		SET client_min_messages = warning;
		DROP EXTENSION ptx CASCADE;
		CREATE EXTENSION ptx CASCADE;
		SELECT ptx.add_region('150000', '内蒙古自治区');});
}
$lag = time_to_seal('app', 15);
ok(defined $lag, 'sealing goes on after DROP/CREATE EXTENSION');
is($node->safe_psql('app', 'SELECT count(*) FROM ptx.verify()'), '0', 'and verifies');

# DROP EXTENSION while a worker takes the baseline of a fresh install or
# seals: the drop waits for the worker or the worker for the drop, never a
# deadlock (both lock the extension object before any of ptx's tables)
my $failed = 0;
$node->safe_psql('app', q{
	SET client_min_messages = warning;
	DROP EXTENSION ptx CASCADE;
	CREATE EXTENSION ptx CASCADE;});
for my $round (1 .. 20)
{
	$node->safe_psql('app', q{SELECT ptx.add_region('150000', '内蒙古自治区')});
	usleep(int(rand(250_000)));
	my ($ret, $stdout, $stderr) = $node->psql('app', q{
		SET client_min_messages = warning;
		DROP EXTENSION ptx CASCADE;
		CREATE EXTENSION ptx CASCADE;});
	next if $ret == 0;
	$failed++;
	diag("round $round: $stderr");
	$node->safe_psql('app', 'CREATE EXTENSION IF NOT EXISTS ptx CASCADE');
}
is($failed, 0, 'DROP EXTENSION never fails against a sealing worker');
$node->safe_psql('app', q{SELECT ptx.add_region('150000', '内蒙古自治区')});
ok(defined time_to_seal('app', 15), 'sealing goes on after the churn');

# ptx.seal_worker = off per database
$node->safe_psql('postgres', 'ALTER DATABASE app SET ptx.seal_worker = off');
sleep 1;
$node->safe_psql('app', q{SELECT ptx.add_region('150100', '呼和浩特市', '150000')});
sleep 2;
is($node->safe_psql('app', q{
	SELECT count(*) FROM ptx.ledger_entry
	 WHERE seq > COALESCE((SELECT max(last_seq) FROM ptx.ledger_block), 0)}),
	'1', 'ptx.seal_worker = off leaves the database to ptx.seal()');
$node->safe_psql('postgres', 'ALTER DATABASE app RESET ptx.seal_worker');
ok(defined time_to_seal('app', 15), 'sealed again once switched back on');

# DROP DATABASE is not held up by the workers
for my $i (1 .. 3)
{
	$node->safe_psql('postgres', "CREATE DATABASE gone$i");
	$node->safe_psql("gone$i", q{CREATE EXTENSION ptx CASCADE;
		CREATE TABLE t (id int PRIMARY KEY); SELECT ptx.track('t');
		INSERT INTO t SELECT generate_series(1, 100);});
	usleep(300_000);
	my $t0 = time;
	$node->safe_psql('postgres', "DROP DATABASE gone$i");
	my $took = time - $t0;
	ok($took < 3, sprintf('DROP DATABASE while served takes %.2f s', $took));
}

# A worker stays for several rounds (a visit), not one process per round
{
	my $pid_sql = q{SELECT pid FROM pg_stat_activity
		 WHERE backend_type = 'ptx seal' AND datname = 'app'};
	# a worker that has just arrived, so that its visit has time left
	my $p1 = '';
	for (1 .. 400)
	{
		$p1 = $node->safe_psql('postgres', $pid_sql
			  . q{ AND backend_start > clock_timestamp() - interval '1 s'});
		last if $p1 ne '';
		usleep(25_000);
	}
	isnt($p1, '', 'a worker arrives to seal');
	usleep(700_000);
	my $p2 = $node->safe_psql('postgres', $pid_sql);
	is($p2, $p1, 'the same worker seals the next rounds');
	sleep 5;
	isnt($node->safe_psql('postgres', $pid_sql), $p1, 'and leaves within the visit');
}

# RENAME and CREATE DATABASE ... TEMPLATE wait at most 5 s for the other
# sessions of a database: a visit is shorter, so they never fail
$node->safe_psql('postgres', 'CREATE DATABASE busy');
$node->safe_psql('busy', q{CREATE EXTENSION ptx CASCADE;
	CREATE TABLE t (id int PRIMARY KEY); SELECT ptx.track('t');
	INSERT INTO t SELECT generate_series(1, 100);});
$node->poll_query_until('postgres',
	q{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'ptx seal' AND datname = 'busy'})
	or die 'no worker visits busy';
{
	my $t0 = time;
	my ($ret, $out, $err) = $node->psql('postgres', 'ALTER DATABASE busy RENAME TO busy2');
	is($ret, 0, sprintf('ALTER DATABASE RENAME while visited succeeds (%.2f s)', time - $t0));
	diag($err) if $ret;
	$node->poll_query_until('postgres',
		q{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'ptx seal' AND datname = 'busy2'})
		or die 'no worker visits busy2';
	$t0 = time;
	($ret, $out, $err) = $node->psql('postgres', 'CREATE DATABASE copy TEMPLATE busy2');
	is($ret, 0, sprintf('CREATE DATABASE ... TEMPLATE of a visited database succeeds (%.2f s)', time - $t0));
	diag($err) if $ret;
	is($node->safe_psql('copy', 'SELECT count(*) FROM ptx.verify()'), '0', 'and the copy verifies');
}

# a long writer delays its seal, never a crash
my $bg = $node->background_psql('app');
$bg->query_safe(q{BEGIN; INSERT INTO ptx.category VALUES ('forest', '林权交易', 'forest rights')});
$node->safe_psql('app', q{SELECT ptx.add_region('150200', '包头市', '150000')});
sleep 1;
is($node->safe_psql('app', q{
	SELECT count(*) FROM ptx.ledger_entry
	 WHERE seq > COALESCE((SELECT max(last_seq) FROM ptx.ledger_block), 0)}),
	'1', 'an open writer holds back the seal of later entries');
$bg->query_safe('COMMIT');
$bg->quit;
ok(defined time_to_seal('app', 5), 'sealed once the writer commits');

my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|server process .* was terminated|PANIC/,
	'no crash in the server log');
is($node->safe_psql('app', 'SELECT count(*) FROM ptx.verify()'), '0', 'final ledger verifies');
$node->stop;
done_testing();
