#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# report.sh - `maptrace explain --html` and `stat --html` on real programs,
# opened in headless Chromium and checked against the JSON the same run
# printed (report.mjs lists the checks: offline, figures, tiles, hover,
# table, timeline). See docs/report.md.
#
#   tests/viewer/report.sh         (root: the traced report loads BPF)
#
# The programs: c (a held C program with threads, tests/workloads/
# thread_pool, explained with -p), traced (tests/workloads/origins run
# traced from its start: every region it made has its creating stack),
# node (tests/workloads/node/hold.js held), jvm (tests/workloads/java/
# Hold.java held) and many (tests/workloads/hold_maps: 65,000 mappings);
# and stat (stat --html of a shell running the demo twice: three processes).
# Prints PASS/FAIL/SKIP per check and "report: P passed, F failed, S
# skipped"; exits 1 if any check failed. Pages and screenshots are left in
# tests/viewer/out/report/.
set -u
cd "$(dirname "$0")/../.." || exit 1
here=tests/viewer
out=$here/out/report
MT=./maptrace
W=.output/workloads
pass=0 fail=0 skip=0
. $here/lib.sh
CHECKS=(offline figures tiles hover table timeline)
PROGRAMS=(c traced node jvm many stat)

checks_of() { # program: its checks (stat's page has no treemap)
	if [ "$1" = stat ]; then echo offline figures timeline table; else echo "${CHECKS[@]}"; fi
}
skip_program() { # program reason
	local c
	for c in $(checks_of "$1"); do skipt "report-$1-$c" "$2"; done
}
bad_program() { # program reason
	local c
	for c in $(checks_of "$1"); do bad "report-$1-$c" "$2"; done
}
summary() {
	echo "report: $pass passed, $fail failed, $skip skipped"
	[ "$fail" = 0 ]
	exit $?
}

# ---- what the test needs ---------------------------------------------------------
make --no-print-directory -s maptrace "$W/thread_pool" "$W/origins" "$W/hold_maps" "$W/demo" >/dev/null 2>&1 ||
	{ for p in "${PROGRAMS[@]}"; do bad_program "$p" "make maptrace and the workloads failed"; done; summary; }
missing=""
if [ "$(id -u)" != 0 ]; then
	missing="not root: the traced report's BPF programs cannot be loaded"
elif ! command -v node >/dev/null; then
	missing="node is not installed (make deps installs nodejs)"
elif [ ! -x /usr/bin/chromium ] || [ ! -f $here/node_modules/playwright-core/package.json ]; then
	missing="Chromium or playwright-core is missing (run tests/viewer/install.sh)"
fi
if [ -n "$missing" ]; then
	for p in "${PROGRAMS[@]}"; do skip_program "$p" "$missing"; done
	summary
fi
rm -rf "$out"
mkdir -p "$out"
tmp=$(mktemp -d) || exit 1
hpid=
trap 'exec 3>&- 2>/dev/null; [ -n "$hpid" ] && kill "$hpid" 2>/dev/null; rm -rf "$tmp"' EXIT

# held PROGRAM COMMAND...: start COMMAND with its stdin held open, wait for
# its first line, explain it into PROGRAM's page and JSON, release it
specs=()
held() {
	local p=$1 i
	shift
	rm -f "$tmp/in" "$tmp/out"
	mkfifo "$tmp/in"
	"$@" <"$tmp/in" >"$tmp/out" 2>"$tmp/err" &
	hpid=$!
	exec 3>"$tmp/in"
	for ((i = 0; i < 600; i++)); do
		[ -s "$tmp/out" ] && break
		sleep 0.05
	done
	if [ -s "$tmp/out" ]; then
		explain "$p" -p "$hpid"
	else
		bad_program "$p" "$1 printed nothing: $(head -c 200 "$tmp/err")"
	fi
	exec 3>&-
	wait "$hpid" 2>/dev/null
	hpid=
}
explain() { # PROGRAM ARGS...: one run, both forms
	local p=$1
	shift
	if $MT explain --json --html "$out/$p.html" "$@" >"$out/$p.json" 2>"$tmp/explain.err" &&
		[ -s "$out/$p.html" ]; then
		specs+=("$p:$out/$p.html:$out/$p.json")
	else
		bad_program "$p" "explain failed: $(head -c 300 "$tmp/explain.err")"
	fi
}

held c "$W/thread_pool"
explain traced -- "$W/origins"
if command -v node >/dev/null; then held node node tests/workloads/node/hold.js
else skip_program node "node is not installed"; fi
if command -v java >/dev/null && command -v jcmd >/dev/null; then
	held jvm java tests/workloads/java/Hold.java 64
else
	skip_program jvm "no java or jcmd (make deps installs openjdk-17-jdk-headless)"
fi
max=$(cat /proc/sys/vm/max_map_count)
if [ "$max" -lt 65200 ]; then
	skip_program many "vm.max_map_count is $max: 65,000 mappings need 65,200"
else
	held many "$W/hold_maps" 65000
fi
if $MT stat --json -o "$out/stat.json" --html "$out/stat.html" -- \
	sh -c "$W/demo && $W/demo" >/dev/null 2>"$tmp/stat.err"; then
	specs+=("stat:$out/stat.html:$out/stat.json")
else
	bad_program stat "stat failed: $(head -c 300 "$tmp/stat.err")"
fi

# ---- the pages in headless Chromium ---------------------------------------------------
if ((${#specs[@]})); then
	checked node $here/report.mjs "$out" "${specs[@]}"
fi
summary
