#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are not installed yet.
# With --check, only reports (exit 1) whether any is missing.
set -eu
check=0
if [ "${1:-}" = "--check" ]; then check=1; shift; fi
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
[ $check -eq 1 ] && exit 1
echo "deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
