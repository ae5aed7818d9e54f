# lib.sh - what the integration test scripts share (sourced, not run):
# counting results, the BPF availability probe, and the closing line that
# tests/run-all.sh reads.

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

# The tier's one closing line; the exit status says whether anything failed.
finish() {
	echo "$1: $passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ]
}
