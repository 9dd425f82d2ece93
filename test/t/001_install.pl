# Installation on real clusters: with and without ptx preloaded, and a
# pg_dump of a database using ptx restored into a new database keeps the
# registry (the extension's tables are dumped as configuration tables).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# Without shared_preload_libraries: the library loads on first use.
my $plain = PostgreSQL::Test::Cluster->new('plain');
$plain->init;
$plain->start;
$plain->safe_psql('postgres', 'CREATE EXTENSION ptx CASCADE');
is($plain->safe_psql('postgres', "SELECT ptx.uscc_valid('91440300708461136T')"),
	't', 'extension works without being preloaded');
$plain->stop;

# Preloaded beside pg_cron, as the operations guide sets it up.
my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_cron,ptx'
cron.database_name = 'postgres'
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION ptx CASCADE');
$node->safe_psql('postgres', q{
	SELECT ptx.add_region('150000', '内蒙古自治区');
	SELECT ptx.add_region('150100', '呼和浩特市', '150000');
	SELECT ptx.add_org('91150000000000001' || ptx.uscc_check_char('91150000000000001'),
	                   '监管部门', '150000', '{supervisor}');
	SELECT ptx.grant_jurisdiction(1, 'construction', '150000');
	SELECT ptx.set_policy('expert_db.min_size', 800, '本地区要求');
	INSERT INTO ptx.category VALUES ('forest', '林权交易', 'forest rights');
});

# The fake clock is superuser-only, and refused in postgresql.conf-style
# values that are not timestamps.
my ($ret, $out, $err) = $node->psql('postgres',
	"CREATE ROLE regress_ptx_u LOGIN; SET ROLE regress_ptx_u; SET ptx.fake_now = '2030-01-01'");
like($err, qr/permission denied to set parameter "ptx.fake_now"/, 'fake_now is superuser-only');

# Dump and restore into a new database.
my $dump = PostgreSQL::Test::Utils::tempdir;
$dump .= '/ptx.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('postgres') ],
	'pg_dump of a database using ptx');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
{
	# rows come back as they were: no rule re-judges them, nothing re-logs them
	local $ENV{PGOPTIONS} = '-c session_replication_role=replica';
	$node->command_ok([ 'pg_restore', '-d', $node->connstr('restored'), $dump ],
		'pg_restore into a new database');
}
is($node->safe_psql('restored', q{
	SELECT string_agg(code || ':' || array_to_string(path, '/'), ',' ORDER BY code) FROM ptx.region}),
	'150000:150000,150100:150000/150100', 'regions restored with their paths');
is($node->safe_psql('restored', q{
	SELECT ptx.has_jurisdiction(1, 'construction', '150100')}),
	't', 'organisations and jurisdiction restored');
is($node->safe_psql('restored', q{SELECT ptx.setting('expert_db.min_size')}),
	'800', 'policy override restored');
is($node->safe_psql('restored', q{SELECT count(*) FROM ptx.category}),
	'7', 'built-in categories once, added category kept');
is($node->safe_psql('restored', q{
	SELECT ptx.add_org('91150000000000002' || ptx.uscc_check_char('91150000000000002'),
	                   '新机构', '150100', '{bidder}')}),
	'2', 'identity continues after restore');

$node->stop;
done_testing();
