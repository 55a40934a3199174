#!/usr/bin/env bash
# Installs the Debian packages the tests drive for real (DNS servers, minisign, Postfix, Chromium,
# Python's email test corpus from libpython3.11-testsuite, aiosmtpd as a real SMTP server, openssl
# for self-signed trial certificates),
# only those missing. Needs root (or sudo). Starts nothing: each test starts what it needs on 127.0.0.1.
set -euo pipefail
packages=(rbldnsd nsd knot knot-dnsutils knot-dnssecutils bind9-dnsutils minisign postfix swaks chromium sqlite3 time iproute2 fonts-dejavu-core libpython3.11-testsuite python3-aiosmtpd openssl)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "system packages: installing ${missing[*]}"
# Postfix asks a question on install; answer it the way a throw-away test instance needs.
echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
