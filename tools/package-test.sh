#!/usr/bin/env bash
# package-test.sh: the Debian packages, installed as an operator would.
#
#   1. make deb (tools/deb.sh: cached, lintian-checked);
#   1b. make install into a DESTDIR: the config file and the units name
#      files it installed;
#   2. on this host, systemd-analyze verify accepts the packaged units
#      (their own programs, from the .deb, in place of the installed ones);
#   3. in a throwaway container of sbx/server (runner/images/server.recipe:
#      the project's Debian base with nginx and the packages' dependencies,
#      built like the language images and cached the same way; containers
#      have no network), dpkg -i both packages, then:
#        - the module is enabled in /etc/nginx/modules-enabled and
#          nginx -t passes with it and the shipped site (sandbox_pass);
#        - sandbox-runner --version, with and without the shipped config;
#        - the users exist and the runner's unit is enabled;
#        - systemd-analyze verify accepts the units as installed;
#        - logrotate accepts the snippet;
#        - the runner starts as its unit would (its user, its three
#          capabilities, the shipped config), nginx starts with the
#          module, and GET /languages through nginx answers the table.
#
# The sandbox's engine (tools/dockerd.sh) runs the container.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOCKER_HOST=unix://${SBX_DOCKER_SOCKET:-/run/sandbox-docker.sock}
t0=$SECONDS

step() { printf 'package-test: %s\n' "$*"; }

# make test has run the unit tests already
DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-nocheck} tools/deb.sh
runner/images/build.sh server

