#!/usr/bin/env bash
# Installs LXD 5.0 (Debian) and Incus 6.0 (bookworm-backports) when they are missing.
# Needs root on Debian; prints what it does. Idempotent.
set -euo pipefail
need_lxd=0; need_incus=0
command -v lxd >/dev/null 2>&1 && command -v lxc >/dev/null 2>&1 || need_lxd=1
{ [ -x /usr/libexec/incus/incusd ] && command -v incus >/dev/null 2>&1; } || need_incus=1
if [ "$need_lxd$need_incus" = "00" ]; then echo "lxd and incusd are installed"; exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "lxc-images: missing daemons. As root on Debian 12 install: lxd lxd-client (Debian)" >&2
  echo "  and incus-base incus-client (bookworm-backports)." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ "$need_incus" = 1 ] && ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo 'deb http://deb.debian.org/debian bookworm-backports main' > /etc/apt/sources.list.d/bookworm-backports.list
fi
echo "lxc-images: installing daemons with apt-get (lxd=$need_lxd incus=$need_incus)"
apt-get update -qq
[ "$need_lxd" = 1 ] && apt-get install -y -qq lxd lxd-client openssl >/dev/null
[ "$need_incus" = 1 ] && apt-get install -y -qq --no-install-recommends -t bookworm-backports incus-base incus-client >/dev/null
echo "lxc-images: installed $(lxd --version 2>/dev/null || echo '?') and incus $(/usr/libexec/incus/incusd --version 2>/dev/null || echo '?')"
