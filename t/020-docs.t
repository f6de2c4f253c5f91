# The documentation says what the code does: the README's language table
# is the one runner/languages.json gives, every directive and runner flag
# is documented, and docs/architecture.md names the files and functions
# there are.  (No nginx here: plain Test::More.)

use strict;
use warnings;

use Test::More;
use File::Basename ();

my $top = File::Basename::dirname(__FILE__) . '/..';

sub slurp { open my $fh, '<', shift or die "$!\n"; local $/; <$fh> }

my $readme = slurp("$top/README.md");

my ($table) = $readme =~ /<!-- languages -->\n(.*?)<!-- \/languages -->/s;
is($table, scalar `$top/tools/languages-table`,
   'the README language table matches runner/languages.json '
   . '(tools/languages-table --update)');

# the directives of both modules (the filter module's are in its file)
my $module = join '', map { slurp($_) }
                      glob("$top/ngx_http_sandbox_module/*.c");
my %vars = map { $_ => 1 } qw(sandbox_id sandbox_status sandbox_language
                                sandbox_route sandbox_runner);
my @directives = grep { !$vars{$_} }
                 $module =~ /ngx_string\("(sandbox_\w+)"\)/g;

ok(@directives >= 10, 'directives found in the module');

for my $d (@directives) {
    like($readme, qr/`\Q$d\E[ ;`]/, "README documents $d");
}

for my $v (sort keys %vars) {
    like($module, qr/"\Q$v\E"/, "the module has \$$v");
    like($readme, qr/\$\Q$v\E/, "README documents \$$v");
}

my @flags = map { /^\s+--([\w-]+)/ ? $1 : () }
            split /\n/, scalar `$top/build/sandbox-runner --help`;

ok(@flags >= 15, 'runner flags found in --help');

for my $f (@flags) {
    like($readme, qr/--\Q$f\E\b/, "README documents --$f");
}

# docs/architecture.md: every file and function it names exists, and it
# names every source file of the three programs
my $arch = slurp("$top/docs/architecture.md");
my $src = '{common,runner/src,runner/init,ngx_http_sandbox_module}/*.c';
my %named = map { $_ => 1 }
    $arch =~ m{`((?:common|runner|ngx_http_sandbox_module)/[\w/.-]+)`}g;

for my $f (sort keys %named) {
    ok(-e "$top/$f", "docs/architecture.md: $f exists");
}

for my $f (map { s{^\Q$top\E/}{}r } glob("$top/$src")) {
    ok($named{$f}, "docs/architecture.md names $f");
}

my $code = join '', map { slurp($_) } glob("$top/$src");
my %fns = map { $_ => 1 } $arch =~ /`(\w+)\(\)`/g;

for my $fn (sort keys %fns) {
    like($code, qr/^\Q$fn\E\(/m, "docs/architecture.md: $fn() is defined");
}

done_testing();
