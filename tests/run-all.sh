#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run every test tier and print one combined count: the shape of user/
# (layers.sh), unit tests (cmocka, sanitizers), the BPF programs loaded
# in-process (tests/bpf, root), `make install` with its man pages and
# completions, integration tests (real BPF, root),
# explain on language runtimes against their own accounting, the
# Prometheus exporter against stat's figures, a
# 45-second soak, smoke tests.
set -u
cd "$(dirname "$0")/.."
status=0
declare -A P F S
run_tier() {
	local name=$1; shift
	local out
	# tee -a: reopening /dev/stderr without O_APPEND truncates it when it is
	# a file (make test >log 2>&1 kept only the last tier's output)
	out=$("$@" 2>&1 | tee -a /dev/stderr | grep -E "^$name: [0-9]+ passed, [0-9]+ failed" | tail -1)
	if [ -z "$out" ]; then
		echo "$name: no summary line: counting the tier as 1 failed" >&2
		P[$name]=0; F[$name]=1; S[$name]=0; status=1; return
	fi
	P[$name]=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$out")
	F[$name]=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$out")
	S[$name]=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$out"); S[$name]=${S[$name]:-0}
	[ "${F[$name]}" = 0 ] || status=1
}
run_tier layers tests/layers.sh
run_tier unit make --no-print-directory unit
run_tier bpf make --no-print-directory bpf-tests
run_tier smoke tests/smoke.sh
run_tier install tests/integration/install.sh
run_tier integration make --no-print-directory integration
run_tier stat-integration tests/integration/stat.sh
run_tier explain-integration tests/integration/explain.sh
run_tier stacks-integration tests/integration/stacks.sh
run_tier runtimes tests/integration/runtimes.sh
run_tier serve tests/integration/serve.sh
run_tier hardening tests/integration/hardening.sh
run_tier soak env SOAK_SECONDS=45 tests/integration/soak.sh
run_tier viewer tests/viewer/run.sh
run_tier report tests/viewer/report.sh
run_tier fuzz make --no-print-directory fuzz-short
tp=0; tf=0; ts=0
for t in layers unit bpf smoke install integration stat-integration explain-integration stacks-integration runtimes serve hardening soak viewer report fuzz; do
	tp=$((tp + P[$t])); tf=$((tf + F[$t])); ts=$((ts + S[$t]))
	echo "  $t: ${P[$t]} passed, ${F[$t]} failed, ${S[$t]} skipped"
done
echo "all: $tp passed, $tf failed, $ts skipped"
exit $status
