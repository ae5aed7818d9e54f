#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run.sh - maptrace's integration tests: load the real BPF programs, trace
# the workloads of tests/workloads/ and assert exact results.
#
#   tests/integration/run.sh        (as root, after: make && make workloads)
#
# Each test prints "PASS name", "FAIL name: reason" or "SKIP name: reason";
# the last line is "integration: P passed, F failed, S skipped", and the exit
# status is 1 when a test failed. Tests that load BPF are skipped, with the
# reason, only when the machine cannot load it (not root, no kernel BTF):
# maptrace's own message decides. A missing ./maptrace or workload binary is
# a failure, not a skip. strace and jq are installed from Debian's archive
# when missing (root only).
#
# Tests:
#   features   maptrace features: this kernel can trace; text and JSON agree
#   verify-without-F/W  as verify/W on a kernel without fact F:
#              vma_iter_kfuncs (before 6.7): exec seeds by iterator, exit
#              check by ptrace stop of the command and its descendants;
#              exit_sees_mm (before 6.16): exit dumps in exit_mm(), -i 0
#   verify-without-kernel-btf/W, counts-..., attach-...  the no-BTF object
#              (MAPTRACE_KERNEL_BTF=none, --btf of min_core_btf's cut):
#              exact verify, stat's counts as with kernel BTF, verify -p
#   verify/W   maptrace verify -i 50 -- W: exit 0, no divergent page, no
#              lost event, at least one checkpoint and one address space
#              (thread_churn: threads exiting while others map)
#              (kernel_quirks: one test per step, verify/kernel_quirks:STEP;
#              failed_calls: calls that fail after changing part of their
#              range, each process exiting right after, before any resync)
#   counts/W   per-kind event counts of `maptrace trace --json` equal the
#              syscall counts strace sees, for the 11 mapping syscalls
#   json/hostile_names  every JSON line parses; every hostile path comes back
#              byte for byte (.path, or .path_hex when not valid UTF-8)
#   text/hostile_names  the text trace has one line per event, no control bytes
#   errors/mmap_ops     failed calls are reported with their errno names
#   events/mmap_ops     only fork-relevant madvise calls are events; a
#              prctl(PR_SET_VMA) event carries the name passed
#   cli/...    exit statuses and messages of the command line
#   attach/... verify -p on running processes (and their new children)
#   descendants/outliving  trace follows a descendant that outlives COMMAND
set -u

cd "$(dirname "$0")/../.." || exit 1

WORKLOADS=(mmap_ops thread_race mremap_forms heap_brk hostile_names sysv_shm lifecycle many_maps
	   aio_ring demo attach_loop kernel_quirks failed_calls killed_child uffd_events)
# verified only: the number of calls depends on timing (no counts test)
VERIFY_ONLY=(thread_churn)
# strace -e trace= set, and the event kinds compared (the same 11 names)
KINDS=(mmap munmap mprotect pkey_mprotect brk mremap shmat shmdt remap_file_pages io_setup io_destroy)
STRACE_SET=$(IFS=,; echo "${KINDS[*]}")

# MT, W, TIMEOUT, tmp; pass, fail, skip, detail, mt_ok, bpf_unavailable,
# finish, VERIFY_OK, wait_polling
. tests/integration/lib.sh

# Arguments each workload runs with, in ARGS. $2 says for which test, so
# that runs never share a directory.
wl_args() {
	ARGS=()
	case $1 in
	mmap_ops|mremap_forms|kernel_quirks|failed_calls)
		ARGS=("$tmp") ;;
	hostile_names)
		mkdir -p "$tmp/hostile-$2" && ARGS=("$tmp/hostile-$2") ;;
	lifecycle)
		# its SIGKILLed child and its exec amid busy threads make a
		# timing-dependent number of calls: "steady" leaves them out
		[ "$2" = counts ] && ARGS=(steady) ;;
	attach_loop)
		ARGS=(100 2) ;;   # 2 threads, 0.5 s; stdin is /dev/null: no wait
	spawn_many)
		ARGS=(500) ;;     # 500 processes, 16 at a time, every 50th exec's
	sysv_shm)
		# its first segment gets shmid 0 (if free), whose file has inode
		# 0: a file all the same, as on a machine's first SysV segment
		echo 0 >/proc/sys/kernel/shm_next_id ;;
	esac
	return 0
}

# "N kind" lines from an strace -f -o file: the name before '(' of each call
# line; a call split by another thread counts once (<unfinished ...>), its
# "<... resumed>" half not at all; "+++" and "---" lines are not calls.
strace_counts() {
	awk '{
		sub(/^[0-9]+ +/, "")
		if ($0 ~ /^<\.\.\. / || $0 ~ /^(\+\+\+|---) /)
			next
		if (match($0, /^[a-z_0-9]+\(/))
			n[substr($0, 1, RLENGTH - 1)]++
	}
	END { for (k in n) print n[k], k }' "$1"
}

# Bytes of a string as lowercase hex, no separators.
hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }

