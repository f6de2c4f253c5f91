#!/usr/bin/env bash
# A test CA and the certificates between nginx and sandbox-runner over
# TCP: one server certificate for the runners, one client certificate
# for nginx, both signed by the CA.  For tests and first set-ups; a site
# with its own PKI issues these from it instead.
#
#   tools/certs.sh DIR [NAME…]
#
# DIR receives ca.crt (give it to nginx as sandbox_ssl_trusted_certificate
# and to every runner as --tls-client-ca), ca.key, runner.crt/.key (each
# runner's --tls-certificate/--tls-certificate-key; its names are
# "localhost", 127.0.0.1, ::1 and every NAME, a host name or an IP
# address), nginx.crt/.key (sandbox_ssl_certificate/_key).  Keys are
# mode 0600.  Existing files are kept; remove DIR to start over.
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 DIR [NAME…]" >&2
    exit 2
fi

dir=$1
shift
days=825

mkdir -p "$dir"
umask 077

san="DNS:localhost,IP:127.0.0.1,IP:::1"
for name in "$@"; do
    if [[ $name =~ ^[0-9.]+$ || $name == *:* ]]; then
        san+=",IP:$name"
    else
        san+=",DNS:$name"
    fi
done

# key NAME: an EC P-256 key
key() {
    [[ -f $dir/$1.key ]] && return 0
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
        -out "$dir/$1.key"
}

# cert NAME SUBJECT EXTENSIONS…: a certificate of NAME.key, signed by the CA
cert() {
    local name=$1 subject=$2 ext
    shift 2
    [[ -f $dir/$name.crt ]] && return 0

    ext=$(mktemp)
    printf '%s\n' "$@" >"$ext"

    openssl req -new -key "$dir/$name.key" -subj "$subject" \
        -out "$dir/$name.csr"
    openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" \
        -CAkey "$dir/ca.key" -CAcreateserial -days "$days" -sha256 \
        -extfile "$ext" -out "$dir/$name.crt" 2>/dev/null
    rm -f "$ext" "$dir/$name.csr"
}

key ca
if [[ ! -f $dir/ca.crt ]]; then
    openssl req -new -x509 -key "$dir/ca.key" -days "$days" -sha256 \
        -subj "/CN=sandbox test CA $(date +%s)" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out "$dir/ca.crt"
fi

key runner
cert runner "/CN=sandbox-runner" \
    "basicConstraints=CA:FALSE" \
    "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=serverAuth" \
    "subjectAltName=$san"

key nginx
cert nginx "/CN=nginx" \
    "basicConstraints=CA:FALSE" \
    "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=clientAuth"

chmod 0644 "$dir"/*.crt
echo "certificates in $dir"
