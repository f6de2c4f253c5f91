package Sbx::Languages;

# The language table for the suites that go through every language
# (t/010-languages.t, t/014-languages-compiled.t): runner/languages.json
# as the runner reads it, the requests such suites send, and the check
# that no language of the table lacks its blocks.
#
#   --- request eval
#   main::submission(language => 'c', files => <<'TXTAR')
#   -- main.c --
#   …
#   TXTAR
#
# "files" may be a txtar text ("-- name --" lines) and "tests" =>
# 'greetings' sends @Greetings; $Greeted checks what they answer.
# with_version(ID, TEXT) puts the table's version of ID into a
# --- response_json text where it says {version}.
#
# After run_tests(), each_language_has(KIND => PREDICATE, …) is one test
# per language and kind: some block sends that language and has a
# --- response_json text the predicate accepts.

use strict;
use warnings;

use Exporter 'import';
use JSON::PP ();
use Sbx::Test ();

our @EXPORT = qw(%Lang @Greetings $Greeted submission with_version);

# The languages t/010-languages.t and t/014-languages-compiled.t write
# by hand, block by block (the design's first set); every language of
# the table, these too, goes through t/022-languages-all.t.
our %Core = map { $_ => 1 } qw(python c cpp java kotlin javascript
    typescript go rust ruby php bash perl lua haskell csharp);

my $json = JSON::PP->new->canonical;

# id (and alias) => the table's entry
our %Lang;

{
    my $file = "$Sbx::Test::Top/runner/languages.json";
    open my $fh, '<', $file or die "$file: $!";
    my $table = JSON::PP->new->decode(do { local $/; <$fh> });

    for my $l (@{ $table->{languages} }) {
        $Lang{$_} = $l for $l->{id}, @{ $l->{aliases} || [] };
    }
}

# The greeting tests every language runs: stdin, and what a correct
# program prints.  The last has no final newline and a non-ASCII name.
our @Greetings = (
    ["world\n",        "hello, world\n"],
    ["Ada Lovelace\n", "hello, Ada Lovelace\n"],
    ["Zoë",            "hello, Zoë\n"],
);

# What a greeting block checks: every test accepted, with its output.
our $Greeted = join '', qq{status: "accepted"\n},
    map({ my $out = $json->encode($Greetings[$_][1]);
          qq{tests.$_.status: "accepted"\ntests.$_.stdout: $out\n} }
        0 .. $#Greetings),
    'tests.' . @Greetings . " !\n";

# POST /submissions with these fields.
sub submission {
    my %sub = @_;

    if (defined $sub{files} && !ref $sub{files}) {
        my @parts = split /^-- (\S+) --\n/m, $sub{files};
        shift @parts;
        my @files;
        while (my ($name, $content) = splice @parts, 0, 2) {
            push @files, { name => $name, content => $content };
        }
        $sub{files} = \@files;
    }

    if (($sub{tests} // '') eq 'greetings') {
        $sub{tests} = [ map { { stdin => $_->[0], expected_output => $_->[1] } }
                        @Greetings ];
    }

    return Sbx::Test::submit(%sub);
}

# A --- response_json text with {version} replaced by the table's version
# of the language: as is after "path:", regex-quoted after "path =~".
sub with_version {
    my ($id, $text) = @_;
    my $v = $Lang{$id}{version} // die "no language $id";

    return join "\n", map {
        my $line = $_;
        my $q = $line =~ /^\s*\S+?\s*[=!]~/ ? quotemeta $v : $v;
        $line =~ s/\{version\}/$q/g;
        $line;
    } split /\n/, $text;
}

# each_language_has(KIND => PREDICATE, …, only => sub { $_[0]{compile} }):
# for every language of %Core (that "only" keeps), one test per kind
# that some block sends it and checks what PREDICATE accepts.
sub each_language_has {
    my %kinds = @_;
    my $only = delete $kinds{only} // sub { 1 };
    my %covered;

    for my $block (Test::Base::blocks()) {
        my $checks = $block->response_json;
        my ($body) = ($block->request // '') =~ /^POST \S+\n(.*)/s;
        next unless defined $checks && !ref $checks && defined $body;

        my $lang = $Lang{ $json->decode($body)->{language} } or next;

        for my $kind (keys %kinds) {
            $covered{$kind}{ $lang->{id} } = 1 if $kinds{$kind}->($checks);
        }
    }

    my %ids = map { $_->{id} => 1 }
              grep { $Core{ $_->{id} } && $only->($_) } values %Lang;

    for my $id (sort keys %ids) {
        for my $kind (sort keys %kinds) {
            Test::More::ok($covered{$kind}{$id}, "$0 - $id has $kind");
        }
    }
}

1;
