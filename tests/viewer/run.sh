#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Viewer test: maptrace's --trace-event and --folded files from real programs,
# checked against their formats and opened in a real viewer, speedscope (the
# npm package's built app, served from 127.0.0.1) under headless Chromium,
# with a screenshot of each view. See docs/viewer.md.
#
#   tests/viewer/run.sh            (root: the BPF programs must load)
#   tests/viewer/install.sh        installs Chromium and speedscope first
#
# Prints PASS/FAIL/SKIP per check and one closing line
# "viewer: P passed, F failed, S skipped"; exits 1 if any check failed.
# Screenshots and the files viewed are left in tests/viewer/out/.
set -u
cd "$(dirname "$0")/../.." || exit 1
here=tests/viewer
out=$here/out
MT=./maptrace
pass=0 fail=0 skip=0
started=$(date +%s)

. $here/lib.sh
summary() {
	echo "viewer run time: $(($(date +%s) - started)) s"
	echo "viewer: $pass passed, $fail failed, $skip skipped"
	[ "$fail" = 0 ]
	exit $?
}
PROGRAMS=(python c-demo)
# every check's name, %s standing for the program
CHECKS=(maptrace-%s trace-event-format-%s trace-event-content-%s folded-format-%s
	speedscope-%s-folded-flamegraph speedscope-%s-folded-sandwich
	speedscope-%s-trace-event-import speedscope-%s-trace-event-view)
skip_checks() { # program reason [first check index]
	local c
	for c in "${CHECKS[@]:${3:-0}}"; do
		# shellcheck disable=SC2059 # the names are the format
		skipt "$(printf "$c" "$1")" "$2"
	done
}
skip_all() { # reason
	local p
	for p in "${PROGRAMS[@]}"; do skip_checks "$p" "$1"; done
	summary
}

# ---- what the test needs ---------------------------------------------------------
if [ ! -x "$MT" ] || [ ! -x .output/workloads/demo ]; then
	make --no-print-directory -s maptrace .output/workloads/demo >/dev/null 2>&1 ||
		{ bad build "make maptrace .output/workloads/demo failed"; summary; }
fi
if [ "$(id -u)" != 0 ]; then
	skip_all "not root: the BPF programs cannot be loaded"
elif ! probe=$($MT trace -- /bin/true 2>&1 >/dev/null); then
	skip_all "maptrace cannot trace on this machine: $(head -1 <<<"$probe")"
fi
if ! command -v node >/dev/null; then
	skip_all "node is not installed (the checks are node scripts; see tests/viewer/install.sh)"
fi
viewer_missing=""
if [ ! -x /usr/bin/chromium ]; then
	viewer_missing="/usr/bin/chromium is not installed (run tests/viewer/install.sh)"
elif [ ! -f $here/node_modules/speedscope/dist/release/index.html ] ||
     [ ! -f $here/node_modules/playwright-core/package.json ]; then
	viewer_missing="speedscope/playwright-core are not in $here/node_modules (run tests/viewer/install.sh)"
fi

rm -rf "$out"
mkdir -p "$out"

# ---- 1. maptrace on real programs ----------------------------------------------------
# python: the README demo (a large malloc, a thread, a file mapping);
# c-demo: tests/workloads/demo.c (file mapping, malloc, two threads, mprotect,
# mremap), a C program with a different shape.
declare -A CMD=([python]="/usr/bin/python3 tests/demo.py" [c-demo]=".output/workloads/demo")
views=()
for p in "${PROGRAMS[@]}"; do
	te=$out/$p.trace.json folded=$out/$p.folded stat=$out/$p.stat.json
	t0=$(date +%s%N)
	# shellcheck disable=SC2086 # CMD holds a command line
	$MT stat --json -o "$stat" --trace-event "$te" --folded "$folded" -- ${CMD[$p]} \
		>"$out/$p.maptrace.log" 2>&1
	st=$?
	wall=$(($(date +%s%N) - t0))
	if [ "$st" != 0 ] || [ ! -s "$te" ] || [ ! -s "$folded" ] || [ ! -s "$stat" ]; then
		empty=""
		for f in "$te" "$folded" "$stat"; do [ -s "$f" ] || empty+=" $f"; done
		bad "maptrace-$p" "exit $st${empty:+, missing or empty:$empty}: $(head -3 "$out/$p.maptrace.log" | tr '\n' ' ')"
		skip_checks "$p" "maptrace-$p failed: no files to check" 1
		continue
	fi
	ok "maptrace-$p"
	# ---- 2. the files against their formats -----------------------------------
	checked node $here/check-files.mjs "$p" "$te" "$folded" "$stat" "$wall"
	if [ -n "$viewer_missing" ]; then skip_checks "$p" "$viewer_missing" 4
	else views+=("$p:folded:$folded" "$p:te:$te"); fi
done

# ---- 3. the files in speedscope, in headless Chromium ----------------------------------
if ((${#views[@]})); then
	checked node $here/view.mjs "$out" "${views[@]}"
fi
summary