# Wait up to 2 s until process $1 runs the program named $2 (has exec'd).
wait_comm() {
	local i

	for ((i = 0; i < 200; i++)); do
		[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.01
	done
	return 1
}

need_bin() { # name file: fail the test when a binary was not built
	[ -x "$2" ] && return 0
	fail "$1" "$2 is not built (run: make && make workloads)"
	return 1
}

# ---------------------------------------------------------------- tests

# t_verify WORKLOAD [STEP]: kernel_quirks runs one step at a time, so that
# each quirk passes or fails on its own.
t_verify() {
	local w=$1 step=${2:-} name="verify${VERIFY_TAG:-}/$1${2:+:$2}" interval=50
	local out="$tmp/verify${VERIFY_TAG:-}-$1$step.out" err="$tmp/verify${VERIFY_TAG:-}-$1$step.err"
	local rc last

	need_bin "$name" "$W/$w" || return
	[ "$w" = many_maps ] && interval=500    # each checkpoint reads 60,000 lines
	wl_args "$w" verify
	[ -n "$step" ] && ARGS+=("$step")
	"${TIMEOUT[@]}" "$MT" verify -i "$interval" -- "$W/$w" "${ARGS[@]}" \
		</dev/null >"$out" 2>"$err"
	rc=$?
	last=$(tail -n 1 "$out")
	if (( rc != 0 )); then
		fail "$name" "exit status $rc; last line: ${last:-none}"
		grep -m 6 -A 2 DIVERGENCE "$out" | cut -c1-240 | sed 's/^/    | /'
		detail "$err" 4
	elif ! [[ $last =~ $VERIFY_OK ]]; then
		fail "$name" "summary line is '$last'"
	else
		pass "$name"
	fi
}

# maptrace features: this kernel can trace, text and JSON agree
t_features() {
	local name=features out="$tmp/features.txt" json="$tmp/features.json" rc

	"$MT" features >"$out" 2>"$tmp/features.err"
	rc=$?
	"$MT" features --json >"$json" 2>>"$tmp/features.err"
	if (( rc != 0 )); then
		fail "$name" "exit status $rc: $(grep -m1 '^tracing' "$out")"
	elif ! grep -qx 'tracing: possible' "$out"; then
		fail "$name" "no 'tracing: possible' line"
	elif [ "$(jq -r '[.can_trace, (.features | length), (.mechanisms | length)] | @tsv' "$json")" != \
		"$(printf 'true\t21\t5')" ]; then
		fail "$name" "JSON: $(head -c 300 "$json")"
	else
		pass "$name ($(grep -c DEGRADED "$out") degraded jobs)"
	fi
}

# An older kernel's path, on any kernel (MAPTRACE_PRETEND_MISSING):
#  - no vma iterator kfuncs (before 6.7): exec'd address spaces are read
#    by the iterator, every process is stopped in exit by ptrace and
#    compared with /proc, and verify names the degradation;
#  - no exit tracepoint that sees the mm (before 6.16): the exit dump is
#    taken in exit_mm(); with -i 0 it is the only comparison there is.
#  - tp_mmap_lock,fexit_mm_locks (arm64's 5.10): neither the modern nor the
#    legacy object can run; the no-BTF one does, on the kernel's own BTF;
#  - +tp_preemptible (7.x): tracepoint programs may be preempted, so
#    syscalls are seen through the classic raw_syscalls tracepoints
#    (bpf_task_pt_regs() for the arguments) instead of tp_btf.
# t_verify_as_on [+]FEATURE WORKLOAD [STEP] (+: present rather than missing)
t_verify_as_on() {
	local ft=$1 w=$2 step=${3:-} name out err interval=50 degraded="" env=MAPTRACE_PRETEND_MISSING

	case $ft in
	+*) ft=${ft#+}; env=MAPTRACE_PRETEND_PRESENT; name="verify-with-$ft/$w${step:+:$step}" ;;
	*) name="verify-without-$ft/$w${step:+:$step}" ;;
	esac
	out="$tmp/as-$ft-$w$step.out" err="$tmp/as-$ft-$w$step.err"
	need_bin "$name" "$W/$w" || return
	wl_args "$w" verify
	[ -n "$step" ] && ARGS+=("$step")
	case $ft in
	vma_iter_kfuncs) degraded='^verify: degraded on this kernel: exit check: no vma iterator kfuncs' ;;
	exit_sees_mm) interval=0 ;;
	# neither the modern nor the legacy object: the no-BTF one, on the
	# kernel's own BTF (as arm64's 5.10)
	tp_mmap_lock,fexit_mm_locks) degraded='^verify: degraded on this kernel: exit check: no in-kernel dumps' ;;
	esac
	env "$env=$ft" "${TIMEOUT[@]}" "$MT" verify -i "$interval" -- \
		"$W/$w" "${ARGS[@]}" </dev/null >"$out" 2>"$err"
	verify_verdict "$name" "$out" "$err" $? "$degraded"
}

# The verdict on a verify run: exit status $4 0, its summary line (in $2)
# exact, and the degradation matching $5 named (none, when $5 is empty).
verify_verdict() {
	local name=$1 out=$2 err=$3 rc=$4 degraded=$5
	if (( rc != 0 )); then
		fail "$name" "exit status $rc; last line: $(tail -n 1 "$out")"
		grep -m 6 -A 2 DIVERGENCE "$out" | cut -c1-240 | sed 's/^/    | /'
		detail "$err" 4
	elif ! [[ $(tail -n 1 "$out") =~ $VERIFY_OK ]]; then
		fail "$name" "summary line is '$(tail -n 1 "$out")'"
	elif [ -n "$degraded" ] && ! grep -q "$degraded" "$out"; then
		fail "$name" "the degradation is not named"
	elif [ -z "$degraded" ] && grep -q '^verify: degraded' "$out"; then
		fail "$name" "a degradation is named: $(grep -m1 '^verify: degraded' "$out")"
	else
		pass "$name"
	fi
}