version=$(dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
mod=build/deb/libnginx-mod-http-sandbox_${version}_$arch.deb
run=build/deb/sandbox-runner_${version}_$arch.deb

tmp=$(mktemp -d "$PWD/build/deb/test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- the units, on the host ---------------------------------------------

dpkg-deb -x "$run" "$tmp/root"
mkdir "$tmp/units"
for u in sandbox-runner.service sandbox-docker.service; do
    sed -e "s|=/usr/sbin/sandbox-runner|=$tmp/root/usr/sbin/sandbox-runner|" \
        -e "s|=/usr/lib/sandbox-runner/|=$tmp/root/usr/lib/sandbox-runner/|" \
        "$tmp/root/lib/systemd/system/$u" >"$tmp/units/$u"
done
step "systemd-analyze verify (host):" \
     "sandbox-runner.service sandbox-docker.service"
if ! out=$(systemd-analyze verify "$tmp/units/sandbox-runner.service" \
               "$tmp/units/sandbox-docker.service" 2>&1) || [[ -n $out ]]
then
    printf '%s\n' "$out" >&2
    echo "package-test: systemd-analyze verify failed" >&2
    exit 1
fi
step "systemd-analyze verify: ok"

# --- make install: the config and the units name what it installed ----

step "make install DESTDIR=… (PREFIX=/usr/local)"
make -s install DESTDIR="$tmp/destdir" >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log" >&2; exit 1; }
conf=$tmp/destdir/etc/sandbox-runner/sandbox-runner.json
for key in languages seccomp_profile init; do
    path=$(jq -r ".$key" "$conf")
    [[ -f $tmp/destdir$path ]] ||
        { echo "package-test: $key: $path is not installed" >&2; exit 1; }
    echo "  $key: $path"
done
for path in $(sed -n 's/^ExecStart[A-Za-z]*=\([^ ]*\).*/\1/p' \
                  "$tmp"/destdir/usr/local/lib/systemd/system/*.service); do
    [[ -x $tmp/destdir$path || $path == /usr/sbin/dockerd ]] ||
        { echo "package-test: $path is not installed" >&2; exit 1; }
    echo "  unit: $path"
done

# --- the packages, installed --------------------------------------------

cp "$mod" "$run" dist/nginx-sandbox.conf "$tmp/"
cat >"$tmp/test.sh" <<'SCRIPT'
set -euo pipefail
in=/tmp/in
fail() { echo "FAIL: $*"; exit 1; }
say() { echo "\$ $*"; }

# no service may start in a container (as in a chroot)
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d
# the image is cleaned of /var/log's contents; a server has nginx's
mkdir -p /var/log/nginx

say dpkg -i libnginx-mod-http-sandbox.deb sandbox-runner.deb
dpkg -i "$in"/*.deb >"$in/dpkg.log" 2>&1 || { cat "$in/dpkg.log"; fail dpkg; }
grep -E '^(Setting up|Creating|Created)' "$in/dpkg.log" | sed 's/^/  /'

say ls -l /etc/nginx/modules-enabled
ls -l /etc/nginx/modules-enabled | sed 's/^/  /'
link=/etc/nginx/modules-enabled/50-mod-http-sandbox.conf
avail=/usr/share/nginx/modules-available/mod-http-sandbox.conf
[[ $(readlink "$link") == "$avail" ]] || fail "$link"
say cat "$link"
sed 's/^/  /' "$link"

cp "$in/nginx-sandbox.conf" /etc/nginx/conf.d/sandbox.conf
say nginx -t
nginx -t 2>&1 | sed 's/^/  /'
nginx -t >/dev/null 2>&1 || fail "nginx -t"

say sandbox-runner --version
sandbox-runner --version | sed 's/^/  /'
conf=/etc/sandbox-runner/sandbox-runner.json
say sandbox-runner --config $conf --version
sandbox-runner --config $conf --version | sed 's/^/  /'

say id sandbox-runner, sandbox-remap
id sandbox-runner | sed 's/^/  /'
id sandbox-remap | sed 's/^/  /'
[[ -L /etc/systemd/system/multi-user.target.wants/sandbox-runner.service ]] ||
    fail "sandbox-runner.service is not enabled"
echo "  sandbox-runner.service enabled"

say systemd-analyze verify sandbox-runner.service sandbox-docker.service
out=$(systemd-analyze verify /lib/systemd/system/sandbox-runner.service \
          /lib/systemd/system/sandbox-docker.service 2>&1) || {
    echo "$out"; fail "systemd-analyze verify"; }
[[ -z $out ]] || { echo "$out"; fail "systemd-analyze verify: $out"; }
echo "  ok"

say logrotate -d /etc/logrotate.d/sandbox-runner
mkdir -p /var/log/sandbox-runner
out=$(logrotate -d -f /etc/logrotate.d/sandbox-runner 2>&1) ||
    { echo "$out"; fail logrotate; }
! grep -qi error <<<"$out" || { echo "$out"; fail logrotate; }
echo "  ok"

# what the unit's RuntimeDirectory=, StateDirectory= and LogsDirectory=
# make, then the runner as the unit runs it (no CAP_SYS_ADMIN in a
# container: the runner warns and keeps its FIFOs on the disk)
for d in /run/sandbox-runner:0755 /var/lib/sandbox-runner:0700 \
         /var/log/sandbox-runner:0750; do
    install -d -o sandbox-runner -g sandbox-runner -m "${d#*:}" "${d%%:*}"
done
say sandbox-runner --config $conf "(as the unit: user sandbox-runner)"
caps=+chown,+mknod
(umask 027; exec setpriv --reuid=sandbox-runner --regid=sandbox-runner \
    --init-groups --inh-caps=$caps --ambient-caps=$caps --no-new-privs \
    sandbox-runner --config $conf) &
sock=/run/sandbox-runner/sandbox-runner.sock
for _ in $(seq 1 100); do [[ -S $sock ]] && break; sleep 0.1; done
log=/var/log/sandbox-runner/sandbox-runner.log
sed 's/^/  /' $log
[[ -S $sock ]] || fail "no socket $sock"
ls -l $sock | sed 's/^/  /'

say nginx
nginx
say GET /languages
exec 3<>/dev/tcp/127.0.0.1/8080
printf 'GET /languages HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
reply=$(cat <&3)
head -1 <<<"$reply" | sed 's/^/  /'
tail -1 <<<"$reply" | cut -c1-120 | sed 's/^/  /; s/$/…/'
[[ $(head -1 <<<"$reply") == *" 200 "* ]] ||
    { echo "$reply"; fail "GET /languages"; }
grep -q '"id":"python"' <<<"$reply" || fail "GET /languages: no python"
nginx -s stop 2>/dev/null
echo PASS
SCRIPT

name=sbx-package-test-$$
step "docker run sbx/server: install both packages"
rc=0
tar -C "$tmp" -cf - "${mod##*/}" "${run##*/}" nginx-sandbox.conf test.sh |
    timeout 120 docker run --rm -i --network none --name "$name" \
        sbx/server:latest bash -c \
        'mkdir /tmp/in && tar -C /tmp/in -xf - && bash /tmp/in/test.sh' |
    sed 's/^/  /' | tee "$tmp/out" || rc=$?
if ((rc != 0)) || [[ $(tail -1 "$tmp/out") != "  PASS" ]]; then
    docker rm -f "$name" >/dev/null 2>&1 || true
    echo "package-test: FAILED" >&2
    exit 1
fi
step "passed in $((SECONDS - t0))s"
