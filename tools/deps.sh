#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the build, the images and the tests
# need, when any is missing.  Needs root for apt-get; does nothing when
# everything is already there.
set -euo pipefail

packages=(
    build-essential pkg-config
    nginx nginx-dev
    libjansson-dev libcurl4-openssl-dev libpcre2-dev libssl-dev
    libcmocka-dev
    clang libclang-rt-dev
    docker.io debootstrap jq curl procps python3 wrk
    libtest-base-perl libtext-diff-perl liblist-moreutils-perl
    liburi-perl libwww-perl libipc-run-perl
    debhelper dpkg-dev lintian systemd
    nodejs npm chromium
)

# A package whose command another package already provides is not
# needed: Node.js from elsewhere (e.g. nodesource) bundles npm, and
# Debian's npm cannot be installed beside it.
declare -A command_of=([nodejs]=node [npm]=npm)

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] && continue
    [[ -n ${command_of[$p]:-} ]] && command -v "${command_of[$p]}" \
        >/dev/null && continue
    missing+=("$p")
done

[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
    echo "deps: missing packages (run as root to install):" \
         "${missing[*]}" >&2
    exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# The nginx package must not start a system nginx on port 80.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
