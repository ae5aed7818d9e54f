#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run.sh - run cmocka unit test binaries and total their results.
#
#   tests/unit/run.sh BIN...
#
# Each binary prints its own cmocka report; this script adds up the
# summary lines of every group ("[  PASSED  ] N test(s).",
# "[  FAILED  ] N test(s), listed below:", "[  SKIPPED ] N test(s)...").
# A binary that prints no summary (crash, sanitizer abort) or exits non-zero
# with no failure in its summary (e.g. LeakSanitizer at exit) counts as one
# failed test. Prints one last line "unit: P passed, F failed, S skipped"
# and exits 1 when anything failed or nothing ran.
#
# UNIT_RUNNER, when set, is the command that runs each binary (words split
# on blanks): `make ARCH=arm64 unit` runs cross-built tests under
# qemu-aarch64-static.
set -u
read -ra runner <<< "${UNIT_RUNNER:-}"

: "${ASAN_OPTIONS:=detect_leaks=1:abort_on_error=1}"
: "${UBSAN_OPTIONS:=print_stacktrace=1:halt_on_error=1}"
export ASAN_OPTIONS UBSAN_OPTIONS
# the plain-text report is the one parsed below (not subunit/TAP/XML)
export CMOCKA_MESSAGE_OUTPUT=STDOUT

passed=0 failed=0 skipped=0
log=$(mktemp) || exit 1
trap 'rm -f "$log"' EXIT

for bin in "$@"; do
	echo "== $bin"
	"${runner[@]}" "$bin" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}

	p=0 f=0 s=0 summaries=0
	while IFS= read -r line; do
		if [[ $line =~ ^\[\ \ PASSED\ \ \]\ ([0-9]+)\ test\(s\)\. ]]; then
			p=$((p + BASH_REMATCH[1])); summaries=$((summaries + 1))
		elif [[ $line =~ ^\[\ \ FAILED\ \ \]\ ([0-9]+)\ test\(s\),\ listed\ below: ]]; then
			f=$((f + BASH_REMATCH[1]))
		elif [[ $line =~ ^\[\ \ SKIPPED\ \]\ ([0-9]+)\ test\(s\) ]]; then
			s=$((s + BASH_REMATCH[1]))
		fi
	done < "$log"

	if (( summaries == 0 )); then
		echo "unit: $bin exited with status $rc without a cmocka summary" >&2
		f=$((f + 1))
	elif (( rc != 0 && f == 0 )); then
		echo "unit: $bin exited with status $rc after its tests passed" >&2
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done

echo "unit: $passed passed, $failed failed, $skipped skipped"
if (( failed > 0 || passed + skipped == 0 )); then
	exit 1
fi
exit 0
