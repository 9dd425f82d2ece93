# The upgrade path: release 0.1.0 installed and filled with a realistic
# data set (the 0.1.0 demo less its tampering part: projects in many states,
# draws, credit, red flags, a sealed ledger), then ALTER EXTENSION ptx UPDATE.  Afterwards the
# ledger verifies (also against the digest published before the update),
# every draw replays, the new version works on the old data, and the
# objects are those of a fresh install of the new version.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $src = $ENV{PTX_SRC} or die "PTX_SRC is not set";
my $old_version = '0.1.0';
my ($new_version) = slurp_file("$src/ptx.control") =~ /^default_version\s*=\s*'([^']+)'/m;

# The data is loaded the way a DBA had it: with release 0.1.0's own
# library, built from its commit by test/check.sh into its own tree
# (PTX_RELEASE_INSTALL).  The new version's files are then installed into
# that tree, the server restarted, and the extension updated.  Where the
# release cannot be built (no git history; PostgreSQL 17, on which 0.1.0
# did not build, so that no database of it exists there), only the update
# of an empty 0.1.0 install is compared with a fresh install.
my $release = $ENV{PTX_RELEASE_INSTALL} // '';
my $node = $release
  ? PostgreSQL::Test::Cluster->new('upgrade', install_path => $release)
  : PostgreSQL::Test::Cluster->new('upgrade');
note($release ? "data loaded with release $old_version from $release"
	: "release $old_version cannot be built here: the data part is skipped");
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_cron,ptx'
cron.database_name = 'old'
timezone = 'Asia/Shanghai'
max_worker_processes = 16
});
$node->start;

sub psql_file {
	my ($db, $file) = @_;
	$node->command_ok(
		[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr($db), '-f', $file ],
		"$db: " . ($file =~ s{.*/}{}r));
}

if ($release) {
# -- 0.1.0 with data -------------------------------------------------------
$node->safe_psql('postgres', 'CREATE DATABASE old');
$node->safe_psql('old', qq{
	CREATE EXTENSION ptx VERSION '$old_version' CASCADE;
	CREATE EXTENSION pg_cron;
	SELECT count(*) FROM ptx.schedule_jobs();
	SELECT ptx.seal();
});
is($node->safe_psql('old', q{SELECT extversion FROM pg_extension WHERE extname = 'ptx'}),
	$old_version, "release $old_version installed");
psql_file('old', $_) for sort glob("$src/test/upgrade/$old_version/[0-9][0-9]_*.sql");
$node->safe_psql('old', 'SELECT ptx.seal()');

my %before = map { $_ => $node->safe_psql('old', $_) } (
	'SELECT count(*) FROM ptx.project',
	'SELECT string_agg(state, \',\' ORDER BY state) FROM (SELECT DISTINCT state FROM ptx.project) s',
	'SELECT count(*) FROM ptx.draw_request',
	'SELECT count(*) FROM ptx.draw_execution',
	'SELECT count(*) FROM ptx.draw_pick',
	'SELECT count(*) FROM ptx.credit_record',
	'SELECT count(*) FROM ptx.ledger_entry',
	'SELECT count(*) FROM ptx.ledger_block');
my $digest = $node->safe_psql('old', 'SELECT ptx.digest()');
ok($before{'SELECT count(*) FROM ptx.draw_execution'} > 0 && $before{'SELECT count(*) FROM ptx.credit_record'} > 0,
	'the data set has draws and credit records');
like($before{'SELECT string_agg(state, \',\' ORDER BY state) FROM (SELECT DISTINCT state FROM ptx.project) s'},
	qr/closed.*evaluating.*publicity.*registered.*terminated/, 'the data set has projects in many states');
is($node->safe_psql('old', 'SELECT count(*) FROM ptx.verify()'), '0', 'the old ledger verifies before the update');

# -- the update ------------------------------------------------------------
{
	# make install of the new version into the release's tree, as a DBA does
	$node->stop;
	my $new_lib = `pg_config --pkglibdir`; chomp $new_lib;
	my $new_share = `pg_config --sharedir`; chomp $new_share;
	my $old_lib = `$release/bin/pg_config --pkglibdir`; chomp $old_lib;
	my $old_share = `$release/bin/pg_config --sharedir`; chomp $old_share;
	system('cp', "$new_lib/ptx.so", "$old_lib/ptx.so") == 0 or die "cannot install ptx.so";
	system("rm -rf '$old_lib/bitcode/ptx' '$old_lib/bitcode/ptx.index.bc'");
	system("cp -r '$new_lib/bitcode/ptx' '$new_lib/bitcode/ptx.index.bc' '$old_lib/bitcode/' 2>/dev/null");
	system("cp $new_share/extension/ptx.control $new_share/extension/ptx--*.sql '$old_share/extension/'") == 0
	  or die "cannot install the extension's files";
	$node->start;
}
my ($rc, $out, $err) = $node->psql('old', 'ALTER EXTENSION ptx UPDATE');
is($rc, 0, 'ALTER EXTENSION ptx UPDATE succeeds') or diag($err);
is($node->safe_psql('old', q{SELECT extversion FROM pg_extension WHERE extname = 'ptx'}),
	$new_version, "now at $new_version");

for my $q (sort keys %before) {
	next if $q =~ /ledger_entry|ledger_block/;
	is($node->safe_psql('old', $q), $before{$q}, "data kept: $q");
}
ok($node->safe_psql('old', 'SELECT count(*) FROM ptx.ledger_entry')
	>= $before{'SELECT count(*) FROM ptx.ledger_entry'}, 'no ledger entry lost');
is($node->safe_psql('old', 'SELECT string_agg(v::text, E\'\\n\') FROM ptx.verify() v'), '',
	'the ledger verifies after the update');
is($node->safe_psql('old', qq{SELECT string_agg(v::text, E'\\n') FROM ptx.verify('[$digest]'::jsonb) v}), '',
	'the digest published before the update still verifies');
is($node->safe_psql('old', q{
	SELECT count(*) FILTER (WHERE NOT ptx.verify_draw(draw_id)) || '/' || count(*)
	FROM ptx.draw_execution}),
	'0/' . $before{'SELECT count(*) FROM ptx.draw_execution'},
	'every executed draw replays');

# the new version at work on the old data: new trades, a seal, a verification
psql_file('old', "$src/test/upgrade/after_update.sql");
$node->safe_psql('old', 'SELECT ptx.seal()');
ok($node->safe_psql('old', 'SELECT count(*) FROM ptx.ledger_block')
	> $before{'SELECT count(*) FROM ptx.ledger_block'}, 'sealing goes on after the update');
is($node->safe_psql('old', 'SELECT string_agg(v::text, E\'\\n\') FROM ptx.verify() v'), '',
	'the ledger verifies after new work on the old data');

}

