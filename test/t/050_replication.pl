# Replication (DESIGN.md §9, docs/operations.md): a region publishes its
# ledger (insert-only) and its projects to the regional centre by logical
# replication; the centre holds the region's chain in a database of its
# own and verifies it there.  Changes a superuser makes to the region's
# ledger afterwards are not replicated, so the centre's copy and its block
# hashes expose them.  A physical standby verifies too.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $conf = q{
shared_preload_libraries = 'ptx'
ptx.seal_interval = '200ms'
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
};

my $region = PostgreSQL::Test::Cluster->new('region');
$region->init(allows_streaming => 'logical');
$region->append_conf('postgresql.conf', $conf);
$region->start;

my $centre = PostgreSQL::Test::Cluster->new('centre');
$centre->init;
$centre->append_conf('postgresql.conf', $conf);
$centre->start;

$region->safe_psql('postgres', 'CREATE DATABASE trading');
$region->safe_psql('trading', q{
	CREATE EXTENSION ptx CASCADE;
	SET ptx.block_max_entries = 7;
	SELECT ptx.add_region('150000', '内蒙古自治区');
	SELECT ptx.add_region('150400', '赤峰市', '150000');
	SELECT ptx.add_org('91150000000000001' || ptx.uscc_check_char('91150000000000001'), '监管部门', '150000', '{supervisor}');
	SELECT ptx.add_org('91150000000000002' || ptx.uscc_check_char('91150000000000002'), '招标人', '150400', '{tenderee}');
	SELECT ptx.grant_jurisdiction(1, 'construction', '150000');
	SELECT ptx.register_project('P1', '学校', 'construction', '150400', 2, 1000000, 1);
	SELECT ptx.seal();
	CREATE PUBLICATION ptx_to_centre FOR TABLE ptx.ledger_entry, ptx.ledger_block,
	    ptx.ledger_key_index, ptx.ledger_project_index
	    WITH (publish = 'insert');
	CREATE PUBLICATION ptx_results_to_centre FOR TABLE ptx.project, ptx.contract;
});

# The centre: one database per region, where nothing is written locally,
# so its sealing worker stays off.
$centre->safe_psql('postgres', 'CREATE DATABASE region_150400');
$centre->safe_psql('postgres', 'ALTER DATABASE region_150400 SET ptx.seal_worker = off');
$centre->safe_psql('region_150400', 'CREATE EXTENSION ptx CASCADE');
my $connstr = $region->connstr . ' dbname=trading';
$centre->safe_psql('region_150400', qq{
	CREATE SUBSCRIPTION region_150400 CONNECTION '$connstr'
	    PUBLICATION ptx_to_centre, ptx_results_to_centre;
});
$centre->wait_for_subscription_sync($region, 'region_150400', 'region_150400');

my $count_sql = q{SELECT count(*) || '/' || COALESCE(max(seq), 0) FROM ptx.ledger_entry};
my $block_sql = q{SELECT (SELECT count(*) FROM ptx.ledger_block) || '/' || COALESCE((SELECT encode(block_hash, 'hex') FROM ptx.ledger_block ORDER BY block_no DESC LIMIT 1), '')};
is($centre->safe_psql('region_150400', $count_sql), $region->safe_psql('trading', $count_sql),
	'the centre holds every entry of the region');
is($centre->safe_psql('region_150400', $block_sql), $region->safe_psql('trading', $block_sql),
	'and every block, up to the newest hash');
is($centre->safe_psql('region_150400', 'SELECT count(*) FROM ptx.verify_chain(1)'), '0',
	'the region\'s chain verifies at the centre');
is($centre->safe_psql('region_150400', q{SELECT code FROM ptx.project}), 'P1',
	'projects are replicated');

# The region goes on trading; the new entries and blocks follow.
$region->safe_psql('trading', q{
	SET ptx.block_max_entries = 7;
	SELECT ptx.register_project('P2', '医院', 'construction', '150400', 2, 2000000, 1);
	SELECT ptx.ledger_event('state_note', 'ptx.project', '{"id": 2}', '{"to": "announced"}');
	SELECT ptx.seal();
});
$region->wait_for_catchup('region_150400');
is($centre->safe_psql('region_150400', $block_sql), $region->safe_psql('trading', $block_sql),
	'new blocks arrive');
is($centre->safe_psql('region_150400', 'SELECT count(*) FROM ptx.verify_chain(1)'), '0',
	'and verify at the centre');
