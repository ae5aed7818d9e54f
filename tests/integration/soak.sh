#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# soak.sh - maptrace verify -a over a long run of mixed mapping churn.
#
#   tests/integration/soak.sh            (root; SOAK_SECONDS=N, default 1800)
#
# Many processes change their address spaces at once (racing threads,
# threads exiting while others map, short-lived processes, fork/exec, the
# malloc mmap-threshold trap) while `maptrace verify -a -v -i 1000` runs at
# the default ring-buffer size, comparing every process on the machine each
# second. Asserts, as one test "soak":
#  - 0 lost events, checkpoints made, and no divergent page in any process
#    started after verify attached. A process already inside a mapping call
#    when -a attaches is seen only through checkpoints (README, Known
#    limits): divergences of processes older than the run (on a shared
#    machine, other users' churn) are printed, not counted;
#  - at the end no address space of an exited process is left in the
#    registry and no event is queued;
#  - the loader's anonymous memory (its shadows and queues; sampled every
#    second) ends within 8 MiB of its value a tenth into the run: flat.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
SECS=${SOAK_SECONDS:-1800}
BOUND_KIB=8192
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# BPF must load here; otherwise every test is skipped, with the reason.
skip_all_unless_bpf soak soak

# one churn loop: run "$@" again and again until the deadline; a failed run
# is recorded (the workloads check their own calls)
churn() {
	local name=$1
	shift
	while [ "$(date +%s)" -lt "$deadline" ]; do
		"$@" >/dev/null 2>>"$tmp/$name.err" </dev/null || echo "$name: exit $?" >>"$tmp/failed"
	done
}

ls /proc | grep -E '^[0-9]+$' | sort >"$tmp/before"
$MT verify -a -v -i 1000 -d "$SECS" >"$tmp/v.out" 2>"$tmp/v.err" &
mp=$!
pids+=("$mp")
wait_polling "$mp"
sample_rss "$mp" "$tmp/rss" 1 &
pids+=($!)
deadline=$(($(date +%s) + SECS - 2))
churn thread_race "$W/thread_race" & pids+=($!)
churn thread_churn "$W/thread_churn" 50 & pids+=($!)
churn spawn_many "$W/spawn_many" 300 4 & pids+=($!)
churn attach_loop "$W/attach_loop" 100 2 & pids+=($!)
churn malloc_churn "$W/churn" 1 & pids+=($!)
churn fork_exec sh -c "$W/lifecycle steady" & pids+=($!)
wait "$mp"
st=$?
wait
pids=()

n=$(wc -l <"$tmp/rss")
early=$(sed -n "$((n / 10 + 1))p" "$tmp/rss")
end=$(tail -n 1 "$tmp/rss")
reg=$(grep '^verify: registry at the end: ' "$tmp/v.out")
last=$(tail -n 1 "$tmp/v.out")
echo "soak: $SECS s; $last"
echo "soak: $reg"
echo "soak: loader anonymous memory (KiB, every second): $(tr '\n' ' ' <"$tmp/rss" | cut -c1-300)"
sed -nE 's/^verify: DIVERGENCE pid ([0-9]+) .*/\1/p' "$tmp/v.out" | sort -u >"$tmp/div"
new_div=$(comm -23 "$tmp/div" "$tmp/before" | tr '\n' ' ')
old_div=$(comm -12 "$tmp/div" "$tmp/before" | tr '\n' ' ')
[ -n "$old_div" ] && echo "soak: note: divergence in processes older than the run (attached mid-call): $old_div"
if [ -s "$tmp/failed" ]; then
	fail soak "workloads failed: $(sort "$tmp/failed" | uniq -c | tr '\n' ' ') $(cat "$tmp"/*.err | head -n 3)"
elif [ -n "$new_div" ] || [ "$(verify_figure "$tmp/v.out" 4)" != 0 ] ||
	[ "${last#verify: 0 }" != "$last" ]; then
	fail soak "verify exit $st, divergent pids $new_div: $(grep -m 4 -A 2 DIVERGENCE "$tmp/v.out") $(tail -n 3 "$tmp/v.err")"
elif [ "$st" != 0 ] && [ -z "$old_div" ]; then
	fail soak "verify exit $st: $(tail -n 3 "$tmp/v.err")"
elif ! [[ $reg == *"(0 of exited processes), 0 queued events"* ]]; then
	fail soak "state left behind: $reg"
elif [ -z "$early" ] || [ $((end - early)) -gt "$BOUND_KIB" ]; then
	fail soak "loader anonymous memory grew from ${early:-?} to ${end:-?} KiB (bound: +$BOUND_KIB KiB)"
else
	pass "soak ($SECS s: $(verify_figure "$tmp/v.out" 1) checkpoints, $(verify_figure "$tmp/v.out" 2) address spaces, 0 lost, no divergence in the run's processes${old_div:+ (older: $old_div)}; anonymous memory $early -> $end KiB, bound +$BOUND_KIB)"
fi
finish soak
