#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Faults and hostile conditions: nothing lost silently, clear errors.
# (root: real BPF; each test says why when it cannot run)
#
#   MAX_MAP_COUNT=N  lower vm.max_map_count to N for the max-map-count test
#                    (restored on exit). Off by default: the sysctl is
#                    machine-wide and other programs may need the default.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
saved_max_map_count=
cleanup() {
	[ -n "$saved_max_map_count" ] && echo "$saved_max_map_count" >/proc/sys/vm/max_map_count
	chmod -R u+w "$tmp" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT


# BPF must load here; otherwise every test is skipped, with the reason.
skip_all_unless_bpf hardening overflow-resync sigint-flush output-unwritable zombie-target ia32-reported \
	pid-reuse many-processes max-map-count caps-only no-btf truncated-read

# --- a ring buffer far too small: every loss counted and reported, the
#     address space re-read, and no divergence after the resync
$MT verify -b 16K -i 50 -- "$W/thread_race" >"$tmp/of.out" 2>"$tmp/of.err"
st=$?
lost=$(sed -nE 's/^verify: .* ([0-9]+) lost events$/\1/p' "$tmp/of.out")
div=$(sed -nE 's/^verify: .* ([0-9]+) divergent pages.*$/\1/p' "$tmp/of.out")
if [ "$st" = 1 ] && [ "${lost:-0}" -gt 0 ] && [ "$div" = 0 ] &&
	grep -q "^maptrace: $lost events lost (ring buffer full); per CPU:" "$tmp/of.err" &&
	grep -q "raise the buffer with --buffer SIZE" "$tmp/of.err"; then
	pass "overflow-resync ($lost lost, reported, 0 divergent pages after resync, exit 1)"
else
	fail overflow-resync "exit $st, lost '${lost:-}', divergent '${div:-}': $(tail -3 "$tmp/of.out" "$tmp/of.err" | tr '\n' ' ')"
fi

# --- SIGINT while tracing to a file: clean stop, the file complete (every
#     line valid JSON), exit status 0 for -p
"$W/churn" 5 &
cp=$!
$MT trace --json -o "$tmp/int.jsonl" -p "$cp" 2>"$tmp/int.err" &
mp=$!
sleep 1.5
kill -INT "$mp"
wait "$mp"
st=$?
kill "$cp" 2>/dev/null
wait "$cp" 2>/dev/null
lines=$(wc -l <"$tmp/int.jsonl")
if [ "$st" = 0 ] && [ "$lines" -gt 100 ] && jq -e . "$tmp/int.jsonl" >/dev/null 2>&1 &&
	[ "$(tail -c1 "$tmp/int.jsonl" | od -An -c | tr -d ' ')" = '\n' ]; then
	pass "sigint-flush ($lines complete JSON lines)"
else
	fail sigint-flush "exit $st, $lines lines: $(cat "$tmp/int.err")"
fi

# --- an output file that cannot be written: one clear line, exit 1
mkdir "$tmp/ro" && chmod 0555 "$tmp/ro"
if [ -w "$tmp/ro" ]; then
	# root passes directory permissions: a file no one can write instead
	out=/proc/version
else
	out="$tmp/ro/x"
fi
$MT trace -o "$out" -- /bin/true >/dev/null 2>"$tmp/ro.err"
st=$?
if [ "$st" = 1 ] && grep -q "^maptrace trace: \(cannot write\|writing\) " "$tmp/ro.err"; then
	pass "output-unwritable ($(head -1 "$tmp/ro.err"))"
else
	fail output-unwritable "exit $st: $(cat "$tmp/ro.err")"
fi

# --- a zombie: no address space; explain says so, trace -p refuses nothing
#     silently (it has nothing to trace and ends)
sh -c 'sleep 0.1 & exec sleep 3' &
parent=$!
sleep 0.5
zombie=$(pgrep -P "$parent" | head -1)
if [ -n "$zombie" ] && [ "$(cut -d' ' -f3 "/proc/$zombie/stat")" = Z ]; then
	$MT explain -p "$zombie" >/dev/null 2>"$tmp/z.err"
	st=$?
	if [ "$st" = 1 ] && grep -qi "zombie\|no address space\|exited" "$tmp/z.err"; then
		pass "zombie-target ($(head -1 "$tmp/z.err"))"
	else
		fail zombie-target "exit $st: $(cat "$tmp/z.err")"
	fi
else
	skip zombie-target "could not make a zombie child to test with"
fi
kill "$parent" 2>/dev/null
wait "$parent" 2>/dev/null

# --- 32-bit processes: their syscalls are not classified; say so, and
#     verify cannot pass for them
if ! printf '#include <sys/mman.h>\nint main(void){void*p=mmap(0,4096,3,0x22,-1,0);return munmap(p,4096);}\n' >"$tmp/m32.c" ||
	! gcc -m32 -O2 "$tmp/m32.c" -o "$tmp/m32" 2>/dev/null; then
	skip ia32-reported "no 32-bit toolchain (gcc -m32, Debian gcc-multilib) to build a test program"
elif "$tmp/m32" 2>"$tmp/m32.exec"; [ $? = 126 ]; then
	# execve() answers ENOEXEC (bash: 126) when the kernel was built without
	# CONFIG_IA32_EMULATION or booted with ia32_emulation=0 (Linux 6.7)
	skip ia32-reported "this kernel runs no 32-bit programs (no ia32 emulation): $(head -1 "$tmp/m32.exec")"
else
	$MT verify -- "$tmp/m32" >/dev/null 2>"$tmp/m32.err"
	st=$?
	if [ "$st" = 1 ] && grep -q "^maptrace: 32-bit (ia32) processes are not traced: [0-9]* of their system calls were ignored" "$tmp/m32.err"; then
		pass "ia32-reported (verify exits 1 and says why)"
	else
		fail ia32-reported "exit $st: $(cat "$tmp/m32.err")"
	fi
fi

# --- pid reuse: the workload stops maptrace (SIGSTOP), lets a first owner
#     make 601 calls and exit, gives its pid to a second owner (clone3
#     set_tid), then resumes maptrace. The kernel hands the second owner the
#     freed mm_struct too, so both owners' events carry the same pid and mm:
#     the trace shows whether it did. Keyed by mm and ticket, the first
#     owner's queued events must still never reach the second's shadow.
$MT trace --json -o "$tmp/pr.jsonl" -- "$W/pid_reuse" >"$tmp/pr.tout" 2>"$tmp/pr.terr"
st=$?
if [ "$st" = 3 ]; then
	skip pid-reuse "the kernel refused clone3(set_tid): $(cat "$tmp/pr.terr")"
else
	# the two forks that made the same pid: same child_mm?
	same_mm=$(jq -rs '[.[] | select(.kind == "fork" and .thread == false)] | group_by(.child_pid) |
		map(select(length == 2)) | .[0] | if . == null then "no pid made twice"
		elif .[0].child_mm == .[1].child_mm then "pid and mm both recycled"
		else "pid recycled, new mm" end' "$tmp/pr.jsonl" 2>/dev/null)
	$MT verify -i 0 -- "$W/pid_reuse" >"$tmp/pr.out" 2>"$tmp/pr.err"
	st=$?
	if [ "$st" = 0 ] && [[ $(tail -n 1 "$tmp/pr.out") =~ $VERIFY_OK ]] &&
		[ "$(verify_figure "$tmp/pr.out" 2)" = 3 ] &&
		grep -q '^pid [0-9]* reused: 601 calls queued for its first owner$' "$tmp/pr.out" &&
		[ "$same_mm" != "no pid made twice" ]; then
		pass "pid-reuse ($same_mm; $(grep '^pid ' "$tmp/pr.out"); $(tail -n 1 "$tmp/pr.out"))"
	else
		fail pid-reuse "exit $st ($same_mm): $(tail -n 3 "$tmp/pr.out" "$tmp/pr.err" | tr '\n' ' ')"
	fi
fi

# --- 10,000 short-lived processes under verify -- COMMAND: each one
#     verified at its exit, none left in the registry afterwards, nothing
#     queued, and the loader's anonymous memory grows by less than 8 MiB
#     from its first sample to its last (sampled every 0.2 s)
$MT verify -v -i 200 -- "$W/spawn_many" 10000 >"$tmp/sm.out" 2>"$tmp/sm.err" &
mp=$!
sample_rss "$mp" "$tmp/sm.rss" &
wait "$mp"
st=$?
wait
reg=$(grep '^verify: registry at the end: ' "$tmp/sm.out")
first=$(head -n 1 "$tmp/sm.rss" 2>/dev/null)
last=$(sed -nE 's/.*, anonymous ([0-9]+) KiB$/\1/p' <<<"$reg")
spaces=$(verify_figure "$tmp/sm.out" 2)
if [ "$st" = 0 ] && [[ $(tail -n 1 "$tmp/sm.out") =~ $VERIFY_OK ]] && [ "${spaces:-0}" -gt 10000 ] &&
	[[ $reg == "verify: registry at the end: 0 address spaces (0 of exited processes), 0 queued events, 0 stack samples;"* ]] &&
	[ -n "$first" ] && [ -n "$last" ] && [ $((last - first)) -lt 8192 ]; then
	pass "many-processes ($spaces address spaces verified, registry empty at the end, anonymous memory ${first} -> ${last} KiB)"
else
	fail many-processes "exit $st, anonymous ${first:-?} -> ${last:-?} KiB: $(tail -n 2 "$tmp/sm.out" "$tmp/sm.err" | tr '\n' ' ')"
fi

# --- a process at vm.max_map_count: mmap fails with ENOMEM at the limit
#     (and so do an mprotect and a munmap that would split): verify proves
#     the shadow exact, and the trace reports exactly the failed calls the
#     workload counted, with ENOMEM
if [ -n "${MAX_MAP_COUNT:-}" ]; then
	saved_max_map_count=$(cat /proc/sys/vm/max_map_count)
	echo "$MAX_MAP_COUNT" >/proc/sys/vm/max_map_count
fi
limit=$(cat /proc/sys/vm/max_map_count)
if [ "$limit" -gt 262144 ]; then
	skip max-map-count "vm.max_map_count is $limit: too many regions to map (set MAX_MAP_COUNT=65530)"
else
	$MT verify -i 500 -- "$W/max_maps" >"$tmp/mm.out" 2>"$tmp/mm.err"
	st=$?
	$MT trace --json -o "$tmp/mm.jsonl" -- "$W/max_maps" >"$tmp/mm.tout" 2>>"$tmp/mm.err"
	tst=$?
	want=$(sed -nE 's/^regions [0-9]+, failed: (.*)$/\1/p' "$tmp/mm.tout")
	got=$(jq -r 'select(has("error")) | "\(.kind) \(.error)"' "$tmp/mm.jsonl" | sort | uniq -c |
	      awk '{ n[$2] = $1; e[$2] = e[$2] $3 } END {
		printf "mmap %d, mprotect %d, munmap %d %s%s%s", n["mmap"], n["mprotect"], n["munmap"],
			e["mmap"], e["mprotect"], e["munmap"] }')
	if [ "$st" = 0 ] && [ "$tst" = 0 ] && [[ $(tail -n 1 "$tmp/mm.out") =~ $VERIFY_OK ]] &&
		[ -n "$want" ] && [ "$got" = "$want ENOMEMENOMEMENOMEM" ]; then
		pass "max-map-count (limit $limit: $(head -n 1 "$tmp/mm.tout"); traced as failed with ENOMEM; $(tail -n 1 "$tmp/mm.out"))"
	else
		fail max-map-count "verify exit $st, trace exit $tst, workload '$want', traced '$got': $(tail -n 2 "$tmp/mm.out" "$tmp/mm.err" | tr '\n' ' ')"
	fi
fi
if [ -n "$saved_max_map_count" ]; then
	echo "$saved_max_map_count" >/proc/sys/vm/max_map_count
	saved_max_map_count=
fi

# --- only CAP_BPF + CAP_PERFMON, as nobody: enough to trace and verify a
#     command and a running process of the same user; a root process cannot
#     be compared, so verify -p fails saying so; with either capability
#     missing, one line naming it and exit 1
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	mkdir -m 0755 "$tmp/caps" && chmod 0755 "$tmp" &&
		cp "$MT" "$W/thread_race" "$tmp/caps/"
	as_nobody() { # CAPS COMMAND...: run as nobody with exactly CAPS
		local c=$1
		shift
		setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps="-all$c" \
			--ambient-caps="-all$c" --bounding-set="-all$c" "$@"
	}
	(cd "$tmp/caps" && as_nobody ,+bpf,+perfmon ./maptrace verify -i 50 -- ./thread_race) \
		>"$tmp/caps.out" 2>"$tmp/caps.err"
	st=$?
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --bounding-set=-all \
		sleep 3 &
	sp=$!
	sleep 0.3
	(cd "$tmp/caps" && as_nobody ,+bpf,+perfmon ./maptrace verify -i 100 -d 1 -p "$sp") \
		>"$tmp/capsp.out" 2>>"$tmp/caps.err"
	pst=$?
	kill "$sp" 2>/dev/null
	wait "$sp" 2>/dev/null
	# a root process: its maps cannot be read, so verify must not pass
	sleep 3 &
	sp=$!
	sleep 0.3
	(cd "$tmp/caps" && as_nobody ,+bpf,+perfmon ./maptrace verify -i 100 -d 1 -p "$sp") \
		>/dev/null 2>"$tmp/capsr.err"
	rst=$?
	kill "$sp" 2>/dev/null
	wait "$sp" 2>/dev/null
	(cd "$tmp/caps" && as_nobody ,+bpf ./maptrace trace -- /bin/true) >/dev/null 2>"$tmp/caps1.err"
	st1=$?
	(cd "$tmp/caps" && as_nobody "" ./maptrace trace -- /bin/true) >/dev/null 2>"$tmp/caps0.err"
	st0=$?
	if [ "$st" = 0 ] && [[ $(tail -n 1 "$tmp/caps.out") =~ $VERIFY_OK ]] &&
		[ "$pst" = 0 ] && [[ $(tail -n 1 "$tmp/capsp.out") =~ $VERIFY_OK ]] &&
		[ "$rst" = 1 ] && grep -q "^maptrace verify: [0-9]* checkpoint comparisons were not permitted (first: pid $sp)" "$tmp/capsr.err" &&
		[ "$st1" = 1 ] && [ "$(wc -l <"$tmp/caps1.err")" = 1 ] &&
		grep -qx 'maptrace: needs root or CAP_BPF+CAP_PERFMON, and CAP_PERFMON is missing (try: sudo maptrace ...)' "$tmp/caps1.err" &&
		[ "$st0" = 1 ] &&
		grep -qx 'maptrace: needs root or CAP_BPF+CAP_PERFMON, and both are missing (try: sudo maptrace ...)' "$tmp/caps0.err"; then
		pass "caps-only (verify -- and -p as nobody with CAP_BPF+CAP_PERFMON: $(tail -n 1 "$tmp/caps.out"); a root pid: $(cut -c1-80 "$tmp/capsr.err")...; without CAP_PERFMON: $(cat "$tmp/caps1.err"))"
	else
		fail caps-only "exits $st/$pst/$rst/$st1/$st0: $(tail -n 1 "$tmp/caps.out" "$tmp/capsp.out") $(cat "$tmp/caps.err" "$tmp/caps1.err" "$tmp/caps0.err" | tr '\n' ' ')"
	fi
else
	skip caps-only "no setpriv (util-linux) or no user nobody to drop to"
fi

# --- no kernel BTF (hidden in a private mount namespace): tracing commands
#     without --btf say so in one line and exit 1; with the BTF min_core_btf
#     cut for maptrace's objects, verify is exact through the no-BTF object;
#     explain works from /proc alone
if unshare -m true 2>/dev/null && bpftool gen min_core_btf /sys/kernel/btf/vmlinux "$tmp/min.btf" \
	.output/maptrace*.bpf.o 2>"$tmp/minbtf.err"; then
	unshare -m sh -c 'mount -t tmpfs none /sys/kernel/btf || exit 99
		"$1" verify -- /bin/true >/dev/null 2>"$2/btf.err"; echo "verify $?"
		"$1" trace -- /bin/true >/dev/null 2>"$2/btf2.err"; echo "trace $?"
		"$1" verify --btf "$2/min.btf" -- "$3/thread_race" >"$2/btf3.out" 2>"$2/btf3.err"; echo "verify-btf $?"
		"$1" explain -p $$ >"$2/btf.explain" 2>&1; echo "explain $?"' sh "$MT" "$tmp" "$W" >"$tmp/btf.st"
	msg="maptrace: cannot trace on kernel $(uname -r): kernel BTF not found at /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF): give this kernel's BTF with --btf FILE (make min-btf, or pahole -J from its vmlinux; see README: embedded boards) (see: maptrace features)"
	if [ "$(tr '\n' ' ' <"$tmp/btf.st")" = "verify 1 trace 1 verify-btf 0 explain 0 " ] &&
		[ "$(cat "$tmp/btf.err")" = "$msg" ] && [ "$(cat "$tmp/btf2.err")" = "$msg" ] &&
		grep -q '^verify: [1-9][0-9]* checkpoints, 1 address spaces, 0 divergent pages, 0 lost events$' "$tmp/btf3.out" &&
		grep -q '^verify: degraded on this kernel: calls: the no-BTF object' "$tmp/btf3.out" &&
		grep -q ' regions, ' "$tmp/btf.explain"; then
		pass "no-btf (exit 1 without --btf, saying what to give; with it: $(tail -n 1 "$tmp/btf3.out"); explain -p works)"
	else
		fail no-btf "$(tr '\n' ' ' <"$tmp/btf.st"): $(cat "$tmp/btf.err" "$tmp/btf2.err" | tr '\n' ' ') $(tail -n 1 "$tmp/btf3.out") $(head -c 300 "$tmp/btf3.err")"
	fi
else
	skip no-btf "cannot make a private mount namespace (unshare -m) or cut a BTF: $(head -c 200 "$tmp/minbtf.err" 2>/dev/null)"
fi

# --- /proc read racing the target's exit: explain -p and verify -p on
#     processes that end after 0-20 ms. Every outcome must be a full result
#     (explain: at least one region; verify: its summary line) or one of the
#     clear errors, never a success with an empty address space.
declare -A outcome=()
bad=""
for i in $(seq 0 99); do
	sleep "0.0$((i % 20 / 10))$((i % 10))" &
	sp=$!
	if ((i % 5)); then
		$MT explain -p "$sp" >"$tmp/tr.out" 2>"$tmp/tr.err"
		st=$?
		regions=$(sed -nE '1s/^pid [0-9]+ .*: [0-9]+ threads?, ([0-9]+) regions, .*/\1/p' "$tmp/tr.out")
		if [ "$st" = 0 ] && [ "${regions:-0}" -gt 0 ]; then
			k="explain: full"
		elif [ "$st" = 1 ] && grep -qE '^maptrace( explain)?: (no process with pid|pid [0-9]+ \(.*\) has no address space: it is (a zombie|exiting)|process [0-9]+ exited while it was being read)' "$tmp/tr.err"; then
			k="explain: $(sed -E 's/[0-9]+/N/g; s/\(sleep\)/(...)/' "$tmp/tr.err" | head -n 1 | cut -c1-60)"
		else
			bad+=" explain exit $st regions '${regions:-}' $(head -c 200 "$tmp/tr.err");"
			k=bad
		fi
	else
		$MT verify -i 0 -p "$sp" >"$tmp/tr.out" 2>"$tmp/tr.err"
		st=$?
		if [ "$st" = 0 ] && grep -qE '^verify: [0-9]+ checkpoints, [0-9]+ address spaces, 0 divergent pages, 0 lost events$' "$tmp/tr.out"; then
			k="verify: summary"
		elif [ "$st" = 1 ] && grep -qE '^maptrace: (no process with pid|pid [0-9]+ exited while its address space was read|pid [0-9]+ has no address space)' "$tmp/tr.err"; then
			k="verify: $(sed -E 's/[0-9]+/N/g' "$tmp/tr.err" | head -n 1 | cut -c1-60)"
		else
			bad+=" verify exit $st $(tail -c 200 "$tmp/tr.out" "$tmp/tr.err" | tr '\n' ' ');"
			k=bad
		fi
	fi
	outcome[$k]=$((${outcome[$k]:-0} + 1))
	wait "$sp" 2>/dev/null
done
summary=$(for k in "${!outcome[@]}"; do echo "${outcome[$k]}x $k"; done | sort | tr '\n' ';')
if [ -z "$bad" ]; then
	pass "truncated-read (100 racing reads: $summary)"
else
	fail truncated-read "$bad (all: $summary)"
fi

finish hardening