# Through the classic syscall tracepoints (tp_preemptible) stat counts
# each call once: the same totals as through tp_btf, kind by kind.
t_classic_tp_counts() {
	local w=$1 name="counts-with-tp_preemptible/$1" a="$tmp/classic-$1-a.json" b="$tmp/classic-$1-b.json"

	need_bin "$name" "$W/$w" || return
	wl_args "$w" counts
	"${TIMEOUT[@]}" "$MT" stat --json -o "$a" -- "$W/$w" "${ARGS[@]}" </dev/null >/dev/null 2>&1
	MAPTRACE_PRETEND_PRESENT=tp_preemptible "${TIMEOUT[@]}" "$MT" stat --json -o "$b" -- \
		"$W/$w" "${ARGS[@]}" </dev/null >/dev/null 2>&1
	if [ "$(jq -c .total.calls "$a")" = "$(jq -c .total.calls "$b")" ] &&
		[ "$(jq -r '.total.calls.mmap' "$a")" -gt 0 ]; then
		pass "$name ($(jq -r '.total.calls.mmap' "$b") mmap calls)"
	else
		fail "$name" "without: $(jq -c .total.calls "$a"); with: $(jq -c .total.calls "$b")"
	fi
}


# Where the exit check needs ptrace (no vma iterator kfuncs), a
# CLONE_UNTRACED child escapes it: with no periodic checkpoint (-i 0) its
# address space is never compared, and verify must fail, naming it.
t_uncompared_fails() {
	local name=verify-without-vma_iter_kfuncs/uncompared out="$tmp/uncompared.out" err="$tmp/uncompared.err" rc

	need_bin "$name" "$W/kernel_quirks" || return
	MAPTRACE_PRETEND_MISSING=vma_iter_kfuncs "${TIMEOUT[@]}" "$MT" verify -i 0 -- \
		"$W/kernel_quirks" "$tmp" untraced </dev/null >"$out" 2>"$err"
	rc=$?
	if (( rc == 1 )) && grep -q '^maptrace verify: 1 address spaces ended without being compared (first: pid [0-9]*, kernel_quirks)' "$err" &&
		grep -q '^verify: 1 checkpoints, 1 address spaces, 0 divergent pages, 0 lost events$' "$out"; then
		pass "$name"
	else
		fail "$name" "exit status $rc: $(tail -n 1 "$out") / $(head -c 300 "$err")"
	fi
}

# --btf FILE (and MAPTRACE_BTF): CO-RE relocations from a BTF file, here
# the few KiB `make min-btf` cuts for maptrace's objects from this kernel's
# BTF. It must be enough for exact verify; a file without the modern
# object's types must fail naming a program; a missing file, in one line.
t_btf_file() {
	local name=verify-btf-file/thread_race min="$tmp/min.btf" part="$tmp/min-legacy.btf" out err rc
	out="$tmp/btf.out" err="$tmp/btf.err"
	need_bin "$name" "$W/thread_race" || return
	if ! bpftool gen min_core_btf /sys/kernel/btf/vmlinux "$min" .output/maptrace.bpf.o \
		.output/maptrace_legacy.bpf.o 2>"$err" ||
		! bpftool gen min_core_btf /sys/kernel/btf/vmlinux "$part" .output/maptrace_legacy.bpf.o 2>>"$err"; then
		fail "$name" "bpftool gen min_core_btf: $(head -c 200 "$err")"
		return
	fi
	"${TIMEOUT[@]}" "$MT" verify --btf "$min" -i 50 -- "$W/thread_race" </dev/null >"$out" 2>"$err"
	rc=$?
	if (( rc != 0 )) || ! [[ $(tail -n 1 "$out") =~ $VERIFY_OK ]]; then
		fail "$name" "exit status $rc; last line: $(tail -n 1 "$out"); $(head -c 200 "$err")"
		return
	fi
	MAPTRACE_BTF=$min "${TIMEOUT[@]}" "$MT" stat -o /dev/null -- "$W/thread_race" </dev/null >/dev/null 2>"$err"
	rc=$?
	if (( rc != 0 )); then
		fail "$name" "MAPTRACE_BTF: stat exit status $rc: $(head -c 200 "$err")"
		return
	fi
	"$MT" trace --btf "$part" -o /dev/null -- /bin/true </dev/null >/dev/null 2>"$err"
	rc=$?
	if (( rc != 1 )) || ! grep -q "^maptrace: the kernel refused BPF program '[a-z_]*' of the modern object: .*CO-RE relocation" "$err"; then
		fail "$name" "a BTF without the modern object's types: exit status $rc: $(grep -m1 '^maptrace' "$err")"
		return
	fi
	"$MT" trace --btf "$tmp/no-such.btf" -o /dev/null -- /bin/true </dev/null >/dev/null 2>"$err"
	rc=$?
	if (( rc != 1 )) || [ "$(grep -c . "$err")" != 1 ] || ! grep -q "^maptrace: --btf .*no-such.btf: not a readable BTF file" "$err"; then
		fail "$name" "a missing BTF file: exit status $rc: $(head -c 200 "$err")"
		return
	fi
	pass "$name ($(stat -c %s "$min") bytes of BTF)"
}

# As on a board whose kernel has no BTF: MAPTRACE_KERNEL_BTF=none, and the
# BTF `bpftool gen min_core_btf` cuts for the no-BTF object from this
# kernel's. NOBTF_ENV is the environment that runs maptrace so.
NOBTF_ENV=()
nobtf_env() {
	local min="$tmp/min-nobtf.btf"
	if [ ! -s "$min" ] && ! bpftool gen min_core_btf /sys/kernel/btf/vmlinux "$min" \
		.output/maptrace_nobtf.bpf.o >"$tmp/min-nobtf.err" 2>&1; then
		fail "$1" "bpftool gen min_core_btf: $(head -c 200 "$tmp/min-nobtf.err")"
		return 1
	fi
	NOBTF_ENV=(env MAPTRACE_KERNEL_BTF=none MAPTRACE_BTF="$min")
}