is($centre->safe_psql('region_150400', q{SELECT string_agg(code, ',' ORDER BY code) FROM ptx.project}), 'P1,P2',
	'with the new project');
# the sealer's lookup indexes come with the blocks: the centre finds a
# row's and a project's trail as the region does
my $trail_sql = q{SELECT (SELECT string_agg(seq::text, ',' ORDER BY seq) FROM ptx.trail('ptx.project', '{"id": 2}'))
	|| '/' || (SELECT string_agg(s::text, ',' ORDER BY s) FROM ptx.ledger_project_seqs(2) s)};
my $region_trail = $region->safe_psql('trading', $trail_sql);
like($region_trail, qr/^\d+(,\d+)+\/\d+(,\d+)+$/, 'the region finds project 2\'s trail');
is($centre->safe_psql('region_150400', $trail_sql), $region_trail,
	'the centre finds the same trail');
is($centre->safe_psql('region_150400', 'SELECT count(*) FROM ptx.verify_index(1)'), '0',
	'and its lookup indexes hold exactly the sealed entries');

# A physical standby of the region verifies its chain read-only.
$region->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($region, 'base', has_streaming => 1);
$standby->start;
$region->wait_for_catchup($standby, 'replay');
is($standby->safe_psql('trading', 'SELECT count(*) FROM ptx.verify_chain(1)'), '0',
	'a hot standby verifies the chain');
is($standby->safe_psql('trading', q{SELECT count(*) FROM ptx.verify() WHERE problem <> 'unsealed'}), '0',
	'and the tables against their images');
$standby->stop;

# A superuser of the region changes a sealed entry, triggers off: the
# update is not replicated (insert-only), the centre's copy still verifies,
# and the region checked against the block hashes the centre holds fails.
my $digests = $centre->safe_psql('region_150400',
	q{SELECT jsonb_agg(to_jsonb(b)) FROM ptx_public.ledger_block b});
$region->safe_psql('trading', q{
	SET session_replication_role = replica;
	UPDATE ptx.ledger_entry SET row_image = replace(row_image::text, '学校', '学院')::json
	 WHERE relation = 'ptx.project' AND key::text = '{"id": 1}' AND operation = 'INSERT';
});
isnt($region->safe_psql('trading', 'SELECT count(*) FROM ptx.verify_chain(1)'), '0',
	'the region itself sees the changed entry');
is($centre->safe_psql('region_150400', 'SELECT count(*) FROM ptx.verify_chain(1)'), '0',
	'the centre\'s copy is untouched');
is($centre->safe_psql('region_150400',
	q{SELECT count(*) FROM ptx.ledger_entry WHERE row_image::text LIKE '%学院%'}), '0',
	'the update was not replicated');
ok($region->safe_psql('trading',
	qq{SELECT count(*) > 0 FROM ptx.verify('$digests'::jsonb) WHERE problem LIKE 'digest%' OR problem IN ('entry_hash', 'merkle_root')}) eq 't',
	'the region verified against the centre\'s hashes fails');

# The region's superuser now publishes updates and deletes too, and
# rewrites an entry and deletes a block: the centre's copy refuses both
# (its guards are enabled ALWAYS, so they fire in the apply worker), says
# so in its log, and still verifies.
my $centre_log_pos = -s $centre->logfile;
$region->safe_psql('trading', q{
	ALTER PUBLICATION ptx_to_centre SET (publish = 'insert, update, delete');
	SET session_replication_role = replica;
	UPDATE ptx.ledger_entry SET row_image = replace(row_image::text, '医院', '诊所')::json
	 WHERE relation = 'ptx.project' AND key::text = '{"id": 2}' AND operation = 'INSERT';
	DELETE FROM ptx.ledger_block WHERE block_no = (SELECT max(block_no) FROM ptx.ledger_block);
});
ok($centre->wait_for_log(qr/replicated (UPDATE|DELETE) on ptx\.ledger_(entry|block) is refused/,
	$centre_log_pos), 'the centre refuses the rewrite sent by the region, in its log');
is($centre->safe_psql('region_150400',
	q{SELECT count(*) FROM ptx.ledger_entry WHERE row_image::text LIKE '%诊所%'}), '0',
	'the centre\'s copy keeps the entry as sealed');
is($centre->safe_psql('region_150400', 'SELECT count(*) FROM ptx.verify_chain(1)'), '0',
	'and still verifies');
isnt($centre->safe_psql('region_150400', $block_sql), $region->safe_psql('trading', $block_sql),
	'while the region\'s own chain has lost a block');

$centre->stop;
$region->stop;
done_testing();
