#!/usr/bin/env bash
# The playground in a real browser (t/browser/playground.mjs): starts a
# runner and nginx serving the API and /playground/, installs
# puppeteer-core into build/browser (from npm, at test time, never
# committed) when it is not there, and drives Debian's headless Chromium
# against them.  Screenshots land in build/browser/.
#
#   SBX_BROWSER_PORT=port   nginx's port (default 19741)
#   CHROMIUM=path           the browser (default /usr/bin/chromium)
set -euo pipefail
cd "$(dirname "$0")/.."

top=$PWD
dir=$top/build/browser
port=${SBX_BROWSER_PORT:-19741}
tag=browser
# puppeteer-core 23 is the last line that runs on Debian 12's Node 18/20
puppeteer=puppeteer-core@23.11.1

export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

if [[ ! -x $CHROMIUM ]]; then
    echo "browser: no $CHROMIUM (tools/deps.sh installs Debian's chromium)" >&2
    exit 1
fi

mkdir -p "$dir"

if [[ ! -d $dir/node_modules/puppeteer-core ]]; then
    echo "browser: npm install $puppeteer into $dir"
    npm install --prefix "$dir" --no-audit --no-fund --no-save \
        --loglevel=error "$puppeteer" >"$dir/npm.log" 2>&1 \
        || { tail -20 "$dir/npm.log" >&2; exit 1; }
fi

rm -rf "$dir/run"
mkdir -p "$dir/run/state"

. tools/runner.sh

nginx_pid=
stop() {
    [[ -n $nginx_pid ]] && kill -QUIT "$nginx_pid" 2>/dev/null || true
    [[ -n ${runner_pid:-} ]] && kill -TERM "$runner_pid" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap stop EXIT

uid_base=$((100000 + $(printf '%s' "$tag" | cksum | cut -d' ' -f1) % 500 * 1000))

runner_start "$tag" "$dir/run/runner.sock" "$dir/run/state" \
    --log-file "$dir/run/runner.log" --uid-base "$uid_base" \
    --uid-count 50 || exit 1

# the workers read the page and the runner's socket as this user
user=
[[ $(id -u) -eq 0 ]] && user='user root;'

cat >"$dir/run/nginx.conf" <<EOF
load_module $top/build/ngx_http_sandbox_module.so;
$user
worker_processes 1;
error_log $dir/run/error.log info;
pid $dir/run/nginx.pid;
events { worker_connections 256; }
http {
    access_log $dir/run/access.log;
    upstream runner {
        server unix:$dir/run/runner.sock;
        keepalive 4;
    }
    server {
        listen 127.0.0.1:$port;
        location / {
            sandbox_pass runner;
            sandbox_read_timeout 120s;
        }
        location /playground/ {
            root $top;
            types {
                text/html html; text/css css; text/javascript js;
                image/svg+xml svg;
            }
            default_type application/octet-stream;
            charset utf-8;
            charset_types text/css text/javascript;
            add_header Content-Security-Policy "default-src 'self'";
        }
    }
}
EOF

"${NGINX:-/usr/sbin/nginx}" -p "$dir/run/" -c "$dir/run/nginx.conf" \
    -g 'daemon off;' &
nginx_pid=$!

for _ in $(seq 1 50); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/health" && break
    sleep 0.1
done

rc=0
SBX_BROWSER_MODULES=$dir/node_modules \
    node t/browser/playground.mjs "http://127.0.0.1:$port" "$dir" || rc=$?

stop
trap - EXIT

left=$(docker ps -a --filter label=org.sandbox.runner \
           --format '{{.Label "org.sandbox.runner"}}' | grep -c "^$tag" \
       || true)
if [[ $left -ne 0 ]]; then
    echo "browser: $left containers left behind" >&2
    rc=1
fi

exit $rc
