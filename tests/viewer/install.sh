#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install what tests/viewer/run.sh needs: Debian's packages listed in
# packages.txt (Chromium), and speedscope + playwright-core from the npm
# registry at the versions package-lock.json pins, into
# tests/viewer/node_modules. Node.js and npm come with the machine
# (node >= 18). Idempotent: installs only what is missing. Run as root for apt.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
while read -r p; do
	p=${p%%#*}; p=${p//[[:space:]]/}
	[ -n "$p" ] || continue
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done < packages.txt
if ((${#missing[@]})); then
	if [ "$(id -u)" != 0 ]; then
		echo "viewer install: missing packages: ${missing[*]}; run as root (or: sudo apt-get install ${missing[*]})" >&2
		exit 1
	fi
	echo "viewer install: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	if [ "$(id -u)" != 0 ]; then
		echo "viewer install: node and npm are needed (sudo apt-get install nodejs npm)" >&2
		exit 1
	fi
	echo "viewer install: installing nodejs npm"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
	echo "viewer install: node $(node --version) is too old: playwright-core needs >= 18" >&2
	exit 1
fi

# npm ci: exactly the lock file's versions; skipped when they are in place
want=$(node -p 'const l=require("./package-lock.json").packages; ["speedscope","playwright-core"].map(n=>l["node_modules/"+n].version).join(" ")')
have=$(node -p 'try{["speedscope","playwright-core"].map(n=>require("./node_modules/"+n+"/package.json").version).join(" ")}catch{""}' 2>/dev/null || true)
if [ "$want" != "$have" ]; then
	echo "viewer install: npm ci (speedscope, playwright-core: $want)"
	npm ci --no-audit --no-fund --loglevel=error
fi
