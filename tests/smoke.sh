#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Smoke tests: the binary runs, documents itself, and refuses bad usage
# with the documented exit status. No root needed.
set -u
cd "$(dirname "$0")/.."
pass=0 fail=0
check() { # name, expected status, command...
	local name=$1 want=$2; shift 2
	"$@" >/tmp/maptrace-smoke.out 2>&1; local got=$?
	if [ "$got" = "$want" ]; then pass=$((pass+1)); echo "PASS $name"
	else fail=$((fail+1)); echo "FAIL $name: exit $got, expected $want"; cat /tmp/maptrace-smoke.out; fi
}
check help 0 ./maptrace --help
check trace-help 0 ./maptrace trace --help
check verify-help 0 ./maptrace verify --help
check explain-help 0 ./maptrace explain --help
check explain-no-target 2 ./maptrace explain
check explain-no-such-pid 1 ./maptrace explain -p 999999
check explain-self 0 ./maptrace explain -p $$
check stat-help 0 ./maptrace stat --help
check top-help 0 ./maptrace top --help
check serve-help 0 ./maptrace serve --help
check serve-bad-listen 2 ./maptrace serve --listen nonsense
check serve-listen-refused 1 ./maptrace serve --listen 192.0.2.1:9464
check serve-bad-max-series 2 ./maptrace serve --max-series 0
check serve-command 2 ./maptrace serve -- true
check diff-help 0 ./maptrace diff --help
check features-help 0 ./maptrace features --help
check features-bad-option 2 ./maptrace features --nope
check diff-one-file 2 ./maptrace diff a.json
check no-command 2 ./maptrace
check unknown-command 2 ./maptrace frobnicate
check trace-no-target 2 ./maptrace trace
check trace-two-targets 2 ./maptrace trace -a -p 1
check trace-bad-pid 2 ./maptrace trace -p 12x
check verify-bad-option 2 ./maptrace verify --nope -- true
# one option parser: a missing value, garbage numbers, an option before
# the command, --opt=value, and the shared options spelt alike everywhere
check trace-o-last 2 ./maptrace trace -o
check verify-bad-interval 2 ./maptrace verify -i 12x -- true
check stat-bad-duration 2 ./maptrace stat -d 0 -- true
check top-bad-iterations 2 ./maptrace top -n abc
check flag-with-value 2 ./maptrace trace --json=yes -- true
check global-verbose 0 ./maptrace -v verify --help
for cmd in trace verify stat top serve explain; do
	check "$cmd-buffer-spellings" 0 ./maptrace "$cmd" -b 1M --buffer=2M -b4M --buffer 8M --btf=x -v -d 1 --help
	check "$cmd-bad-buffer" 2 ./maptrace "$cmd" --buffer=12x --help
done
for msg in "trace-o-last:maptrace trace: -o needs a value (see: maptrace trace --help)" \
	   "verify-bad-interval:maptrace verify: --interval wants a whole number from 0 to 3600000, not '12x' (see: maptrace verify --help)"; do
	name=${msg%%:*} want=${msg#*:}
	case $name in
	trace-o-last) got=$(./maptrace trace -o 2>&1) ;;
	verify-bad-interval) got=$(./maptrace verify -i 12x -- true 2>&1) ;;
	esac
	if [ "$got" = "$want" ]; then pass=$((pass+1)); echo "PASS $name-message"
	else fail=$((fail+1)); echo "FAIL $name-message: '$got'"; fi
done
if ./maptrace explain --help | grep -q '%%'; then fail=$((fail+1)); echo "FAIL explain-help-percent: prints %%"
else pass=$((pass+1)); echo "PASS explain-help-percent"; fi
# without privileges: one clear line, exit 1 (setpriv drops root when we have it)
if [ "$(id -u)" = 0 ]; then drop=(setpriv --reuid=65534 --regid=65534 --clear-groups); else drop=(); fi
check not-privileged 1 "${drop[@]}" ./maptrace trace -- /bin/true
if grep -qx "maptrace: needs root or CAP_BPF+CAP_PERFMON, and both are missing (try: sudo maptrace ...)" /tmp/maptrace-smoke.out; then
	pass=$((pass+1)); echo "PASS not-privileged-message"
else fail=$((fail+1)); echo "FAIL not-privileged-message"; cat /tmp/maptrace-smoke.out; fi
if ./maptrace --help | grep -q -- "-- COMMAND"; then pass=$((pass+1)); echo "PASS help-mentions-targets"
else fail=$((fail+1)); echo "FAIL help-mentions-targets"; fi
echo "smoke: $pass passed, $fail failed, 0 skipped"
[ "$fail" = 0 ]
