# Bids sealed by the bidder with GnuPG (R14), and receipts anyone can check
# (DESIGN.md §11.6-§11.7).
#
# Bidders encrypt their clear bids with gpg --symmetric --cipher-algo AES256
# and commit to them with SHA-256.  Before the opening no table (every
# column of every table, the ledger included), no view and no pg_dump holds
# a clear price or a passphrase.  At the opening the right key opens a bid,
# a wrong one is refused, a ciphertext swapped after submission is caught by
# the commitment, and a bid whose key never comes is withdrawn (撤销) while
# the opening goes on.  Receipts for entries in the first, a middle and the
# newest block, and consistency proofs, check out in test/ptx_receipt.py,
# which knows nothing but the documented format; a tampered entry, a
# tampered path and a rewritten tail are caught.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Digest::SHA qw(sha256_hex);
use File::Temp ();

my ($gpg) = map { "$_/gpg" } grep { -x "$_/gpg" } split /:/, ($ENV{PATH} // '');
plan skip_all => 'GnuPG (Debian package gnupg) is not installed' unless $gpg;

my $node = PostgreSQL::Test::Cluster->new('sealed_bids');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'ptx'
ptx.seal_worker = off
ptx.block_max_entries = 25
});
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE bids');

my $dir = PostgreSQL::Test::Utils::tempdir;
# GnuPG's home: a short path for the agent's socket
my $gnupg = File::Temp::tempdir('ptxgpgXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0700, $gnupg;
$ENV{GNUPGHOME} = $gnupg;

sub slurp
{
	my ($f) = @_;
	open my $fh, '<:raw', $f or die "$f: $!";
	local $/;
	my $d = <$fh>;
	close $fh;
	return $d;
}

sub spew
{
	my ($f, $d) = @_;
	open my $fh, '>:raw', $f or die "$f: $!";
	print $fh $d;
	close $fh;
}

# A bidder's clear bid, sealed with GnuPG under its passphrase.
sub gpg_seal
{
	my ($name, $clear, $pass) = @_;
	spew("$dir/$name.json", $clear);
	unlink "$dir/$name.gpg";
	my ($out, $err) = run_command([ $gpg, '--batch', '--yes', '--quiet', '--pinentry-mode', 'loopback',
		'--no-symkey-cache', '--passphrase', $pass, '--symmetric', '--cipher-algo', 'AES256',
		'-o', "$dir/$name.gpg", "$dir/$name.json" ]);
	die "gpg failed: $err" unless -s "$dir/$name.gpg";
	return unpack('H*', slurp("$dir/$name.gpg"));
}

sub psql_json
{
	my ($db, $sql, $file) = @_;
	my $v = $node->safe_psql($db, $sql);
	spew("$dir/$file", $v) if $file;
	return $v;
}

my $verifier = "$ENV{PTX_SRC}/test/ptx_receipt.py";

sub verify
{
	my (@args) = @_;
	my ($out, $err) = run_command([ 'python3', $verifier, @args ]);
	return "$out$err";
}

$node->safe_psql('bids', q{
	CREATE EXTENSION ptx CASCADE;
	SET ptx.fake_now = '2025-05-06 09:00:00+08';
	SELECT ptx.set_policy('committee.check_before_evaluation', 0, 'committees drawn in another system');
	SELECT ptx.seal();
	SELECT ptx.add_region('150000', '内蒙古自治区');
	SELECT ptx.add_region('150300', '乌海市', '150000');
	SELECT ptx.add_org('91150300' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150300' || lpad(n::text, 9, '0')),
	                   'org ' || n, '150300',
	                   ARRAY[CASE n WHEN 1 THEN 'supervisor' WHEN 2 THEN 'tenderee' ELSE 'bidder' END])
	  FROM generate_series(1, 7) n;
	SELECT ptx.grant_jurisdiction(1, 'procurement', '150300');
	SELECT ptx.register_project('ZC-GPG-1', 'CT 设备采购', 'procurement', '150300', 2, 9000000, 1);
	SELECT ptx.announce(1, '2025-05-26 09:00+08');
	SELECT ptx.seal();
});
is($node->safe_psql('bids', 'SELECT mode FROM ptx_public.bid_sealing'), 'bidder',
	'the project takes bids sealed by the bidder, and the public sees it');

# Five bidders (orgs 3..7) seal their bids with GnuPG.
my @price = (undef, '8765432.10', '7654321.20', '6543210.30', '5432109.40', '4321098.50');
my (%bid, %pass, %commit, %proof);
for my $i (1 .. 5)
{
	my $org = 2 + $i;
	$pass{$i} = "passphrase of bidder $i " . sha256_hex("k$i$$");
	$proof{$i} = sha256_hex("proof $i $$");
	my $clear = sprintf('{"price": "%s", "digest": "%s", "fingerprint": "MAC-%d", "nonce": "%s"}',
		$price[$i], sha256_hex("documents $i"), $i, sha256_hex("nonce $i $$"));
	$commit{$i} = sha256_hex($clear);
	my $ct = gpg_seal("bid$i", $clear, $pass{$i});
	$node->safe_psql('bids',
		"SELECT ptx.register_bidder_credential($org, sha256('\\x$proof{$i}'::bytea))");
	my $r = $node->safe_psql('bids', qq{
		SET ptx.fake_now = '2025-05-20 10:00:00+08';
		SELECT ptx.submit_sealed_bid(1, $org, '\\x$ct', '\\x$commit{$i}', '\\x$proof{$i}')});
	like($r, qr/"seq": \d+/, "bidder $i: submitted, with the seq of its ledger entry");
	($bid{$i}) = $r =~ /"bid_id": (\d+)/;
}
# Bidder 5's ciphertext will be swapped for another it made with the same
# passphrase for another price.
my $swap = gpg_seal('bid5b', sprintf('{"price": "1.00", "nonce": "%s"}', sha256_hex("n5b")), $pass{5});

# Before the opening: search every column of every table, as text and as
# the hex of bytea, for the clear prices and the passphrases.
$node->safe_psql('bids', 'SELECT ptx.seal()');
my @needles = (map({ $price[$_] } 1 .. 5), map({ $pass{$_} } 1 .. 5));
my $needle_sql = join(', ', map {
	my $n = $_;
	my $hex = unpack('H*', $n);
	"('$n'), ('$hex')"
} @needles);
my $found = $node->safe_psql('bids', qq{
	CREATE TEMP TABLE needle (s text);
	INSERT INTO needle VALUES $needle_sql;
	DO \$\$
	DECLARE r record; n bigint; total bigint := 0;
	BEGIN
	    FOR r IN SELECT c.oid::regclass AS t FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
	              WHERE c.relkind IN ('r', 'v', 'm') AND s.nspname NOT IN ('pg_catalog', 'information_schema')
	                AND s.nspname NOT LIKE 'pg_toast%' AND c.relname <> 'needle' LOOP
	        EXECUTE format('SELECT count(*) FROM %s x, needle WHERE position(needle.s IN x::text) > 0', r.t) INTO n;
	        IF n > 0 THEN RAISE WARNING 'found in %', r.t; END IF;
	        total := total + n;
	    END LOOP;
	    PERFORM set_config('ptx_test.found', total::text, false);
	END \$\$;
	SELECT current_setting('ptx_test.found');
	SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
	 WHERE c.relkind IN ('r', 'v', 'm') AND s.nspname NOT IN ('pg_catalog', 'information_schema');
});
my ($hits, $tables) = split /\n/, $found;
is($hits, '0', "before the opening no clear price and no passphrase in any column of $tables tables and views");
is($node->safe_psql('bids', 'SELECT count(*) FROM ptx.bid WHERE price IS NOT NULL OR clear_bid IS NOT NULL'),
	'0', 'no clear column filled');
is($node->safe_psql('bids', 'SELECT count(*) FROM ptx_seal.project_key'), '0', 'no platform key for the project');
$node->command_ok([ 'pg_dump', '-f', "$dir/before.sql", '-d', $node->connstr('bids') ], 'pg_dump before the opening');
my $dump = slurp("$dir/before.sql");
is(scalar(grep { index($dump, $_) >= 0 || index($dump, unpack('H*', $_)) >= 0 } @needles), 0,
	'the dump holds no clear price and no passphrase');
ok(index($dump, $commit{1}) >= 0, 'the dump holds the commitments (and nothing that opens them)');

# The bidder's own receipt, checked outside the database against the
# published digest.
psql_json('bids', "SELECT ptx.digest()", 'digest_submitted.json');
psql_json('bids', "SELECT ptx.bid_receipt(1, 3, '\\x$proof{1}')", 'receipt_bid1.json');
like(verify('receipt', "$dir/receipt_bid1.json", "$dir/digest_submitted.json"), qr/^OK: /,
	'bidder 1 checks its receipt with ptx_receipt.py');
like(slurp("$dir/receipt_bid1.json"), qr/"entry": "[0-9a-f]+"/, 'the receipt holds the entry bytes');

# The opening.
$node->safe_psql('bids', q{
	ALTER TABLE ptx.bid DISABLE TRIGGER bid_before_write;
	UPDATE ptx.bid SET sealed = '\x} . $swap . q{' WHERE bidder_id = 7;
	ALTER TABLE ptx.bid ENABLE TRIGGER bid_before_write;
});
is($node->safe_psql('bids', "SET ptx.fake_now = '2025-05-26 09:00+08'; SELECT ptx.open_bids(1)"),
	'opened', 'bids opened at the deadline');
for my $i (1 .. 3)
{
	my $r = $node->safe_psql('bids',
		"SET ptx.fake_now = '2025-05-26 09:10+08'; SELECT ptx.decrypt_bid($bid{$i}, '$pass{$i}') ->> 'price'");
	is($r, $price[$i], "bidder $i decrypts its bid with its key: $r");
}
my ($rc, $out, $err) = $node->psql('bids',
	"SET ptx.fake_now = '2025-05-26 09:20+08'; SELECT ptx.decrypt_bid($bid{4}, '$pass{1}')");
like($err, qr/the key does not open bid/, 'a wrong key is refused');
($rc, $out, $err) = $node->psql('bids',
	"SET ptx.fake_now = '2025-05-26 09:20+08'; SELECT ptx.decrypt_bid($bid{5}, '$pass{5}')");
like($err, qr/does not match its commitment/, 'a ciphertext swapped after submission is caught by the commitment');
is($node->safe_psql('bids', "SET ptx.fake_now = '2025-05-26 10:00:01+08'; SELECT ptx.close_decryption(1)"),
	'opened', 'after the window the opening goes on with 3 bids');
is($node->safe_psql('bids',
	"SELECT string_agg(bidder_id || ':' || status, ',' ORDER BY bidder_id) FROM ptx.bid_opened"),
	'3:valid,4:valid,5:valid,6:withdrawn,7:withdrawn', 'the bids not decrypted are withdrawn (撤销)');
is($node->safe_psql('bids', "SELECT count(*) FROM ptx.bid WHERE decrypted_at IS NOT NULL AND sha256(clear_bid) = commitment"),
	'3', 'each decrypted bid matches its commitment');
$node->safe_psql('bids', "SET ptx.fake_now = '2025-05-26 11:00+08'; SELECT ptx.start_evaluation(1)");

# Receipts for entries of the first, a middle and the newest block.
$node->safe_psql('bids', q{
	SELECT ptx.ledger_event('note', 'test.receipt', jsonb_build_object('n', n), '{}') FROM generate_series(1, 60) n;
	SELECT ptx.seal();
});
psql_json('bids', 'SELECT ptx.digest()', 'digest1.json');
my ($nblocks, $mid, $newest_seq) = split /\|/, $node->safe_psql('bids', q{
	SELECT max(block_no), (SELECT first_seq + 1 FROM ptx.ledger_block WHERE block_no = max(b.block_no) / 2),
	       (SELECT max(seq) FROM ptx.ledger_entry) FROM ptx.ledger_block b});
cmp_ok($nblocks, '>=', 4, "$nblocks blocks");
for my $case ([ 'first block', 1 ], [ 'a middle block', $mid ], [ 'the newest block', $newest_seq ])
{
	my ($what, $seq) = @$case;
	psql_json('bids', "SELECT ptx.receipt($seq)", "receipt$seq.json");
	like(verify('receipt', "$dir/receipt$seq.json", "$dir/digest1.json"), qr/^OK: /,
		"receipt for entry $seq in $what checks out");
}
# The verifier's failures: a tampered entry, a tampered path.
{
	my $r = slurp("$dir/receipt$mid.json");
	(my $t = $r) =~ s/("entry": "[0-9a-f]{80})([0-9a-f]{2})/$1 . ($2 eq 'ff' ? '00' : 'ff')/e;
	spew("$dir/tampered_entry.json", $t);
	like(verify('receipt', "$dir/tampered_entry.json", "$dir/digest1.json"), qr/^FAILED: /,
		'a tampered entry fails');
	($t = $r) =~ s/("hash": ")([0-9a-f])/$1 . ($2 eq '0' ? '1' : '0')/e;
	spew("$dir/tampered_path.json", $t);
	like(verify('receipt', "$dir/tampered_path.json", "$dir/digest1.json"), qr/^FAILED: .*root/,
		'a tampered path fails');
}

# Consistency between two published digests.
$node->safe_psql('bids', q{
	SELECT ptx.ledger_event('note', 'test.receipt', jsonb_build_object('n', n), '{}') FROM generate_series(61, 100) n;
	SELECT ptx.seal();
});
psql_json('bids', 'SELECT ptx.digest()', 'digest2.json');
my ($b1) = slurp("$dir/digest1.json") =~ /"block_no": (\d+)/;
my ($b2) = slurp("$dir/digest2.json") =~ /"block_no": (\d+)/;
psql_json('bids', "SELECT ptx.consistency($b1, $b2)", 'consistency.json');
like(verify('consistency', "$dir/consistency.json", "$dir/digest1.json", "$dir/digest2.json"), qr/^OK: /,
	"block $b2 extends block $b1");
like(verify('receipt', "$dir/receipt1.json", "$dir/digest2.json"), qr/^FAILED: .*stops/,
	'an old receipt does not reach a later digest (ask for a new one)');
psql_json('bids', 'SELECT ptx.receipt(1)', 'receipt1_new.json');
like(verify('receipt', "$dir/receipt1_new.json", "$dir/digest2.json"), qr/^OK: /,
	'a new receipt for the same entry reaches it');

# A rewritten tail: an entry of block $b1 changed, its hash recomputed, the
# blocks from there and their lookup rows removed, and sealed again.  The new chain verifies on
# its own, but not against the digest published before.
my $victim = $node->safe_psql('bids', "SELECT first_seq FROM ptx.ledger_block WHERE block_no = $b1");
$node->safe_psql('bids', qq{
	SET session_replication_role = replica;
	UPDATE ptx.ledger_entry SET row_image = '{"rewritten": true}' WHERE seq = $victim;
	UPDATE ptx.ledger_entry SET entry_hash = sha256(ptx.ledger_entry_bytes(seq)) WHERE seq = $victim;
	DELETE FROM ptx.ledger_block WHERE block_no >= $b1;
	DELETE FROM ptx.ledger_key_index WHERE block_no >= $b1;
	DELETE FROM ptx.ledger_project_index WHERE block_no >= $b1;
	RESET session_replication_role;
	SELECT ptx.seal();
});
is($node->safe_psql('bids', "SELECT count(*) FROM ptx.verify_chain(1)"), '0', 'the rewritten chain is consistent in itself');
psql_json('bids', 'SELECT ptx.digest()', 'digest3.json');
my ($b3) = slurp("$dir/digest3.json") =~ /"block_no": (\d+)/;
psql_json('bids', "SELECT ptx.consistency($b1, $b3)", 'consistency_rewritten.json');
like(verify('consistency', "$dir/consistency_rewritten.json", "$dir/digest1.json", "$dir/digest3.json"),
	qr/^FAILED: /, 'a rewritten tail fails the consistency proof from the earlier digest');
psql_json('bids', "SELECT ptx.receipt($victim)", 'receipt_rewritten.json');
like(verify('receipt', "$dir/receipt_rewritten.json", "$dir/digest1.json"), qr/^FAILED: /,
	'and a receipt of the rewritten entry fails against the earlier digest');
psql_json('bids', "SELECT ptx.receipt(1)", 'receipt1_rewritten.json');
like(verify('receipt', "$dir/receipt1_rewritten.json", "$dir/digest1.json"), qr/^FAILED: /,
	'even a receipt for an untouched entry of the first block fails against it');

$node->stop;
done_testing();
