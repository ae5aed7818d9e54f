#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run.sh - the in-process tests of maptrace's BPF programs (tests/bpf/):
# each test binary runs with the object this kernel selects, then again
# with the no-BTF object (MAPTRACE_KERNEL_BTF=none and the BTF bpftool
# gen min_core_btf cuts from this kernel's). Root only: without it, skipped
# with the reason.
#
#   tests/bpf/run.sh BINARY...     (make bpf-tests builds and runs them)
set -u
cd "$(dirname "$0")/../.." || exit 1
passed=0 failed=0 skipped=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

run() { # name, binary, environment...
	local name=$1 bin=$2 rc
	shift 2
	env "$@" "$bin" >"$tmp/out" 2>&1
	rc=$?
	if (( rc == 77 )); then
		echo "SKIP $name: $(grep -m1 '^SKIP' "$tmp/out" | sed 's/^SKIP [^:]*: //')"
		skipped=$((skipped + 1))
	elif (( rc == 0 )); then
		echo "PASS $name ($(grep -c '^\[       OK \]' "$tmp/out") tests)"
		passed=$((passed + 1))
	else
		echo "FAIL $name: exit status $rc"
		grep -E '^\[  (ERROR|FAILED) |error:|^maptrace' "$tmp/out" | head -n 8 | sed 's/^/    | /'
		failed=$((failed + 1))
	fi
}

min=$tmp/min.btf
for bin in "$@"; do
	t=$(basename "$bin")
	run "bpf/$t" "$bin"
	if [ "$(id -u)" != 0 ]; then
		run "bpf-without-kernel-btf/$t" "$bin"
	elif [ -s "$min" ] || bpftool gen min_core_btf /sys/kernel/btf/vmlinux "$min" \
		.output/maptrace_nobtf.bpf.o >"$tmp/btf.err" 2>&1; then
		run "bpf-without-kernel-btf/$t" "$bin" MAPTRACE_KERNEL_BTF=none MAPTRACE_BTF="$min"
	else
		echo "FAIL bpf-without-kernel-btf/$t: bpftool gen min_core_btf: $(head -c 200 "$tmp/btf.err")"
		failed=$((failed + 1))
	fi
done
echo "bpf: $passed passed, $failed failed, $skipped skipped"
(( failed == 0 ))
