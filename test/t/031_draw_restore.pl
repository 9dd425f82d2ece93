# A database with experts and executed draws, dumped and restored: the
# personal data keys come back with the data (duplicates are still found,
# ciphertexts still open), the roster the draws read is back, every draw
# still replays, and a new draw runs.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('draws');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_cron,ptx'
cron.database_name = 'postgres'
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
SELECT ptx.add_expert('专家' || i, pg_temp.rid(i), i + 2, '150000', '{A0801}', current_date + 365,
                      phone => '1390471' || lpad(i::text, 4, '0'))
  FROM generate_series(1, 15) i;
SET session_replication_role = replica;
INSERT INTO ptx.project (code, title, category, region, tenderee_id, supervisor_id, amount, state)
VALUES ('P', '工程', 'construction', '150000', 2, 1, 1000000, 'opened');
RESET session_replication_role;
});
$node->safe_psql('postgres', q{CALL ptx.draw_experts(1, '[{"specialty":"A08","count":3}]')});
$node->safe_psql('postgres', q{
SELECT ptx.replace_pick(1, (SELECT subject_id FROM ptx.draw_pick WHERE draw_id = 1 AND seat = 1), '回避')});
$node->safe_psql('postgres', q{SELECT count(*) FROM ptx.execute_draw(2)});
my $picks = $node->safe_psql('postgres',
	q{SELECT string_agg(draw_id || ':' || seat || ':' || subject_id, ',' ORDER BY draw_id, seat) FROM ptx.draw_pick});

my $dump = PostgreSQL::Test::Utils::tempdir . '/draws.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('postgres') ],
	'pg_dump of a database with experts and draws');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
{
	local $ENV{PGOPTIONS} = '-c session_replication_role=replica';
	$node->command_ok([ 'pg_restore', '-d', $node->connstr('restored'), $dump ],
		'pg_restore into a new database');
}
is($node->safe_psql('restored',
	q{SELECT string_agg(draw_id || ':' || seat || ':' || subject_id, ',' ORDER BY draw_id, seat) FROM ptx.draw_pick}),
	$picks, 'picks restored');
is($node->safe_psql('restored',
	q{SELECT bool_and(ptx.verify_draw(draw_id)) FROM ptx.draw_execution}),
	't', 'every draw replays after the restore');
is($node->safe_psql('restored', q{SELECT count(*) FROM ptx_private.personal_data_key}),
	'1', 'one personal data key, the restored one');
is($node->safe_psql('restored', q{
	SELECT ptx.find_expert('150102198001010014') = 1
	   AND (SELECT phone FROM ptx.expert_personal_data(1)) = '13904710001'}),
	't', 'the restored key still finds and opens personal data');
my ($ret, $out, $err) = $node->psql('restored',
	q{SELECT ptx.add_expert('重复', '150102198001010014', NULL, '150000', '{A08}', current_date + 365)});
like($err, qr/already registered/, 'a duplicate person is still refused after the restore');
is($node->safe_psql('restored', q{
	SELECT (SELECT count(*) FROM ptx_private.expert_roster)
	     = (SELECT sum(cardinality(specialty_prefixes)) FROM ptx.expert)}),
	't', 'the roster the draws read is restored');
# A08 is drawn for round 1 (one draw per need and round): a re-tender's round 2
$node->safe_psql('restored', q{
SET session_replication_role = replica;
UPDATE ptx.project SET round = 2 WHERE id = 1;
});
$node->safe_psql('restored', q{CALL ptx.draw_experts(1, '[{"specialty":"A0801","count":2}]')});
is($node->safe_psql('restored', q{
	SELECT count(*) = 2 AND ptx.verify_draw(max(p.draw_id))
	  FROM ptx.draw_pick p WHERE p.draw_id = (SELECT max(id) FROM ptx.draw_request)}),
	't', 'a new draw after the restore');

$node->stop;
done_testing();
