# docs/testing.md shows t/050-test-double.t whole: every fenced block
# after a "<!-- t/050-test-double.t -->" line, in order, joined by one
# blank line, is the file.  Users copy those examples; this keeps them
# the ones make test runs.  (No nginx here: plain Test::More.)

use strict;
use warnings;

use Test::More;
use File::Basename ();

my $top = File::Basename::dirname(__FILE__) . '/..';

sub slurp { open my $fh, '<', shift or die "$!\n"; local $/; <$fh> }

my $doc = slurp("$top/docs/testing.md");
my $file = slurp("$top/t/050-test-double.t");

my @blocks = $doc =~ /^<!-- t\/050-test-double\.t -->\n```\w*\n(.*?)^```$/msg;

ok(@blocks > 10, 'docs/testing.md has the blocks of t/050-test-double.t');

# block by block first, so that a failure names the block
my ($prelude, @tests) = split /^(?==== TEST )/m, $file;
my @file = ($prelude, @tests);
s/\n\n\z/\n/ for @file;

is(scalar @blocks, scalar @file, 'as many blocks in the doc as in the file');

for my $i (0 .. $#file) {
    my ($name) = ($file[$i] =~ /^(=== TEST [^\n]*)/m);
    is($blocks[$i], $file[$i], 'docs/testing.md shows '
                               . ($name // 'the opening of the file'));
}

is(join("\n", @blocks), $file, 'the doc shows the file, all of it');

done_testing();
