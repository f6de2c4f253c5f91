#!/usr/bin/env bash
# Unpacks the source of the installed nginx version into a tree, for the
# builds that need more than Debian's nginx-dev headers: the fuzz
# harnesses (fuzz/nginx.sh) and the static build (tools/static.sh).
# The source is Debian's own: the upstream tarball of the installed
# version, fetched by apt from the distribution's source index (kept in
# a private apt state under the build directory, the system's apt
# configuration is not touched).  NGX_SRC_TREE=<tree> copies a plain
# nginx source tree instead.
#
#   tools/nginx-source.sh <apt dir> <tree>
#
# The tarball stays in <apt dir>/src, so a second tree costs no download.
set -euo pipefail

apt=$1 tree=$2
mkdir -p "$apt"
apt=$(cd "$apt" && pwd)

rm -rf "$tree"

if [[ -n ${NGX_SRC_TREE:-} ]]; then
    cp -r "$NGX_SRC_TREE" "$tree"
    exit 0
fi

version=$(dpkg-query -W -f='${Version}' nginx-dev 2>/dev/null \
          || dpkg-query -W -f='${Version}' nginx)
upstream=${version%%-*}
upstream=${upstream#*:}
tarball=$apt/src/nginx_$upstream.orig.tar.gz

if [[ ! -f $tarball ]]; then
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" \
             "$apt/src" "$apt/parts"
    # the binary sources' suites, as deb-src
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] && sed 's/^Types:.*/Types: deb-src/' "$f"
        echo
    done >"$apt/parts/src.sources"
    grep -h '^deb ' /etc/apt/sources.list 2>/dev/null \
        | sed 's/^deb /deb-src /' >"$apt/src.list" || true
    [[ -s $apt/src.list ]] || echo >"$apt/src.list"
    opts=(-o "Dir::Etc::SourceList=$apt/src.list"
          -o "Dir::Etc::SourceParts=$apt/parts"
          -o "Dir::State::Lists=$apt/lists"
          -o "Dir::Cache=$apt/cache"
          -o "APT::Sandbox::User=root")
    apt-get -qq "${opts[@]}" update
    (cd "$apt/src" && apt-get -qq "${opts[@]}" source \
        --download-only --tar-only nginx >/dev/null)
fi

[[ -f $tarball ]] || { echo "nginx-source: no $tarball" >&2; exit 1; }
mkdir -p "$tree"
tar -xzf "$tarball" -C "$tree" --strip-components=1
