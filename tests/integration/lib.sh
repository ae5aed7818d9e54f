# SPDX-License-Identifier: GPL-2.0
# lib.sh - what the integration test scripts share (sourced, not run, from
# the checkout's root): the binary and workload paths, a scratch directory
# removed on exit, counting results, the BPF availability probe and the
# skip-everything path, running maptrace and failing with its own words,
# waiting for maptrace to poll, verify's summary line, the loader-memory
# sampler, and the closing line that tests/run-all.sh reads.

MT=./maptrace
W=.output/workloads
TIMEOUT=(timeout -k 5 120)

# A scratch directory by its resolved path (maptrace reports resolved
# paths). A script with more to undo sets its own EXIT trap, which must
# remove "$tmp" too.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maptrace-it.XXXXXX") || exit 1
tmp=$(realpath "$tmp")
trap 'rm -rf "$tmp"' EXIT

passed=0 failed=0 skipped=0
pass() { printf 'PASS %s\n' "$1"; passed=$((passed + 1)); }
fail() { printf 'FAIL %s: %s\n' "$1" "$2"; failed=$((failed + 1)); }
skip() { printf 'SKIP %s: %s\n' "$1" "$2"; skipped=$((skipped + 1)); }

# Why the real BPF programs cannot be exercised here, or nothing when they can.
bpf_unavailable() {
	local probe

	if [ "$(id -u)" != 0 ]; then
		echo "not root: the BPF programs cannot be loaded"
	elif ! probe=$(./maptrace trace -- /bin/true 2>&1 >/dev/null); then
		echo "maptrace cannot trace on this machine: $probe"
	fi
}

# When BPF cannot be loaded here, skip every test named after $1 (the
# tier's name) with the reason, close the tier and exit.
skip_all_unless_bpf() {
	local tier=$1 reason t

	shift
	reason=$(bpf_unavailable)
	[ -z "$reason" ] && return 0
	for t in "$@"; do
		skip "$t" "$reason"
	done
	finish "$tier"
	exit
}

# The last $2 (default 8) lines of file $1, indented, under a FAIL line.
detail() {
	[ -s "$1" ] || return 0
	tail -n "${2:-8}" "$1" | cut -c1-240 | sed 's/^/    | /'
}

# Run maptrace with the arguments after $2, stdin from /dev/null and
# stderr into file $2, within 120 s. When it fails, test $1 fails with the
# command and its status followed by the last lines it printed, and the
# call returns 1: `mt_ok NAME ERR trace --json -o F -- CMD || return`.
mt_ok() {
	local name=$1 err=$2 rc

	shift 2
	"${TIMEOUT[@]}" "$MT" "$@" </dev/null 2>"$err"
	rc=$?
	(( rc == 0 )) && return 0
	fail "$name" "maptrace $1 exited with status $rc"
	detail "$err" 4
	return 1
}

# Wait up to 10 s until maptrace (pid $1) sleeps in epoll_wait: it has
# attached to its targets, seeded their shadows and polls the ring buffer.
wait_polling() {
	local i

	for ((i = 0; i < 1000; i++)); do
		grep -q epoll "/proc/$1/wchan" 2>/dev/null && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.01
	done
	return 1
}

# verify's last line when everything was proven: at least one checkpoint
# and address space, nothing divergent, nothing lost.
VERIFY_OK='^verify: [1-9][0-9]* checkpoints, [1-9][0-9]* address spaces, 0 divergent pages, 0 lost events$'

# Figure N (1-based) of verify's summary line in file $1 ("C checkpoints,
# S address spaces, D divergent pages, L lost events"), or nothing.
verify_figure() {
	sed -nE 's/^verify: ([0-9]+) checkpoints, ([0-9]+) address spaces, ([0-9]+) divergent pages, ([0-9]+) lost events$/\'"$2"'/p' "$1" | tail -n 1
}

# Sample the anonymous memory (RssAnon, KiB) of process $1 every $3 seconds
# (default 0.2) into file $2, one figure a line, until it exits. Run it in
# the background. Anonymous memory is what the loader's own state uses: its
# RSS is mostly the ring buffer, mapped once and never growing.
sample_rss() {
	while [ -r "/proc/$1/status" ]; do
		awk '/^RssAnon:/ { print $2 }' "/proc/$1/status" 2>/dev/null >>"$2"
		sleep "${3:-0.2}"
	done
}

# The RSS of regions of unknown origin (anon, large-malloc) in explain's
# JSON document $1.
unknown_rss() { jq '[.summary[] | select(.kind == "anon" or .kind == "large-malloc") | .rss] | add // 0' "$1"; }

# known_share TEST JSON RUNTIME-RE: in explain's JSON, "runtime" matches
# RUNTIME-RE and memory of unknown origin is under 5% of RSS (a real
# program: no figure of the runtime's to compare with).
known_share() {
	local name=$1 json=$2 re=$3 unknown total
	unknown=$(unknown_rss "$json")
	total=$(jq '.total.rss // 0' "$json")
	if ! jq -e --arg re "$re" '(.runtime // "") | test($re)' "$json" >/dev/null; then
		fail "$name" "runtime: $(jq -c .runtime "$json" 2>&1)"
	elif [ "$total" -gt 0 ] && [ $((unknown * 20)) -lt "$total" ]; then
		pass "$name (origin unknown $unknown of $total bytes of RSS)"
	else
		fail "$name" "origin unknown $unknown of $total bytes of RSS: 5% or more"
	fi
}

# The tier's one closing line; the exit status says whether anything failed.
finish() {
	echo "$1: $passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ]
}
