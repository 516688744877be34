#!/usr/bin/env bash
# Installs pylxd (Debian's python3-pylxd) for the benchmark's peer baseline, when it is missing.
# Needs root on Debian; otherwise says so, and the bench's pylxd row says pylxd did not run.
set -uo pipefail
if /usr/bin/python3 -c 'import pylxd' 2>/dev/null; then echo "pylxd is installed"; exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "lxc-images: pylxd is missing; as root on Debian 12 install python3-pylxd" >&2
  exit 0
fi
echo "lxc-images: installing python3-pylxd with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq python3-pylxd >/dev/null || { apt-get update -qq && apt-get install -y -qq python3-pylxd >/dev/null; } || echo "lxc-images: could not install python3-pylxd" >&2
exit 0
