#!/usr/bin/env bash
# Builds nginx from source with the fuzzing flags, so that the module's
# harness links nginx's own pool, string, argument and list functions
# rather than fakes of them.  Debian's nginx-dev ships headers only, so
# the source is Debian's own: the upstream tarball of the installed
# nginx version, fetched by apt from the distribution's source index
# (kept in a private apt state under the build directory, the system's
# apt configuration is not touched).  NGX_FUZZ_SRC=<tree> uses a plain
# nginx source tree instead.
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
rm -rf "$tree"

if [[ -n ${NGX_FUZZ_SRC:-} ]]; then
    cp -r "$NGX_FUZZ_SRC" "$tree"
else
    version=$(dpkg-query -W -f='${Version}' nginx-dev 2>/dev/null \
              || dpkg-query -W -f='${Version}' nginx)
    upstream=${version%%-*}
    upstream=${upstream#*:}
    tarball=$out/apt/src/nginx_$upstream.orig.tar.gz

    if [[ ! -f $tarball ]]; then
        apt=$out/apt
        mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" \
                 "$apt/src"
        # the binary sources' suites, as deb-src
        for f in /etc/apt/sources.list.d/*.sources; do
            [[ -f $f ]] && sed 's/^Types:.*/Types: deb-src/' "$f"
            echo
        done >"$apt/src.sources"
        grep -h '^deb ' /etc/apt/sources.list 2>/dev/null \
            | sed 's/^deb /deb-src /' >"$apt/src.list" || true
        [[ -s $apt/src.list ]] || echo >"$apt/src.list"
        opts=(-o "Dir::Etc::SourceList=$apt/src.list"
              -o "Dir::Etc::SourceParts=$apt/parts"
              -o "Dir::State::Lists=$apt/lists"
              -o "Dir::Cache=$apt/cache"
              -o "APT::Sandbox::User=root")
        mkdir -p "$apt/parts"
        cp "$apt/src.sources" "$apt/parts/src.sources"
        apt-get -qq "${opts[@]}" update
        (cd "$apt/src" && apt-get -qq "${opts[@]}" source \
            --download-only --tar-only nginx >/dev/null)
    fi

    [[ -f $tarball ]] || { echo "fuzz: no $tarball" >&2; exit 1; }
    mkdir -p "$tree"
    tar -xzf "$tarball" -C "$tree" --strip-components=1
fi

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
