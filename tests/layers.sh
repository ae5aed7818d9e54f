#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# layers.sh - the shape of user/: each layer includes only itself and the
# layers below it (in the Makefile's order), no file includes another in a
# cycle, no file is over 700 lines and no function over 80, and bpf/
# includes nothing of user/ (only include/maptrace/events.h, the ABI both
# sides share).
#
#   tests/layers.sh      (no root, no build needed)
#
# Prints PASS/FAIL per check and "layers: P passed, F failed, 0 skipped".
set -u
cd "$(dirname "$0")/.." || exit 1

LAYERS=(base core proc analyze out kernel trace cmd) # lowest first (Makefile)
declare -A rank
for i in "${!LAYERS[@]}"; do rank[${LAYERS[$i]}]=$i; done
passed=0 failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

# --- every directory of user/ is a known layer
bad=""
for d in user/*/; do
	d=${d#user/}; d=${d%/}
	[ -n "${rank[$d]:-}" ] || bad+=" $d"
done
if [ -n "$bad" ]; then fail layers/known "directories that are no layer:$bad"; else pass layers/known; fi

# --- includes go down (or stay in the layer)
bad=""
for f in user/*/*.[ch]; do
	l=${f#user/}; l=${l%%/*}
	while read -r inc; do
		il=${inc%%/*}
		[ "$il" = maptrace ] && continue # include/maptrace/events.h: the BPF ABI
		if [ -z "${rank[$il]:-}" ]; then
			bad+=" $f->$inc(unknown)"
		elif (( rank[$il] > rank[$l] )); then
			bad+=" $f->$inc"
		fi
	done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | grep / )
done
if [ -n "$bad" ]; then fail layers/downward "upward includes:$bad"; else pass layers/downward; fi

# --- no include cycle (a depth-first walk of the header graph)
declare -A deps state
for f in user/*/*.[ch]; do
	deps[${f#user/}]=$(sed -n 's/^#include "\([a-z]*\/[a-z_0-9]*\.h\)".*/\1/p' "$f" | grep -v '^maptrace/' | tr '\n' ' ')
done
cycle=""
visit() {
	local n=$1 d
	state[$n]=1
	for d in ${deps[$n]:-}; do
		if [ "${state[$d]:-0}" = 1 ]; then
			cycle="$n -> $d"
			return 1
		elif [ "${state[$d]:-0}" = 0 ]; then
			visit "$d" || return 1
		fi
	done
	state[$n]=2
}
for n in "${!deps[@]}"; do
	[ "${state[$n]:-0}" = 0 ] && { visit "$n" || break; }
done
if [ -n "$cycle" ]; then fail layers/acyclic "include cycle through $cycle"; else pass layers/acyclic; fi

# --- small files and functions: none of user/ over 700 lines, no function
#     over 80 (from the line of its name to its closing brace in column 0)
bad=""
for f in user/*/*.[ch]; do
	n=$(wc -l <"$f")
	(( n > 700 )) && bad+=" $f($n lines)"
done
if [ -n "$bad" ]; then fail layers/file-size "files over 700 lines:$bad"; else pass layers/file-size; fi
bad=$(awk '
	FNR == 1 { start = 0 }
	/^[a-z][^;]*[(,]$/ || /^[a-z][^;]*\)$/ { if (!start) { start = FNR; name = $0 } next }
	start && /^\{$/ { body = 1; next }
	/^}/ && body { if (FNR - start + 1 > 80) printf " %s:%d(%d lines)", FILENAME, start, FNR - start + 1
		       start = 0; body = 0; next }
	!body && start && !/^\t/ && !/^[a-z]/ { start = 0 }
' user/*/*.c)
if [ -n "$bad" ]; then fail layers/function-size "functions over 80 lines:$bad"; else pass layers/function-size; fi

# --- the BPF side includes only the shared ABI header of ours
bad=$(grep -l '#include "\(base\|core\|proc\|analyze\|out\|kernel\|trace\|cmd\)/' bpf/* 2>/dev/null | tr '\n' ' ')
if [ -n "$bad" ]; then fail layers/bpf "bpf/ includes user/: $bad"; else pass layers/bpf; fi

echo "layers: $passed passed, $failed failed, 0 skipped"
(( failed == 0 ))