# verify W [STEP] through the no-BTF object: as exact, with what it cannot
# do named (no exit dump: the exit check stops processes under ptrace).
t_verify_nobtf() {
	local w=$1 step=${2:-} name="verify-without-kernel-btf/$1${2:+:$2}" out err
	out="$tmp/nobtf-$w$step.out" err="$tmp/nobtf-$w$step.err"
	need_bin "$name" "$W/$w" || return
	nobtf_env "$name" || return
	wl_args "$w" verify
	[ -n "$step" ] && ARGS+=("$step")
	"${NOBTF_ENV[@]}" "${TIMEOUT[@]}" "$MT" verify -i 50 -- "$W/$w" "${ARGS[@]}" \
		</dev/null >"$out" 2>"$err"
	verify_verdict "$name" "$out" "$err" $? '^verify: degraded on this kernel: exit check: no in-kernel dumps'
}

# Through the no-BTF object stat counts what it counts with kernel BTF,
# kind by kind; without --btf, maptrace refuses in one line saying what to
# give it.
t_nobtf_counts() {
	local w=$1 name="counts-without-kernel-btf/$1" a="$tmp/nobtf-$1-a.json" b="$tmp/nobtf-$1-b.json"
	local err="$tmp/nobtf-counts.err" rc

	need_bin "$name" "$W/$w" || return
	nobtf_env "$name" || return
	wl_args "$w" counts
	"${TIMEOUT[@]}" "$MT" stat --json -o "$a" -- "$W/$w" "${ARGS[@]}" </dev/null >/dev/null 2>&1
	"${NOBTF_ENV[@]}" "${TIMEOUT[@]}" "$MT" stat --json -o "$b" -- \
		"$W/$w" "${ARGS[@]}" </dev/null >/dev/null 2>&1
	if [ "$(jq -c .total.calls "$a")" != "$(jq -c .total.calls "$b")" ] ||
		[ "$(jq -r '.total.calls.mmap' "$a")" -le 0 ] || [ "$(jq -r .lost_events "$b")" != 0 ]; then
		fail "$name" "with kernel BTF: $(jq -c .total.calls "$a"); without: $(jq -c '[.total.calls, .lost_events]' "$b")"
		return
	fi
	MAPTRACE_KERNEL_BTF=none "$MT" stat -o /dev/null -- /bin/true </dev/null >/dev/null 2>"$err"
	rc=$?
	if (( rc != 1 )) || [ "$(grep -c . "$err")" != 1 ] ||
		! grep -q "^maptrace: cannot trace on kernel .*MAPTRACE_KERNEL_BTF=none and no --btf FILE" "$err"; then
		fail "$name" "without --btf: exit status $rc: $(head -c 300 "$err")"
		return
	fi
	pass "$name ($(jq -r '.total.calls.mmap' "$b") mmap calls)"
}

# A kernel with neither the mmap_lock tracepoints nor fexit on the rwsem
# calls behind the mmap lock (the legacy object's way to order) nor kprobes
# on the unlocks (the no-BTF object's) cannot order an address space's
# changes: maptrace must refuse, saying why, rather than trace out of order. (The legacy object itself runs in the
# kernel matrix's 5.10 guest: this machine refuses fexit.)
t_cli_cannot_order() {
	local name=cli/cannot_order out="$tmp/cannot-order.out" err="$tmp/cannot-order.err" rc

	MAPTRACE_PRETEND_MISSING=tp_mmap_lock,fexit_mm_locks,classic_mmap_lock,kprobes "${TIMEOUT[@]}" \
		"$MT" trace -- /bin/true </dev/null >"$out" 2>"$err"
	rc=$?
	if (( rc == 1 )) && grep -q "^maptrace: cannot trace on kernel .*no mmap_lock tracepoints.*fexit.*kprobes.*cannot order" "$err"; then
		pass "$name"
	else
		fail "$name" "exit status $rc: $(head -c 300 "$err")"
	fi
}

# With no ticket slots every mm keeps its counter in the overflow hash
# (bpf/tickets.bpf.h), with one slot the first mm to draw a ticket keeps it
# there and the others in the hash: both places must order and stamp
# events exactly alike.
t_verify_hashed_tickets() {
	VERIFY_TAG=-hashed-tickets MAPTRACE_TICKET_SLOTS=0 t_verify "$@"
}

t_verify_mixed_tickets() {
	VERIFY_TAG=-mixed-tickets MAPTRACE_TICKET_SLOTS=1 t_verify "$@"
}

# 300 short-lived children: their mms reuse the addresses of the ones that
# exited, so the hash's counters are reset on fork and exec, or the new
# mm's tickets would not start at 1 (and its checkpoints never come).
t_hashed_tickets_recycled() {
	local name=verify-hashed-tickets/spawn_many out="$tmp/hashed-spawn.out"
	local err="$tmp/hashed-spawn.err" rc last

	need_bin "$name" "$W/spawn_many" || return
	MAPTRACE_TICKET_SLOTS=0 "${TIMEOUT[@]}" "$MT" verify -i 50 -- "$W/spawn_many" 300 \
		</dev/null >"$out" 2>"$err"
	rc=$?
	last=$(tail -n 1 "$out")
	if (( rc != 0 )); then
		fail "$name" "exit status $rc; last line: ${last:-none}"
		detail "$err" 4
	elif ! [[ $last =~ $VERIFY_OK ]] ||
		(( $(sed -n 's/^verify: [0-9]* checkpoints, \([0-9]*\) address spaces,.*/\1/p' "$out") +
		   $(sed -n 's/^verify: \([0-9]*\) address spaces were replaced by exec.*/\1/p' "$out" | grep . || echo 0) != 307 )); then
		# the parent, 300 children and the 6 images every 50th execs:
		# compared, or (a child's first image, which a checkpoint may or
		# may not catch before its exec) replaced by exec uncompared
		fail "$name" "summary line is '$last' ($(grep -m1 'replaced by exec' "$out")), expected 307 address spaces compared or replaced by exec"
	else
		pass "$name"
	fi
}

