#!/usr/bin/env bash
# deb.sh: builds the Debian packages (debian/) with dpkg-buildpackage and
# checks them with lintian, in build/deb/:
#
#   libnginx-mod-http-sandbox_<version>_<arch>.deb
#   sandbox-runner_<version>_<arch>.deb
#   lintian.txt     lintian's output; an error fails the build
#
# What the packages are built from is copied to build/deb/src first (the
# files git knows under the paths below, plus new ones it does not
# ignore), so dpkg-buildpackage's output, which goes to the parent
# directory, and debian/'s scratch directories stay out of the work tree.
# Cached: the packages are built again only when a file of the copy, or
# the nginx-dev they build against, has changed (not for t/, tools/ or
# docs/).
#
# Environment: DEB_BUILD_OPTIONS (nocheck skips the unit tests).
set -euo pipefail
cd "$(dirname "$0")/.."

out=build/deb
mkdir -p "$out"

# everything make build, unit and install read
paths=(Makefile config README.md common ngx_http_sandbox_module runner dist
       debian)

files() {
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files -z --cached --others --exclude-standard -- \
            "${paths[@]}" |
            while IFS= read -r -d '' f; do
                [[ -e $f || -L $f ]] && printf '%s\0' "$f"
            done
    else
        find "${paths[@]}" \( -type f -o -type l \) -print0
    fi | sort -z
}

key=$( { files | tr '\0' '\n'
         files | xargs -0 sha256sum
         dpkg-query -W -f='${Version}\n' nginx-dev; } | sha256sum | cut -c1-16)

version=$(dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
debs=("$out/libnginx-mod-http-sandbox_${version}_$arch.deb"
      "$out/sandbox-runner_${version}_$arch.deb")

if [[ -f $out/.key && $(cat "$out/.key") == "$key" && -f ${debs[0]} &&
      -f ${debs[1]} ]]; then
    echo "deb: up to date ($key): ${debs[*]}"
    exit 0
fi

rm -f "$out/.key" "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
rm -rf "$out/src"
src=$out/src/ngx-http-sandbox-$version
mkdir -p "$src"
files | tar --null -T - -cf - | tar -C "$src" -xf -

start=$SECONDS
echo "deb: dpkg-buildpackage (log: $out/build.log)"
if ! (cd "$src" && dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1
then
    tail -30 "$out/build.log" >&2
    echo "deb: dpkg-buildpackage failed" >&2
    exit 1
fi
mv "$out"/src/*.deb "$out"/src/*.changes "$out"/src/*.buildinfo "$out/"
rm -rf "$out/src"

echo "deb: lintian"
rc=0
lintian --display-info "$out"/*.changes \
    >"$out/lintian.txt" 2>&1 || rc=$?
sed 's/^/  /' "$out/lintian.txt"
if ((rc != 0)) || grep -q '^E: ' "$out/lintian.txt"; then
    echo "deb: lintian reports errors" >&2
    exit 1
fi

echo "$key" >"$out/.key"
echo "deb: built in $((SECONDS - start))s: ${debs[*]}"
