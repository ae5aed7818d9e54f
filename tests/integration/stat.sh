#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Integration tests for stat, diff, top and the exports (root: real BPF).
# Expected figures are computed independently from `strace -f` output.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh


# BPF must load here; otherwise every test is skipped, with the reason.
skip_all_unless_bpf stat-integration stat-vs-strace vmpeak budget-pass budget-breach diff-crafted trace-event folded top-churn

# Figures one would add up from strace -f output (docs/stat.md definitions).
strace_figures() { # strace output file -> "figure value" lines
	awk '
	function pa(x) { return int((x + 4095) / 4096) * 4096 }
	function num(s,   i, v) {   # hex or decimal; doubles are exact below 2^53
		if (s !~ /^0x/) return s + 0
		v = 0; s = tolower(substr(s, 3))
		for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	{
		pid = $1; $1 = ""; line = substr($0, 2)
		if (line ~ /^\+\+\+|^---/) next
		if (line ~ /^<\.\.\. [a-z_0-9]+ resumed>/) {
			call = pending[pid]; delete pending[pid]
			sub(/^<\.\.\. [a-z_0-9]+ resumed>/, "", line)
			line = call line
		} else if (line ~ /<unfinished \.\.\.>$/) {
			sub(/ *<unfinished \.\.\.>$/, "", line)
			pending[pid] = line
			name = line; sub(/\(.*/, "", name); calls[name]++
			next
		} else {
			name = line; sub(/\(.*/, "", name); calls[name]++
		}
		if (line ~ /^execve\(/) { delete brk_at[pid]; next }
		name = line; sub(/\(.*/, "", name)
		args = line; sub(/^[a-z_0-9]+\(/, "", args); sub(/\) += .*/, "", args)
		res = line; sub(/.*\) += /, "", res)
		split(args, a, ", ")
		if (res ~ /^-1 /) { failed[name]++; next }
		if (name == "mmap") mapped += pa(a[2])
		else if (name == "munmap") unmapped += pa(a[2])
		else if (name == "mremap") {
			o = pa(a[2]); n = pa(a[3])
			if (o == 0 || a[4] ~ /MREMAP_DONTUNMAP/) mapped += n
			else if (n >= o) mapped += n - o
			else unmapped += o - n
		} else if (name == "brk") {
			r = pa(num(res))
			if (pid in brk_at) {
				if (r > brk_at[pid]) mapped += r - brk_at[pid]
				else unmapped += brk_at[pid] - r
			}
			brk_at[pid] = r
		}
	}
	END {
		for (k in calls) print "calls." k, calls[k]
		for (k in failed) print "failed." k, failed[k]
		print "bytes_mapped", mapped + 0
		print "bytes_unmapped", unmapped + 0
	}' "$1" | sort
}

KINDS="mmap munmap mprotect pkey_mprotect brk mremap remap_file_pages"
maptrace_figures() { # stat json -> the same lines, for the kinds strace is asked for
	jq -r --arg kinds "$KINDS" '($kinds | split(" ")) as $k | .total |
		(.calls | to_entries[] | select(.value > 0 and (.key | IN($k[]))) | "calls.\(.key) \(.value)"),
		(.failed | to_entries[] | select(.value > 0 and (.key | IN($k[]))) | "failed.\(.key) \(.value)"),
		"bytes_mapped \(.bytes_mapped)", "bytes_unmapped \(.bytes_unmapped)"' "$1" | sort
}

# --- every figure strace can tell, on workloads that make no shm/aio calls
for w in mmap_ops mremap_forms heap_brk thread_race demo; do
	[ -x "$W/$w" ] || { fail "stat-vs-strace-$w" "workload $W/$w not built"; continue; }
	strace -f -qq -o "$tmp/$w.strace" -e trace="${KINDS// /,}" \
		-- "$W/$w" "$tmp" >/dev/null 2>&1
	$MT stat --json -o "$tmp/$w.json" -- "$W/$w" "$tmp" >/dev/null 2>"$tmp/$w.err"
	strace_figures "$tmp/$w.strace" >"$tmp/$w.want"
	maptrace_figures "$tmp/$w.json" >"$tmp/$w.got"
	diff -u "$tmp/$w.want" "$tmp/$w.got" >"$tmp/$w.diff"
	if [ -s "$tmp/$w.want" ] && [ ! -s "$tmp/$w.diff" ]; then
		pass "stat-vs-strace-$w ($(wc -l <"$tmp/$w.want") figures)"
	else
		fail "stat-vs-strace-$w" "figures differ from strace: $(tr '\n' ' ' <"$tmp/$w.diff" | cut -c1-400)"
	fi
done

# --- peak virtual size is the kernel's VmPeak
if want_kb=$($MT stat --json -o "$tmp/vmpeak.json" -- "$W/vmpeak" 2>/dev/null) &&
	got=$(jq .total.peak_vm_bytes "$tmp/vmpeak.json") && [ "$got" = $((want_kb * 1024)) ]; then
	pass "vmpeak (peak_vm_bytes $got = VmPeak ${want_kb} kB)"
else
	fail vmpeak "peak_vm_bytes ${got:-?} != VmPeak ${want_kb:-?} kB"
fi

# --- budgets: pass exits with the command's status, breach exits 3 and says which
printf '# limits\ncalls.mmap <= 1000\npeak_vm_bytes <= 1G\n' >"$tmp/ok.budget"
$MT stat -o /dev/null -B "$tmp/ok.budget" -- "$W/vmpeak" >/dev/null 2>"$tmp/bp.err"; st=$?
[ "$st" = 0 ] && pass budget-pass || fail budget-pass "exit $st: $(cat "$tmp/bp.err")"
$MT stat -o /dev/null --max peak_vm_bytes=16M -- "$W/vmpeak" >/dev/null 2>"$tmp/bb.err"; st=$?
if [ "$st" = 3 ] && grep -q "^maptrace: over budget: peak_vm_bytes = [0-9]*, limit 16777216 (+" "$tmp/bb.err"; then
	pass budget-breach
else
	fail budget-breach "exit $st: $(cat "$tmp/bb.err")"
fi

# --- diff on crafted summaries
mk() { # file mmap_calls churn
	printf '{"schema":"maptrace-stat","version":1,"total":{"calls":{"mmap":%s},"failed":{},"churn_bytes":%s,"peak_vm_bytes":1000}}\n' "$2" "$3" >"$1"
}
mk "$tmp/base.json" 100 1000
mk "$tmp/same.json" 100 1000
mk "$tmp/grew.json" 104 2000
$MT diff -t all=0 "$tmp/base.json" "$tmp/same.json" >"$tmp/d1" 2>&1; s1=$?
$MT diff -t all=5% -t churn_bytes=2000 "$tmp/base.json" "$tmp/grew.json" >"$tmp/d2" 2>&1; s2=$?
$MT diff -t all=5% "$tmp/base.json" "$tmp/grew.json" >"$tmp/d3" 2>&1; s3=$?
$MT diff "$tmp/base.json" /etc/hostname >"$tmp/d4" 2>&1; s4=$?
if [ "$s1$s2$s3$s4" = "0031" ] && grep -q "^churn_bytes .* +1000 *+100.0%  over threshold" "$tmp/d3" &&
	! grep -q "over threshold" "$tmp/d2"; then
	pass diff-crafted
else
	fail diff-crafted "statuses $s1 $s2 $s3 $s4 (want 0 0 3 1): $(cat "$tmp/d3" "$tmp/d4" | tr '\n' ' ')"
fi

# --- trace-event file: valid JSON, counter track and call instants for the process
$MT stat -o /dev/null --trace-event "$tmp/te.json" --folded "$tmp/folded.txt" -- "$W/vmpeak" >/dev/null 2>&1
if jq -e '(.traceEvents | map(select(.ph == "C" and .name == "memory" and (.args.mapped_bytes > 0))) | length > 0)
	and (.traceEvents | map(select(.ph == "X" and .name == "mmap" and .dur >= 0 and .cat == "mapping")) | length > 0)
	and (.traceEvents | map(select(.ph == "i" and .name == "exec" and .args.kind == "exec")) | length > 0)
	and (.traceEvents | map(select(.ph == "M" and .name == "process_name")) | length > 0)
	and (.traceEvents | all(has("ts") and has("pid")))' "$tmp/te.json" >/dev/null 2>&1; then
	pass trace-event
else
	fail trace-event "missing tracks or events in $(head -c 300 "$tmp/te.json")"
fi
# folded: "vmpeak;mmap;[anonymous] 67108864" among the lines
if grep -qx "vmpeak;mmap;\[anonymous\] [0-9]*" "$tmp/folded.txt" &&
	awk '$NF !~ /^[0-9]+$/ { bad = 1 } END { exit bad }' "$tmp/folded.txt" &&
	[ "$(awk -F'[; ]' '$1 == "vmpeak" && $3 == "[anonymous]" { print $4 }' "$tmp/folded.txt")" -ge 67108864 ]; then
	pass folded
else
	fail folded "$(head -5 "$tmp/folded.txt" | tr '\n' '|')"
fi

# --- top ranks a churning process first and flags it
"$W/churn" 6 &
cpid=$!
sleep 0.5
$MT top -B -n 2 -k 3 >"$tmp/top.txt" 2>&1
kill "$cpid" 2>/dev/null
wait "$cpid" 2>/dev/null

last_frame=$(awk '/^maptrace top/ { f = "" } { f = f $0 "\n" } END { printf "%s", f }' "$tmp/top.txt")
row=$(printf '%s' "$last_frame" | awk '/^ *PID COMM/ { getline; print; exit }')
if [ "$(awk '{ print $1 }' <<<"$row")" = "$cpid" ] && grep -q "CHURN$" <<<"$row" &&
	grep -q "lost events: 0" <<<"$last_frame"; then
	pass "top-churn ($(awk '{ print $3 }' <<<"$row") mmap/s)"
else
	fail top-churn "expected pid $cpid first with CHURN: $(tr '\n' '|' <"$tmp/top.txt" | cut -c1-600)"
fi

# --- top and stat count a run alike: both attached to one process for all
#     of its calls, top's total line equals stat's total calls and bytes
#     (one rule, core/event.c, decides what a call maps and unmaps)
mkfifo "$tmp/both.fifo"
"$W/attach_loop" 200 2 <"$tmp/both.fifo" &
lp=$!
exec {fd}>"$tmp/both.fifo"
$MT top -B -D 0.5 -p "$lp" >"$tmp/both-top.txt" 2>"$tmp/both-top.err" &
tp=$!
$MT stat --json -o "$tmp/both-stat.json" -p "$lp" 2>"$tmp/both-stat.err" &
sp=$!
wait_polling "$tp"
wait_polling "$sp"
printf x >&"$fd"
exec {fd}>&-
wait "$lp" "$tp" "$sp"
top_total=$(sed -n 's/^total: \([0-9]*\) calls, \([0-9]*\) bytes mapped, \([0-9]*\) bytes unmapped$/\1 \2 \3/p' "$tmp/both-top.txt")
stat_total=$(jq -r '"\([.total.calls[]] | add) \(.total.bytes_mapped) \(.total.bytes_unmapped)"' "$tmp/both-stat.json" 2>/dev/null)
if [ -n "$top_total" ] && [ "$top_total" = "$stat_total" ] && [ "${top_total%% *}" -gt 1000 ]; then
	pass "top-stat-agree (calls, bytes mapped, bytes unmapped: $top_total)"
else
	fail top-stat-agree "top '${top_total:-none}', stat '${stat_total:-none}': $(tail -n 2 "$tmp/both-top.err" "$tmp/both-stat.err" | tr '\n' ' ')"
fi

finish stat-integration