t_cli_bad_ticket_slots() {
	local name=cli/bad_ticket_slots err="$tmp/slots.err" rc

	MAPTRACE_TICKET_SLOTS=3 "$MT" stat -- true 2>"$err"
	rc=$?
	if (( rc != 1 )); then
		fail "$name" "exit status $rc, expected 1"
	elif ! grep -q "MAPTRACE_TICKET_SLOTS='3' is neither 0 nor a power of two" "$err"; then
		fail "$name" "message: $(head -c 200 "$err")"
	else
		pass "$name"
	fi
}

t_counts() {
	local w=$1 name="counts/$1" jf="$tmp/counts-$1.jsonl" sf="$tmp/counts-$1.strace"
	local err="$tmp/counts-$1.err" rc n k a b diffs=""
	local -A mt=() st=()

	need_bin "$name" "$W/$w" || return
	wl_args "$w" counts
	mt_ok "$name" "$err" trace --json -o "$jf" -- "$W/$w" "${ARGS[@]}" || return
	wl_args "$w" counts
	"${TIMEOUT[@]}" strace -f -qq -o "$sf" -e trace="$STRACE_SET" -- "$W/$w" "${ARGS[@]}" \
		</dev/null 2>"$err"
	rc=$?
	if (( rc != 0 )); then
		fail "$name" "the workload under strace exited with status $rc"
		detail "$err" 4
		return
	fi
	if ! jq -r .kind "$jf" >"$tmp/kinds" 2>"$err"; then
		fail "$name" "the JSON trace does not parse: $(head -n 1 "$err")"
		return
	fi
	while read -r n k; do mt[$k]=$n; done < <(sort "$tmp/kinds" | uniq -c)
	while read -r n k; do st[$k]=$n; done < <(strace_counts "$sf")
	for k in "${KINDS[@]}"; do
		a=${mt[$k]:-0} b=${st[$k]:-0}
		[ "$a" = "$b" ] || diffs+=" $k: maptrace $a, strace $b;"
	done
	if [ -n "$diffs" ]; then
		fail "$name" "counts differ:${diffs%;}"
	elif [ "${mt[exec]:-0}" -lt 1 ]; then
		fail "$name" "no exec event in the trace"
	else
		pass "$name"
	fi
}

