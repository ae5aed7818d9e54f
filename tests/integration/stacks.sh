#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Integration tests for `maptrace trace --stacks` (real BPF, root): the
# stack under each mmap of tests/workloads/stack_chain.c names exactly
# stk_inner, stk_middle (stk_twin every other call: same stack pointer and
# registers, another caller, which the unwinder's cache must not confuse),
# stk_outer, main, innermost first, in text and in
# JSON; with DWARF on the build without frame pointers and on the one with,
# with frame pointers on the one with. Without frame pointers, fp unwinding
# only knows the innermost function (said here, as the README says it).
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
N=4   # mmaps of 13 pages (53248 bytes) the workload makes
CHAIN=$(for i in $(seq 0 $((N - 1))); do
	[ $((i % 2)) = 1 ] && echo "stk_inner stk_twin stk_outer main" || echo "stk_inner stk_middle stk_outer main"
done)

# text_frames FILE K: function names of the first K frames under each
# mmap(NULL, 53248, ...) line, one stack per line
text_frames() {
	awk -v k="$2" '
		/ mmap\(NULL, 53248,/ { if (s != "") print s; s = ""; n = 0; on = 1; next }
		on && /^        #[0-9]+ / { if (n < k) { f = $2; sub(/\+0x[0-9a-f]+$/, "", f); s = s (n ? " " : "") f }; n++; next }
		{ if (on && s != "") print s; on = 0; s = "" }
		END { if (on && s != "") print s }' "$1"
}
# json_frames FILE K: the same from --json
json_frames() {
	jq -r --argjson k "$2" 'select(.kind == "mmap" and .args.length == 53248)
		| [.stack[]?.function][:$k] | join(" ")' "$1"
}
# expect NAME GOT WANT: GOT is WANT (one stack per line, or one line that
# every stack must be)
expect() {
	local want=$3
	[ "$(echo "$want" | wc -l)" = 1 ] && want=$(for _ in $(seq $N); do echo "$3"; done)
	if [ "$2" = "$want" ]; then
		pass "$1"
	else
		fail "$1" "want '$(echo "$want" | tr '\n' '|')', got '$(echo "$2" | tr '\n' '|')'"
	fi
}

# BPF must load here; otherwise every test is skipped, with the reason.
skip_all_unless_bpf stacks-integration dwarf-nofp-text dwarf-nofp-json dwarf-fp-text dwarf-fp-json fp-fp-text fp-fp-json \
	fp-nofp-innermost dwarf-source-lines no-stacks-by-default stack-options \
	demangled-text demangled-json demangled-explain

run() { # MODE BINARY FORMAT: trace into $tmp/MODE-BINARY.FORMAT, no losses
	local out="$tmp/$1-$2.$3" json=
	[ "$3" = json ] && json=--json
	if ! $MT trace $json --stacks "$1" -o "$out" -- "$W/$2" "$N" 2>"$out.err"; then
		echo "trace --stacks $1 $json -- $2 failed: $(cat "$out.err")" >"$out"
	elif grep -q "lost" "$out.err"; then
		echo "events lost: $(cat "$out.err")" >"$out"
	fi
}

for m in dwarf fp; do
	for b in stack_chain stack_chain_fp; do
		run "$m" "$b" text
		run "$m" "$b" json
	done
done

expect dwarf-nofp-text "$(text_frames "$tmp/dwarf-stack_chain.text" 4)" "$CHAIN"
expect dwarf-nofp-json "$(json_frames "$tmp/dwarf-stack_chain.json" 4)" "$CHAIN"
expect dwarf-fp-text "$(text_frames "$tmp/dwarf-stack_chain_fp.text" 4)" "$CHAIN"
expect dwarf-fp-json "$(json_frames "$tmp/dwarf-stack_chain_fp.json" 4)" "$CHAIN"
expect fp-fp-text "$(text_frames "$tmp/fp-stack_chain_fp.text" 4)" "$CHAIN"
expect fp-fp-json "$(json_frames "$tmp/fp-stack_chain_fp.json" 4)" "$CHAIN"
# frame pointers cannot walk a binary built without them: the pc alone
expect fp-nofp-innermost "$(json_frames "$tmp/fp-stack_chain.json" 1)" "stk_inner"

# DWARF frames carry the source file and module; the innermost pc is exact
src=$(jq -r 'select(.kind == "mmap" and .args.length == 53248) | .stack[:4]
	| map("\(.file):\(.module | split("/") | last):\(.offset > 0)") | join(" ")' \
	"$tmp/dwarf-stack_chain.json" | sort -u)
want="stack_chain.c:stack_chain:true stack_chain.c:stack_chain:true stack_chain.c:stack_chain:true stack_chain.c:stack_chain:true"
[ "$src" = "$want" ] && pass dwarf-source-lines || fail dwarf-source-lines "got '$src'"

# Mangled symbols read as source names (mangled_names.c: a C++ and a Rust
# v0 symbol), in text, in JSON (which keeps the symbol) and in explain's
# origins
CXX='maptrace::demo::allocate(unsigned long)' RUST='mycrate::inner::allocate'
$MT trace --stacks dwarf -o "$tmp/mangled.text" -- "$W/mangled_names" 2>"$tmp/mangled.err"
got=$(awk '/ mmap\(NULL, 45056,/ { getline; getline; sub(/^ *#1  /, ""); sub(/\+0x.*/, ""); print }' \
	"$tmp/mangled.text")
expect demangled-text "$got" "$(printf '%s\n%s' "$CXX" "$RUST")"
$MT trace --json --stacks dwarf -o "$tmp/mangled.json" -- "$W/mangled_names" 2>>"$tmp/mangled.err"
got=$(jq -r 'select(.kind == "mmap" and .args.length == 45056) | .stack[1] | "\(.function)=\(.symbol)"' \
	"$tmp/mangled.json")
expect demangled-json "$got" "$(printf '%s=%s\n%s=%s' "$CXX" _ZN8maptrace4demo8allocateEm \
	"$RUST" _RNvNtCs1234_7mycrate5inner8allocate)"
$MT explain --json -- "$W/mangled_names" >"$tmp/mangled-explain.json" 2>>"$tmp/mangled.err"
got=$(jq -r '.regions[].origins[]?.stack[]? | select(.symbol) | .function' "$tmp/mangled-explain.json" |
	sort)
expect demangled-explain "$got" "$(printf '%s\n%s' "$CXX" "$RUST")"

# stacks are off by default: no frame lines, no "stack" key
$MT trace -o "$tmp/none.text" -- "$W/stack_chain" 1 2>/dev/null
$MT trace --json -o "$tmp/none.json" -- "$W/stack_chain" 1 2>/dev/null
if ! grep -q '^        #' "$tmp/none.text" && ! grep -q '"stack"' "$tmp/none.json" &&
	grep -q 'mmap(NULL, 53248' "$tmp/none.text"; then
	pass no-stacks-by-default
else
	fail no-stacks-by-default "frames printed without --stacks"
fi

# option errors are usage errors (2); --opt=value works as --opt value
$MT trace --stacks bogus -- /bin/true 2>/dev/null; a=$?
$MT trace --stack-size 100 -- /bin/true 2>/dev/null; b=$?
$MT trace --stacks=dwarf --stack-size=4K -o /dev/null -- "$W/stack_chain" 1 2>/dev/null; c=$?
[ "$a$b$c" = 220 ] && pass stack-options || fail stack-options "exit statuses $a $b $c, want 2 2 0"

finish stacks-integration
