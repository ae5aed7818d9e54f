# SPDX-License-Identifier: GPL-2.0
# lib.sh - what the viewer tiers (run.sh, report.sh) share: their counters
# and running a node check script. Sourced; the caller sets pass, fail and
# skip to 0 first.

ok()    { pass=$((pass + 1)); echo "PASS $1"; }
bad()   { fail=$((fail + 1)); echo "FAIL $1: $2"; }
skipt() { skip=$((skip + 1)); echo "SKIP $1: $2"; }

# checked COMMAND SCRIPT [ARGS...]: run a node check, print its lines and
# count its PASS/FAIL/SKIP lines; a non-zero exit without a FAIL line (a
# crash) counts as a failure too
checked() {
	local before=$fail log line st
	log=$(mktemp)
	"$@" >"$log" 2>&1
	st=$?
	while IFS= read -r line; do
		echo "$line"
		case $line in
		PASS\ *) pass=$((pass + 1)) ;;
		FAIL\ *) fail=$((fail + 1)) ;;
		SKIP\ *) skip=$((skip + 1)) ;;
		esac
	done <"$log"
	rm -f "$log"
	if [ "$st" != 0 ] && [ "$fail" = "$before" ]; then
		bad "$(basename "$2" .mjs)" "exited $st without reporting a failure"
	fi
}
