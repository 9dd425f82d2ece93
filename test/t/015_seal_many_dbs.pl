# More databases using ptx than free background worker slots: every one is
# sealed in turn (the launcher starts from another database each round and
# does not count a failed start as a turn), and a WARNING names a database
# whose worker could not be started.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('many');
$node->init;
# the launcher and two workers; parallel query takes none here
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'ptx'
ptx.seal_interval = '200ms'
max_worker_processes = 3
max_parallel_workers = 0
});
$node->start;

my @dbs = map { "db$_" } 1 .. 6;
for my $db (@dbs)
{
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, q{
		CREATE EXTENSION ptx CASCADE;
		CREATE TABLE t (id int PRIMARY KEY);
		SELECT ptx.track('t');
		INSERT INTO t SELECT generate_series(1, 10);});
}
for my $db (@dbs)
{
	ok($node->poll_query_until($db, q{
		SELECT count(*) = 0 FROM ptx.ledger_entry
		 WHERE seq > COALESCE((SELECT max(last_seq) FROM ptx.ledger_block), 0)}),
		"$db is sealed");
}
like(slurp_file($node->logfile),
	qr/WARNING:  could not start a ptx sealing worker for database "[^"]+"/,
	'a WARNING names a database left waiting for a worker slot');
unlike(slurp_file($node->logfile), qr/PANIC|terminated by signal/, 'no crash');
$node->stop;
done_testing();