# -- the same objects as a fresh install ------------------------------------
$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION ptx CASCADE');
$node->safe_psql('postgres', 'CREATE DATABASE updated');
$node->safe_psql('updated', qq{
	CREATE EXTENSION ptx VERSION '$old_version' CASCADE;
	ALTER EXTENSION ptx UPDATE;
});

my $catalog = slurp_file("$src/test/upgrade/catalog.sql");
sub lines_of {
	my ($db, $sql) = @_;
	return [ split /\n/, $node->safe_psql($db, $sql) ];
}
sub same_lines {
	my ($got, $want, $name) = @_;
	my %g = map { $_ => 1 } @$got;
	my %w = map { $_ => 1 } @$want;
	my @missing = grep { !$g{$_} } @$want;
	my @extra = grep { !$w{$_} } @$got;
	ok(!@missing && !@extra, $name)
	  or diag(join("\n", (map { "only in the fresh install: $_" } @missing),
			(map { "only after the update:     $_" } @extra)));
}
my $fresh = lines_of('fresh', $catalog);
ok(@$fresh > 500, 'the catalog description lists the objects');
same_lines(lines_of('updated', $catalog), $fresh,
	"$old_version + UPDATE has the objects of a fresh $new_version install");
if ($release) {
same_lines(lines_of('old', $catalog), $fresh,
	"$old_version with data + UPDATE has the objects of a fresh $new_version install");
}

# rows the install script writes (settings, vocabularies, calendars, jobs):
# the same after an update of an empty database
my $seeded = q{
	SELECT string_agg(c.oid::regclass::text, ' ' ORDER BY c.oid::regclass::text)
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname IN ('ptx', 'ptx_public') AND c.relkind = 'r'
	  AND c.relname NOT LIKE 'ledger%'
	  AND (xpath('/row/c/text()', query_to_xml(
	         format('SELECT count(*) AS c FROM %s', c.oid::regclass), false, true, '')))[1]::text::int > 0};
my $tables = $node->safe_psql('fresh', $seeded);
ok($tables ne '', "tables the install script fills: $tables");
for my $t (split / /, $tables) {
	my $q = "SELECT t::text FROM $t t ORDER BY 1";
	same_lines(lines_of('updated', $q), lines_of('fresh', $q), "rows of $t after the update");
}

$node->stop;
done_testing();
