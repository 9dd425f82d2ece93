# A block is durable before anyone sees it.  Under synchronous_commit = off
# a digest published right after a seal, then a kill -9 of the postmaster
# before the WAL writer flushed: the sealed block is still there after the
# restart, and the published digest still verifies (no digest_mismatch from
# the same block number sealed again with another hash).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes;

my $node = PostgreSQL::Test::Cluster->new('durable');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'ptx'
ptx.seal_interval = 0
synchronous_commit = off
wal_writer_delay = '10s'
wal_writer_flush_after = 0
});
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION ptx CASCADE;
	CREATE TABLE t (id int PRIMARY KEY, v int);
	SELECT ptx.track('t');
});
$node->safe_psql('postgres', 'SELECT ptx.seal()');
$node->safe_psql('postgres', 'CHECKPOINT');

my @digests;
for my $round (1 .. 3)
{
	# each statement commits on its own, asynchronously
	$node->safe_psql('postgres', join("\n",
		map { "INSERT INTO t VALUES ($round * 100 + $_, $_);" } 1 .. 20));
	$node->safe_psql('postgres', 'SELECT ptx.seal()');
	push @digests, $node->safe_psql('postgres', 'SELECT ptx.digest()');
}
is($node->safe_psql('postgres', q{SHOW synchronous_commit}), 'off',
	'the database commits asynchronously');
my $last = $node->safe_psql('postgres', 'SELECT max(block_no) FROM ptx.ledger_block');

my $pid = $node->{_pid};
$node->kill9;
for (1 .. 100)
{
	last unless kill(0, $pid) || system("pgrep -f 't_014_seal_durable_durable_data' >/dev/null") == 0;
	Time::HiRes::usleep(100_000);
}
my $started = 0;
for (1 .. 20)
{
	last if ($started = $node->start(fail_ok => 1));
	sleep 1;
}
ok($started, 'restarted after kill -9');

is($node->safe_psql('postgres', 'SELECT max(block_no) FROM ptx.ledger_block'), $last,
	'every block shown before the crash survived it');
$node->safe_psql('postgres', 'SELECT ptx.seal()');
my $json = '[' . join(',', @digests) . ']';
is($node->safe_psql('postgres', qq{SELECT count(*) FROM ptx.verify('$json'::jsonb)}), '0',
	'the digests published before the crash verify after it');
is($node->safe_psql('postgres', q{SELECT count(*) FROM t}), '60',
	'the rows sealed before the crash are there');
$node->stop;
done_testing();
