#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tls.sh DIR: create a throw-away test CA and a localhost server certificate.
#
# Writes DIR/ca.crt, DIR/ca.key, DIR/server.crt, DIR/server.key (signed by
# ca.crt, SAN DNS:localhost + IP:127.0.0.1, serverAuth) and DIR/bad-ca.crt
# (+ bad-ca.key), an unrelated CA for "wrong certificate" tests.
# Does nothing when ca.crt, server.crt and server.key already exist.
# All keys are EC P-256, mode 0600; certificates are 0644.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
dir=$1

if [ -f "$dir/ca.crt" ] && [ -f "$dir/server.crt" ] && [ -f "$dir/server.key" ]; then
	exit 0
fi

mkdir -p "$dir"
work=$(mktemp -d "$dir/.tls.XXXXXX")
trap 'rm -rf "$work"' EXIT
umask 077

days=825

# make_ca NAME CN: self-signed CA certificate and key in $work.
make_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -sha256 -days "$days" \
		-subj "/O=mautic-wp tests/CN=$2" \
		-keyout "$work/$1.key" -out "$work/$1.crt" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-addext "subjectKeyIdentifier=hash" 2>/dev/null
}

make_ca ca "mautic-wp test CA"
make_ca bad-ca "mautic-wp unrelated CA"

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-subj "/O=mautic-wp tests/CN=localhost" \
	-keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null

cat >"$work/server.ext" <<'EOF'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOF

openssl x509 -req -sha256 -days "$days" -in "$work/server.csr" \
	-CA "$work/ca.crt" -CAkey "$work/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
	-extfile "$work/server.ext" -out "$work/server.crt" 2>/dev/null

openssl verify -CAfile "$work/ca.crt" "$work/server.crt" >/dev/null

chmod 0644 "$work/ca.crt" "$work/bad-ca.crt" "$work/server.crt"
chmod 0600 "$work/ca.key" "$work/bad-ca.key" "$work/server.key"

# Keys first, certificates last: the existence check above keys on the certs.
for f in ca.key bad-ca.key bad-ca.crt server.key ca.crt server.crt; do
	mv -f "$work/$f" "$dir/$f"
done
