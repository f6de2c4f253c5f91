#!/usr/bin/env bash
# Builds nginx from source with the fuzzing flags, so that the module's
# harness links nginx's own pool, string, argument and list functions
# rather than fakes of them.  Debian's nginx-dev ships headers only, so
# the source is Debian's own, unpacked by tools/nginx-source.sh.
# NGX_FUZZ_SRC=<tree> uses a plain nginx source tree instead.
#
#   fuzz/nginx.sh <build dir> <cc> <cflags> <ldflags>
#
# Leaves nginx's objects in <build dir>/nginx/objs/src/, and
# <build dir>/nginx/.done when complete.  The module is not configured
# in: the Makefile compiles its sources against this tree's headers
# with the harnesses, so a harness can include a source file to reach
# its static functions without a second definition of the rest.
set -euo pipefail

out=$1 cc=$2 cflags=$3 ldflags=$4
mkdir -p "$out"
out=$(cd "$out" && pwd)
tree=$out/nginx

[[ -f $tree/.done ]] && exit 0

NGX_SRC_TREE=${NGX_FUZZ_SRC:-} \
    "$(dirname "$0")/../tools/nginx-source.sh" "$out/apt" "$tree"

cd "$tree"
conf=./configure; [[ -x $conf ]] || conf=./auto/configure
# what the module needs and no more: threads and PCRE as in Debian's
# build (regex locations), no modules that need other libraries
$conf --with-compat --with-threads --with-pcre --with-debug \
    --without-http_gzip_module --without-http_rewrite_module \
    --with-cc="$cc" --with-cc-opt="$cflags" --with-ld-opt="$ldflags" \
    >configure.log 2>&1 \
    || { tail -30 configure.log; exit 1; }
make -f objs/Makefile -j"${FUZZ_MAKE_JOBS:-2}" >make.log 2>&1 \
    || { tail -30 make.log; exit 1; }
touch .done
