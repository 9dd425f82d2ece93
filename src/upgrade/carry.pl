#!/usr/bin/perl
# carry.pl: the part of an upgrade script that re-runs what can be re-run.
#
#   perl src/upgrade/carry.pl OLD_INSTALL_SCRIPT src/sql/*.sql
#
# OLD_INSTALL_SCRIPT is the frozen install script of the release upgraded
# from; its "-- ==== src/sql/NN_name.sql" markers name the module files
# that release had.  For each module file given, in order:
#   - a file the old release did not have is printed whole: it is new;
#     so is a file whose first line is "-- carry: whole" (it is written to
#     be run again, as the message catalogue is);
#   - of a file it had, the statements that are safe to run again on the
#     old release's objects are printed, each rewritten to replace what is
#     there: CREATE [OR REPLACE] FUNCTION, PROCEDURE, VIEW and TRIGGER
#     (as CREATE OR REPLACE), COMMENT ON, GRANT and REVOKE,
#     pg_extension_config_dump() calls, and the legal defaults inserted
#     into ptx.policy_default (as upserts: a default new in this version is
#     added, a changed one takes the new value, basis and description;
#     regions' overrides live in ptx.policy and are left alone).
# Everything else that changes in an old module (tables, columns,
# constraints, indexes, types, CREATE TRIGGER, seed rows, data) is written
# by hand into src/upgrade/A--B/NN_topic.sql; docs/developing.md says how.
#
# The statement splitter knows SQL comments, quoted identifiers, standard,
# E'' and dollar-quoted strings, and BEGIN ATOMIC ... END bodies.
use strict;
use warnings;

my ($old_script, @files) = @ARGV;
die "usage: carry.pl OLD_INSTALL_SCRIPT FILE...\n" unless defined $old_script;

my %old;
open(my $oh, '<', $old_script) or die "cannot read $old_script: $!\n";
while (<$oh>) {
	$old{$1} = 1 if m{^-- ==== (?:.*/)?(src/sql/[^/\s]+\.sql)\s*$};
}
close $oh;
die "$old_script names no module files\n" unless %old;

sub statements {
	my ($text) = @_;
	my @out;
	my $cur = '';
	my $depth = 0;    # BEGIN ATOMIC nesting
	my $case = 0;     # CASE ... END nesting inside it
	my $len = length $text;
	my $i = 0;
	while ($i < $len) {
		my $rest = substr($text, $i);
		if ($rest =~ /^--[^\n]*/) {
			$cur .= $&; $i += length $&; next;
		}
		if ($rest =~ m{^/\*.*?\*/}s) {
			$cur .= $&; $i += length $&; next;
		}
		if ($rest =~ /^\$([A-Za-z_][A-Za-z_0-9]*)?\$/) {
			my $tag = $&;
			my $end = index($text, $tag, $i + length $tag);
			die "unterminated dollar quote $tag\n" if $end < 0;
			$cur .= substr($text, $i, $end + length($tag) - $i);
			$i = $end + length $tag;
			next;
		}
		if ($rest =~ /^[Ee]'(?:[^'\\]|\\.|'')*'/s || $rest =~ /^'(?:[^']|'')*'/s
			|| $rest =~ /^"(?:[^"]|"")*"/s) {
			$cur .= $&; $i += length $&; next;
		}
		if ($rest =~ /^BEGIN\s+ATOMIC\b/i) {
			$depth++; $cur .= $&; $i += length $&; next;
		}
		if ($rest =~ /^[A-Za-z_][A-Za-z_0-9]*/) {
			my $word = uc $&;
			$cur .= $&; $i += length $&;
			if ($word eq 'CASE') { $case++; }
			elsif ($word eq 'END' && $case > 0) { $case--; }
			elsif ($word eq 'END' && $depth > 0) { $depth--; }
			next;
		}
		my $c = substr($text, $i, 1);
		$cur .= $c;
		$i++;
		if ($c eq ';' && $depth == 0) {
			push @out, $cur;
			$cur = '';
		}
	}
	push @out, $cur if $cur =~ /\S/;
	return @out;
}

# strip leading comments and blank lines, to see what a statement is
sub head {
	my ($s) = @_;
	1 while $s =~ s{^\s*--[^\n]*\n?}{} || $s =~ s{^\s*/\*.*?\*/}{}s;
	$s =~ s/^\s+//;
	return $s;
}

for my $f (@files) {
	(my $name = $f) =~ s{^.*?(src/sql/)}{$1};
	open(my $fh, '<', $f) or die "cannot read $f: $!\n";
	my $text = do { local $/; <$fh> };
	close $fh;
	my $whole = !$old{$name} || $text =~ /\A-- carry: whole\s*\n/;
	print "\n-- ==== $name", ($whole ? " (whole)" : " (re-runnable statements)"), "\n";
	if ($whole) {
		print $text;
		next;
	}
	for my $s (statements($text)) {
		my $h = head($s);
		next if $h eq '';
		if ($h =~ /^CREATE\s+(?:OR\s+REPLACE\s+)?(FUNCTION|PROCEDURE|VIEW|TRIGGER)\b/i) {
			$h =~ s/^CREATE\s+(?:OR\s+REPLACE\s+)?/CREATE OR REPLACE /i;
			print "\n", $h;
		}
		elsif ($h =~ /^INSERT\s+INTO\s+ptx\.policy_default\b/i)
		{
			if ($h !~ /\bON\s+CONFLICT\b/i)
			{
				$h =~ s/\s*;\s*\z//;
				$h .= "\nON CONFLICT (key) DO UPDATE\n"
				  . "   SET value = excluded.value, unit = excluded.unit, basis = excluded.basis,\n"
				  . "       description = excluded.description;\n";
			}
			print "\n", $h;
		}
		elsif ($h =~ /^(?:COMMENT\s+ON|GRANT|REVOKE)\b/i
			   || $h =~ /^SELECT\s+pg_catalog\.pg_extension_config_dump\s*\(/i) {
			print "\n", $h;
		}
	}
	print "\n";
}
