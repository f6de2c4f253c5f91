package Sbx::Hostile;

# What the hostile-program suites (t/013-hostile-*.t) share: every hostile
# run is followed by an ordinary program in the same language, which must
# run normally; a block sends the pair and checks both answers.  After
# each answer, no container of the runner and no process under a sandbox
# uid may be left: Sbx::Hostile::blocks() checks that in every block.
#
#   --- request eval
#   main::then_normal(language => "c", source => $bomb, limits => { … })
#   --- response_json eval
#   main::then_ok(<<'_J_')        # checks of the hostile run's answer
#   status: "time_limit_exceeded"
#   _J_
#   --- json_ok eval
#   main::hostile_ok(sub { $_[0]{time_ms} >= 700 })

use strict;
use warnings;

use Exporter 'import';
use Sbx::Test ();

our @EXPORT = qw(then_normal then_ok hostile_ok);

our %NORMAL = (
    python     => "print('next run ok')",
    c          => "#include <stdio.h>\n"
                  . "int main(void) { puts(\"next run ok\"); return 0; }\n",
    javascript => "console.log('next run ok')",
    java       => "public class Main {\n"
                  . "    public static void main(String[] args) {\n"
                  . "        System.out.println(\"next run ok\");\n"
                  . "    }\n"
                  . "}\n",
    bash       => "echo next run ok",
    go         => "package main\n\nimport \"fmt\"\n\n"
                  . "func main() { fmt.Println(\"next run ok\") }\n",
    ruby       => "puts 'next run ok'",
);

our $NEXT_OK = <<'_J_';
status: "accepted"
stdout: "next run ok\n"
stderr: ""
_J_

# The usual blocks (Sbx::Test::blocks), each a pair of requests answered
# 200 and followed by the checks that the host is clean.
sub blocks {
    Sbx::Test::blocks(timeout => 90, sections => {
        error_code      => [200, 200],
        containers_left => 0,
        host_clean      => 1,
    });
}

# The hostile submission, then the ordinary one in the same language.
sub then_normal {
    my %sub = @_;
    return [Sbx::Test::submit(%sub),
            Sbx::Test::submit(language => $sub{language},
                              source => $NORMAL{$sub{language}})];
}

# --- response_json for such a pair: these checks, then $NEXT_OK.
sub then_ok {
    return [shift, $NEXT_OK];
}

# --- json_ok for such a pair: the predicate judges the hostile run's
# answer (the ordinary run's is fully checked by --- response_json).
sub hostile_ok {
    my $pred = shift;
    return sub {
        my $r = shift;
        return 1 if ($r->{stdout} // '') eq "next run ok\n";
        return $pred->($r);
    };
}

1;
