# A database using the ledger, dumped with pg_dump and restored with
# pg_restore --disable-triggers into a new database, still verifies, also
# against the digest published before the dump, and the chain goes on.
# A full restore creates the extension, with its triggers, before it loads
# the extension's tables: only session_replication_role = replica keeps
# those rows from being logged a second time (docs/reference/ledger.md).
# The hashes are also recomputed outside PostgreSQL by test/ledger_audit.py.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'ptx'
ptx.seal_interval = '200ms'
});
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', q{
	CREATE EXTENSION ptx CASCADE;
	SET ptx.block_max_entries = 5;
	SELECT ptx.add_region('150000', '内蒙古自治区');
	SELECT ptx.add_region('150100', '呼和浩特市', '150000');
	SELECT ptx.add_org('91150000000000001' || ptx.uscc_check_char('91150000000000001'), '监管部门', '150000', '{supervisor}');
	SELECT ptx.add_org('91150000000000002' || ptx.uscc_check_char('91150000000000002'), '招标人', '150100', '{tenderee}');
	SELECT ptx.grant_jurisdiction(1, 'construction', '150000');
	SELECT ptx.register_project('P1', '学校', 'construction', '150100', 2, 1000000, 1);
	INSERT INTO ptx.category VALUES ('forest', '林权交易', 'forest rights');
	SELECT ptx.ledger_event('state_note', 'ptx.project', '{"id": 1}', '{"to": "announced"}');
	CREATE SCHEMA shop;
	CREATE TABLE shop.invoice (no int PRIMARY KEY, amount numeric);
	INSERT INTO shop.invoice VALUES (1, 10), (2, 20);
	SELECT ptx.track('shop.invoice');
	UPDATE shop.invoice SET amount = 11 WHERE no = 1;
	SELECT ptx.seal();
});
my $digest = $node->safe_psql('src', 'SELECT ptx.digest()');
is($node->safe_psql('src', 'SELECT count(*) FROM ptx.verify()'), '0', 'source verifies');

my $dir = PostgreSQL::Test::Utils::tempdir;
open my $fh, '>', "$dir/digest.json" or die;
print $fh $digest;
close $fh;

# the auditor's own recomputation agrees with the database
my $audit = "$ENV{PTX_SRC}/test/ledger_audit.py";
my ($out, $err) = run_command([ 'python3', $audit, $node->connstr('src'), "$dir/digest.json" ]);
like($out, qr/ 0 problems$/m, "independent recomputation: $out");

$node->command_ok([ 'pg_dump', '-Fc', '-f', "$dir/src.dump", '-d', $node->connstr('src') ], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
{
	local $ENV{PGOPTIONS} = '-c session_replication_role=replica';
	$node->command_ok([ 'pg_restore', '--disable-triggers', '-d', $node->connstr('restored'), "$dir/src.dump" ],
		'pg_restore --disable-triggers, as replica');
}

is($node->safe_psql('restored', 'SELECT count(*) FROM ptx.ledger_entry'),
	$node->safe_psql('src', 'SELECT count(*) FROM ptx.ledger_entry'), 'every entry restored');
is($node->safe_psql('restored', 'SELECT string_agg(encode(block_hash, \'hex\'), \',\' ORDER BY block_no) FROM ptx.ledger_block'),
	$node->safe_psql('src', 'SELECT string_agg(encode(block_hash, \'hex\'), \',\' ORDER BY block_no) FROM ptx.ledger_block'),
	'every block restored');
is($node->safe_psql('restored', 'SELECT count(*) FROM ptx.verify()'), '0', 'restored database verifies');
is($node->safe_psql('restored', "SELECT count(*) FROM ptx.verify('$digest'::jsonb)"), '0',
	'and matches the digest published before the dump');
($out, $err) = run_command([ 'python3', $audit, $node->connstr('restored'), "$dir/digest.json" ]);
like($out, qr/ 0 problems$/m, 'independent recomputation of the restored ledger');
is($node->safe_psql('restored', q{SELECT relation FROM ptx.tracked WHERE relation LIKE 'shop.%'}),
	'shop.invoice', 'user table still tracked');

# the chain goes on in the restored database
$node->safe_psql('restored', q{
	INSERT INTO shop.invoice VALUES (3, 30);
	SELECT ptx.add_region('150200', '包头市', '150000');
	SELECT ptx.seal();
});
is($node->safe_psql('restored', 'SELECT count(*) FROM ptx.verify()'), '0', 'new entries sealed and verified');
is($node->safe_psql('restored', q{
	SELECT count(*) FROM ptx.ledger_entry WHERE seq <= (SELECT (d ->> 'last_seq')::bigint FROM ptx.digest() d)}),
	$node->safe_psql('restored', 'SELECT count(*) FROM ptx.ledger_entry'), 'all sealed');
is($node->safe_psql('restored', q{SELECT count(*) FROM ptx.ledger_entry WHERE operation = 'SNAPSHOT'}),
	$node->safe_psql('src', q{SELECT count(*) FROM ptx.ledger_entry WHERE operation = 'SNAPSHOT'}),
	'no second baseline after the restore');

# a tampered restore is caught, by both
$node->safe_psql('restored', q{SET session_replication_role = replica;
	UPDATE ptx.ledger_entry SET row_image = '{"no": 2, "amount": 2}' WHERE relation = 'shop.invoice' AND key::text = '{"no": 2}'});
like($node->safe_psql('restored', q{SELECT string_agg(DISTINCT problem, ',') FROM ptx.verify()}),
	qr/entry_hash/, 'tampering after the restore is found');
($out, $err) = run_command([ 'python3', $audit, $node->connstr('restored') ]);
like($out, qr/hash mismatch/, 'and found by the independent recomputation');
$node->stop;
done_testing();