# The hostile names come back exactly: every line is one JSON object, and
# each path the workload mapped (its manifest: NUL-terminated full paths)
# is the path of an mmap event, byte for byte.
t_json_hostile() {
	local name=json/hostile_names dir="$tmp/hostile-json" man="$tmp/hostile.manifest"
	local jf="$tmp/hostile.jsonl" err="$tmp/hostile.err" rc lines objs enc p h n=0 missing=""
	local -A seen=()

	need_bin "$name" "$W/hostile_names" || return
	mkdir -p "$dir"
	mt_ok "$name" "$err" trace --json -o "$jf" -- "$W/hostile_names" "$dir" "$man" || return
	lines=$(wc -l <"$jf")
	if ! objs=$(jq -c 'select(type == "object" and (.kind | type) == "string")' "$jf" 2>"$err" |
		    wc -l) || [ -s "$err" ]; then
		fail "$name" "jq cannot parse the trace: $(head -n 1 "$err")"
		return
	fi
	if [ -n "$(tail -c 1 "$jf")" ] || (( lines == 0 || objs != lines )); then
		fail "$name" "$lines lines but $objs JSON objects with a kind (or no final newline)"
		return
	fi
	while IFS= read -r enc; do
		case $enc in
		hex:*) h=${enc#hex:} ;;
		b64:*) h=$(printf '%s' "${enc#b64:}" | base64 -d | od -An -v -tx1 | tr -d ' \n') ;;
		esac
		seen[$h]=1
	done < <(jq -r 'select(.kind == "mmap" and has("path")) |
			if has("path_hex") then "hex:" + .path_hex else "b64:" + (.path | @base64) end' "$jf")
	while IFS= read -r -d '' p; do
		n=$((n + 1))
		[ -n "${seen[$(hex "$p")]:-}" ] || missing+=" $(printf '%q' "${p#"$dir"/}" | cut -c1-60)"
	done <"$man"
	if (( n != 13 )); then
		fail "$name" "the workload's manifest lists $n paths, expected 13"
	elif [ -n "$missing" ]; then
		fail "$name" "paths not reported exactly:$missing"
	elif [ "$(jq -r 'select(.kind == "mmap" and .path == "/memfd:wl:memfd" and .deleted == true) |
			 .kind' "$jf" | wc -l)" != 1 ]; then
		fail "$name" "no mmap event with path \"/memfd:wl:memfd\" and deleted true"
	else
		pass "$name"
	fi
}

# The text trace: one line per event, and no terminal control bytes from
# file names (a name with a newline must not forge a second event line).
t_text_hostile() {
	local name=text/hostile_names dir="$tmp/hostile-text" tf="$tmp/hostile.txt"
	local jf="$tmp/hostile-text.jsonl" err="$tmp/hostile-text.err" rc events lines ctl

	need_bin "$name" "$W/hostile_names" || return
	mkdir -p "$dir"
	mt_ok "$name" "$err" trace --json -o "$jf" -- "$W/hostile_names" "$dir" || return
	mt_ok "$name" "$err" trace -o "$tf" -- "$W/hostile_names" "$dir" || return
	events=$(wc -l <"$jf")
	lines=$(wc -l <"$tf")
	ctl=$(LC_ALL=C grep -c $'[\x01-\x09\x0b-\x1f\x7f]' "$tf")
	if (( lines != events )); then
		fail "$name" "$lines text lines for $events events: a file name's newline is printed raw"
		LC_ALL=C grep -n -A1 "$dir/new" "$tf" | cut -c1-200 | cat -A | sed 's/^/    | /'
	elif (( ctl != 0 )); then
		fail "$name" "$ctl text lines hold raw control bytes (tab, escape, ...) from file names"
		LC_ALL=C grep $'[\x01-\x09\x0b-\x1f\x7f]' "$tf" | cut -c1-200 | cat -A | sed 's/^/    | /'
	else
		pass "$name"
	fi
}

# Failed calls carry their errno name: mmap_ops makes exactly these five
# (its prctl(PR_SET_VMA) fails too on kernels without CONFIG_ANON_VMA_NAME:
# left out here).
t_errors() {
	local name=errors/mmap_ops jf="$tmp/errors.jsonl" err="$tmp/errors.err" rc got want

	need_bin "$name" "$W/mmap_ops" || return
	mt_ok "$name" "$err" trace --json -o "$jf" -- "$W/mmap_ops" "$tmp" || return
	got=$(jq -r 'select(has("error") and .kind != "prctl") | "\(.kind) \(.ret) \(.error)"' "$jf" |
	      sort | uniq -c | awk '{ printf "%s%s x%s", sep, $2 " " $3 " " $4, $1; sep = ", " }')
	want="mmap -17 EEXIST x1, mmap -22 EINVAL x1, mprotect -12 ENOMEM x2, munmap -22 EINVAL x1"
	if [ "$got" != "$want" ]; then
		fail "$name" "failed calls: '$got', expected '$want'"
	else
		pass "$name"
	fi
}

# Filtered kinds: of mmap_ops' three madvise calls only MADV_DONTFORK (10)
# and MADV_DOFORK (11) are events; its first prctl(PR_SET_VMA_ANON_NAME)
# names "wl:arena", and the event must say so whether or not the kernel
# accepted it (as strace shows the arguments of a failed call).
t_events() {
	local name=events/mmap_ops jf="$tmp/events.jsonl" err="$tmp/events.err" rc advice pr

	need_bin "$name" "$W/mmap_ops" || return
	mt_ok "$name" "$err" trace --json -o "$jf" -- "$W/mmap_ops" "$tmp" || return
	advice=$(jq -r 'select(.kind == "madvise") | .args.advice' "$jf" | tr '\n' ' ')
	pr=$(jq -c 'select(.kind == "prctl")' "$jf" | head -n 1)
	if [ "$advice" != "MADV_DONTFORK MADV_DOFORK " ]; then
		fail "$name" "madvise events with advice '$advice', expected 'MADV_DONTFORK MADV_DOFORK '"
	elif [ -z "$pr" ]; then
		fail "$name" "no prctl event"
	elif [ "$(jq -r .args.name <<<"$pr")" != "wl:arena" ]; then
		fail "$name" "the prctl(PR_SET_VMA_ANON_NAME, \"wl:arena\") event shows name \"$(jq -r .args.name <<<"$pr")\" ($(jq -r '.error // "succeeded"' <<<"$pr"))"
		printf '%s\n' "$pr" | cut -c1-240 | sed 's/^/    | /'
	else
		pass "$name"
	fi
}

# A descendant that outlives COMMAND is still a descendant: like strace -f,
# trace must follow it to its end (here: sleep, then the exec of true).
t_outliving() {
	local name=descendants/outliving jf="$tmp/outliving.jsonl" err="$tmp/outliving.err" rc
	local execs unended

	"${TIMEOUT[@]}" "$MT" trace --json -o "$jf" -- \
		/bin/sh -c '(/bin/sleep 0.3; exec /bin/true) & exit 0' </dev/null 2>"$err"
	rc=$?
	sleep 0.5   # let the orphan finish in any case
	if (( rc != 0 )); then
		fail "$name" "maptrace trace exited with status $rc"
		detail "$err" 4
		return
	fi
	execs=$(jq -r 'select(.kind == "exec") | .path' "$jf" | tr '\n' ' ')
	# processes (by pid) whose last thread-group exit is not in the trace
	unended=$(jq -rs '[.[] | select(.kind == "exec" or .kind == "fork") |
			     if .kind == "fork" then .child_pid else .pid end] - [.[] |
			     select(.kind == "exit") | .pid] | unique | map(tostring) | join(" ")' "$jf")
	if [ "$execs" != "/bin/sh /bin/sleep /bin/true " ]; then
		fail "$name" "exec events: '$execs'; expected sh, sleep, then /bin/true"
	elif [ -n "$unended" ]; then
		fail "$name" "no exit event for pid(s) $unended"
	else
		pass "$name"
	fi
}

t_cli_missing_command() {
	local name=cli/missing_command out="$tmp/cli.out" rc

	"${TIMEOUT[@]}" "$MT" trace -- "$tmp/no-such-command" >"$out" 2>&1
	rc=$?
	if (( rc == 0 )); then
		fail "$name" "exit status 0"
	elif ! grep -q "cannot run" "$out"; then
		fail "$name" "no 'cannot run' message: $(head -n 1 "$out")"
	else
		pass "$name"
	fi
}

t_cli_exit_status() {
	local name=cli/exit_status out="$tmp/cli.out" rc last

	"${TIMEOUT[@]}" "$MT" verify -- sh -c 'exit 3' >"$out" 2>"$tmp/cli.err"
	rc=$?
	last=$(tail -n 1 "$out")
	if (( rc != 3 )); then
		fail "$name" "exit status $rc, expected the command's 3; last line: $last"
	elif ! [[ $last =~ $VERIFY_OK ]]; then
		fail "$name" "summary line is '$last'"
	else
		pass "$name"
	fi
}

t_cli_no_such_pid() {
	local name=cli/no_such_pid out="$tmp/cli.out" pid=999999 rc

	while kill -0 "$pid" 2>/dev/null; do pid=$((pid - 1)); done
	"${TIMEOUT[@]}" "$MT" trace -p "$pid" >"$out" 2>&1
	rc=$?
	if (( rc == 0 )); then
		fail "$name" "exit status 0 for pid $pid"
	elif ! grep -q "no process" "$out"; then
		fail "$name" "no 'no process' message: $(head -n 1 "$out")"
	else
		pass "$name"
	fi
}

t_cli_no_target() {
	local name=cli/no_target out="$tmp/cli.out" rc

	"${TIMEOUT[@]}" "$MT" trace >"$out" 2>&1
	rc=$?
	if (( rc != 2 )); then
		fail "$name" "exit status $rc, expected 2"
	else
		pass "$name"
	fi
}

# verify -p on a process whose 3 threads keep changing its address space:
# attach while it waits on a pipe, release it, stop after 2 s while it still
# runs.
t_attach_loop() {
	local name=attach/attach_loop fifo="$tmp/attach.fifo" out="$tmp/attach.out"
	local err="$tmp/attach.err" pid mpid fd rc wrc last mode=${1:-}

	need_bin "$name" "$W/attach_loop" || return
	NOBTF_ENV=()
	if [ "$mode" = nobtf ]; then
		name=attach-without-kernel-btf/attach_loop fifo="$tmp/attach-nobtf.fifo"
		nobtf_env "$name" || return
	fi
	mkfifo "$fifo" || { fail "$name" "mkfifo failed"; return; }
	"$W/attach_loop" 600 3 <"$fifo" &
	pid=$!
	exec {fd}>"$fifo"     # lets the workload's open of the fifo complete
	wait_comm "$pid" attach_loop
	"${NOBTF_ENV[@]}" "${TIMEOUT[@]}" "$MT" verify -i 100 -d 2 -p "$pid" >"$out" 2>"$err" &
	mpid=$!
	wait_polling "$mpid"  # on failure: go on, the checks below say what happened
	printf x >&"$fd"
	exec {fd}>&-
	wait "$mpid"
	rc=$?
	wait "$pid"
	wrc=$?
	last=$(tail -n 1 "$out")
	if (( rc != 0 )); then
		fail "$name" "exit status $rc; last line: ${last:-none}"
		grep -m 6 -A 2 DIVERGENCE "$out" | cut -c1-240 | sed 's/^/    | /'
		detail "$err" 4
	elif ! [[ $last =~ $VERIFY_OK ]]; then
		fail "$name" "summary line is '$last'"
	elif (( wrc != 0 )); then
		fail "$name" "the workload exited with status $wrc"
	else
		pass "$name"
	fi
}

# verify -p on a shell that, once released, runs two workloads: the new
# children are traced and verified too. 11 address spaces: the shell, 7 of
# lifecycle steady (itself, a fork child, /bin/true, the thread-exec'd image,
# a fork chain of 3), 3 of mmap_ops (itself, two fork children).
t_attach_children() {
	local name=attach/children fifo="$tmp/children.fifo" out="$tmp/children.out"
	local err="$tmp/children.err" pid mpid fd rc wrc last

	need_bin "$name" "$W/lifecycle" && need_bin "$name" "$W/mmap_ops" || return
	mkfifo "$fifo" || { fail "$name" "mkfifo failed"; return; }
	sh -c 'read -r x && "$1" steady && "$2" "$3"' sh "$W/lifecycle" "$W/mmap_ops" "$tmp" \
		<"$fifo" &
	pid=$!
	exec {fd}>"$fifo"
	wait_comm "$pid" sh
	"${TIMEOUT[@]}" "$MT" verify -i 100 -p "$pid" >"$out" 2>"$err" &
	mpid=$!
	wait_polling "$mpid"  # children forked before the attach would not be traced
	echo go >&"$fd"
	exec {fd}>&-
	wait "$mpid"
	rc=$?
	wait "$pid"
	wrc=$?
	last=$(tail -n 1 "$out")
	if (( rc != 0 )); then
		fail "$name" "exit status $rc; last line: ${last:-none}"
		grep -m 6 -A 2 DIVERGENCE "$out" | cut -c1-240 | sed 's/^/    | /'
		detail "$err" 4
	elif ! [[ $last =~ $VERIFY_OK ]]; then
		fail "$name" "summary line is '$last'"
	elif ! [[ $last =~ \ 11\ address\ spaces, ]]; then
		fail "$name" "summary line is '$last', expected 11 address spaces"
	elif (( wrc != 0 )); then
		fail "$name" "the shell and its workloads exited with status $wrc"
	else
		pass "$name"
	fi
}

# verify -p on a process that makes no mapping call while watched.
t_attach_sleep() {
	local name=attach/sleep out="$tmp/attach-sleep.out" err="$tmp/attach-sleep.err" pid rc last

	sleep 3 &
	pid=$!
	"${TIMEOUT[@]}" "$MT" verify -i 100 -d 1 -p "$pid" >"$out" 2>"$err"
	rc=$?
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	last=$(tail -n 1 "$out")
	if (( rc != 0 )); then
		fail "$name" "exit status $rc; last line: ${last:-none}"
		detail "$err" 4
	elif ! [[ $last =~ $VERIFY_OK ]]; then
		fail "$name" "summary line is '$last'"
	else
		pass "$name"
	fi
}

# ---------------------------------------------------------------- main

# Why BPF cannot be used here, or empty.
no_bpf=""
if [ "$(id -u)" != 0 ]; then
	no_bpf="not root: these tests load BPF programs (run: sudo $0)"
elif [ -x "$MT" ] && ! "$MT" trace -- /bin/true >/dev/null 2>"$tmp/probe"; then
	if grep -q -e "needs root" -e "kernel BTF not found" "$tmp/probe"; then
		no_bpf="maptrace cannot load BPF here: $(grep -m 1 -e "needs root" -e "kernel BTF not found" "$tmp/probe")"
	fi
	# any other failure is maptrace's: the tests run and fail with it
fi

if [ -z "$no_bpf" ]; then
	for tool in strace jq; do
		command -v "$tool" >/dev/null && continue
		echo "integration: installing $tool"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null 2>&1 ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq "$tool"; } >/dev/null 2>&1
	done
fi

# name needs_bpf needs_tools function args...
run() {
	local name=$1 bpf=$2 tools=$3 tool
	shift 3
	if [ "$bpf" = bpf ] && [ -n "$no_bpf" ]; then
		skip "$name" "$no_bpf"
		return
	fi
	if [ ! -x "$MT" ]; then
		fail "$name" "$MT is not built (run: make)"
		return
	fi
	for tool in $tools; do
		if ! command -v "$tool" >/dev/null; then
			fail "$name" "$tool is not installed (run: make deps)"
			return
		fi
	done
	# a test that does not exist must fail, not vanish
	if ! declare -F "$1" >/dev/null; then
		fail "$name" "no test function '$1' in $0"
		return
	fi
	"$@"
}

run features bpf jq t_features
run cli/no_target - "" t_cli_no_target
run cli/missing_command bpf "" t_cli_missing_command
run cli/exit_status bpf "" t_cli_exit_status
run cli/no_such_pid bpf "" t_cli_no_such_pid
run cli/cannot_order bpf "" t_cli_cannot_order
for w in "${WORKLOADS[@]}"; do
	[ "$w" = kernel_quirks ] && continue
	run "verify/$w" bpf "" t_verify "$w"
done
for w in "${VERIFY_ONLY[@]}"; do
	run "verify/$w" bpf "" t_verify "$w"
done
for w in lifecycle thread_race thread_churn mmap_ops; do
	run "verify-hashed-tickets/$w" bpf "" t_verify_hashed_tickets "$w"
done
run "verify-mixed-tickets/lifecycle" bpf "" t_verify_mixed_tickets lifecycle
run verify-hashed-tickets/spawn_many bpf "" t_hashed_tickets_recycled
run cli/bad_ticket_slots bpf "" t_cli_bad_ticket_slots
for w in heap_brk mremap_forms hostile_names demo mmap_ops thread_race spawn_many failed_calls killed_child lifecycle thread_churn; do
	run "verify-without-vma_iter_kfuncs/$w" bpf "" t_verify_as_on vma_iter_kfuncs "$w"
done
for w in lifecycle thread_churn mmap_ops sysv_shm failed_calls killed_child; do
	run "verify-without-exit_sees_mm/$w" bpf "" t_verify_as_on exit_sees_mm "$w"
done
for w in thread_race lifecycle mmap_ops; do
	run "verify-with-tp_preemptible/$w" bpf "" t_verify_as_on +tp_preemptible "$w"
done
run counts-with-tp_preemptible/thread_race bpf jq t_classic_tp_counts thread_race
run verify-without-vma_iter_kfuncs/uncompared bpf "" t_uncompared_fails
run verify-btf-file/thread_race bpf bpftool t_btf_file
for w in mmap_ops thread_race lifecycle; do
	run "verify-without-tp_mmap_lock,fexit_mm_locks/$w" bpf "" t_verify_as_on tp_mmap_lock,fexit_mm_locks "$w"
done
run counts-with-tp_preemptible/lifecycle bpf jq t_classic_tp_counts lifecycle
for step in dev_zero growsdown read_implies_exec rename mseal vfork vdso map_vdso spawn untraced; do
	run "verify/kernel_quirks:$step" bpf "" t_verify kernel_quirks "$step"
done
# without the exit dump, a re-read is the only way to learn the vDSO that
# arch_prctl mapped, or the partial effect of a failed call: at the exit
# stop it must read the parent, not its exec'd CLONE_VM children
for step in map_vdso spawn; do
	run "verify-without-vma_iter_kfuncs/kernel_quirks:$step" bpf "" t_verify_as_on \
		vma_iter_kfuncs kernel_quirks "$step"
done
for w in "${WORKLOADS[@]}"; do
	run "counts/$w" bpf "jq strace" t_counts "$w"
done
run json/hostile_names bpf jq t_json_hostile
run text/hostile_names bpf "" t_text_hostile
run errors/mmap_ops bpf jq t_errors
run events/mmap_ops bpf jq t_events
run descendants/outliving bpf jq t_outliving
run attach/sleep bpf "" t_attach_sleep
run attach/attach_loop bpf "" t_attach_loop
for w in heap_brk mremap_forms mmap_ops thread_race thread_churn sysv_shm lifecycle failed_calls demo uffd_events; do
	run "verify-without-kernel-btf/$w" bpf bpftool t_verify_nobtf "$w"
done
for step in dev_zero growsdown rename vfork map_vdso spawn; do
	run "verify-without-kernel-btf/kernel_quirks:$step" bpf bpftool t_verify_nobtf kernel_quirks "$step"
done
run counts-without-kernel-btf/thread_race bpf "bpftool jq" t_nobtf_counts thread_race
run attach-without-kernel-btf/attach_loop bpf bpftool t_attach_loop nobtf
run attach/children bpf "" t_attach_children

echo "integration: $passed passed, $failed failed, $skipped skipped"
(( failed == 0 ))
