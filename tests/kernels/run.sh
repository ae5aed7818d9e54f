#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run.sh - the kernel matrix: boot Debian kernels under qemu (TCG) from a
# throw-away initramfs, run maptrace inside, assert exact outcomes here.
#
#   tests/kernels/run.sh        (as root, after: make && make workloads)
#   KERNELS="6.1 6.12" ARCHES=amd64 tests/kernels/run.sh
#
# KERNELS: series to boot (default "5.10 6.1 6.12 sid"; see fetch.sh), each
# at its newest Debian package. ARCHES: amd64 and/or arm64 (default both).
# BOOT_TIMEOUT: seconds per boot (default 900 for amd64, 2700 for arm64),
# CMD_TIMEOUT: seconds per command in the guest (default 300 for amd64, 900
# for arm64: strace -f over thread_race took 33 to 280 s there under TCG,
# as the host's other load allowed). KERNEL_CACHE: where kernels
# are kept between runs (default /var/cache/maptrace-kernels).
# arm64: ARM64_MAPTRACE and ARM64_WORKLOADS name an arm64 build of maptrace
# and of the workloads (`make test-kernels` sets them to its `make ARCH=arm64
# all workloads` build in .output/arm64), LIB_DIRS_ARM64 where their arm64
# libraries are (default: the multiarch ones of `.ci/install-deps --arm64`),
# ARM64_STRACE an arm64 strace (default: Debian's, from fetch.sh); without
# ARM64_MAPTRACE the arm64 kernels are booted to the busybox /init only and
# counted as skipped.
# GUEST_EXTRA: a shell command the guests run last, only logged (e.g.
# GUEST_EXTRA="maptrace verify -v -- /wl/demo"; workloads are in /wl).
# MATRIX_VERIFY, MATRIX_COUNTS: the workloads of the verify and counts
# checks, when only some are wanted (default: all).
#
# Inside each guest (tests/kernels/init), with what is asserted here:
#   boot        /init ran and reported to the end (not killed by the timeout);
#               a command SIGKILL could not end is reported with the guest's
#               kernel messages and every task's kernel stack
#   btf         /sys/kernel/btf/vmlinux exists
#   features    `maptrace features` exits 0 (skipped while maptrace has none)
#   verify/W    `maptrace verify -i 50 -- W`: exit 0 and the summary line
#               "verify: C checkpoints, S address spaces, 0 divergent pages,
#               0 lost events" with C, S >= 1 (as tests/integration/run.sh)
#   nobtf/features, nobtf/verify/W  the same with MAPTRACE_KERNEL_BTF=none
#               and --btf naming the reduced BTF `bpftool gen min_core_btf`
#               cut from this kernel's own (taken out of its image) for
#               maptrace's objects: the no-BTF object, as on a board whose
#               kernel has none
#   counts/W    `maptrace trace --json` events and `maptrace stat --json`
#               total.calls per kind equal what strace -f counts for the same
#               workload in the same guest, for the 11 mapping syscalls;
#               all three exit 0, stat reports 0 lost events, the trace has
#               an exec. strace on the same kernel is the reference: a
#               workload's calls may differ between kernels (a call it makes
#               only when another fails), the count of each on one kernel
#               may not differ between maptrace and strace.
#   serve/mmap_ops  `maptrace serve` around one mmap_ops run, scraped with
#               BusyBox's wget: its calls by kind are stat/mmap_ops's, the
#               BPF programs' runs are measured, no event is lost
#
# Output: a PASS/FAIL/SKIP line per check ("KERNEL/ARCH check: reason"), a
# line per kernel, a table, and last "kernels: P passed, F failed, S
# skipped". A kernel passes when no check failed; it is skipped only when
# maptrace cannot run on its architecture yet (the boot is still checked).
# Exit status 1 when a kernel failed. Console logs: .output/kernels/NAME.log.
set -u

cd "$(dirname "$0")/../.." || exit 1

KERNELS=${KERNELS:-5.10 6.1 6.12 sid}
ARCHES=${ARCHES:-amd64 arm64}
# per architecture, unless set (see the top)
boot_timeout() { if [ "$1" = arm64 ]; then echo "${BOOT_TIMEOUT:-2700}"; else echo "${BOOT_TIMEOUT:-900}"; fi; }
cmd_timeout() { if [ "$1" = arm64 ]; then echo "${CMD_TIMEOUT:-900}"; else echo "${CMD_TIMEOUT:-300}"; fi; }
OUT=.output/kernels
# a board's memory; the loader must stay within FOOTPRINT_KIB there
GUEST_MEM=${GUEST_MEM:-512M}
FOOTPRINT_KIB=${FOOTPRINT_KIB:-32768}
FETCH=tests/kernels/fetch.sh

VERIFY_WL=(mmap_ops mremap_forms heap_brk thread_race thread_churn sysv_shm lifecycle jit_dlopen
	   aio_ring demo killed_child uffd_events)
# fixed call counts (lifecycle in its "steady" mode): tests/integration/run.sh's counts set
COUNTS_WL=(mmap_ops mremap_forms heap_brk thread_race sysv_shm lifecycle aio_ring demo)
# a subset while investigating one kernel (the full run is the default)
[ -n "${MATRIX_VERIFY:-}" ] && read -r -a VERIFY_WL <<<"$MATRIX_VERIFY"
[ -n "${MATRIX_COUNTS:-}" ] && read -r -a COUNTS_WL <<<"$MATRIX_COUNTS"
KINDS=(mmap munmap mprotect pkey_mprotect brk mremap shmat shmdt remap_file_pages io_setup io_destroy)
VERIFY_OK='^verify: [1-9][0-9]* checkpoints, [1-9][0-9]* address spaces, 0 divergent pages, 0 lost events$'

mkdir -p "$OUT"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maptrace-kernels.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

kpassed=0 kfailed=0 kskipped=0
table=()

# Per kernel: counts of its checks and the first failure, for the table.
check_pass() { printf 'PASS %s %s\n' "$kname" "$1"; cp=$((cp + 1)); }
check_fail() {
	printf 'FAIL %s %s: %s\n' "$kname" "$1" "$2"
	cf=$((cf + 1))
	[ -n "$first_fail" ] || first_fail="$1: $2"
}
check_skip() { printf 'SKIP %s %s: %s\n' "$kname" "$1" "$2"; cs=$((cs + 1)); }
indent() { cut -c1-240 | sed 's/^/    | /'; }

# The marked lines of the guest, "@@MT " stripped, carriage returns gone.
marks() { tr -d '\r' <"$log" | sed -n 's/^.*@@MT //p'; }
# Field lines of one kind for one command: "OUT verify/demo" -> the lines.
lines() { sed -n "s|^$1 $2 ||p" "$tmp/marks"; }
status() { sed -n "s|^RC $1 \([0-9]*\) .*|\1|p" "$tmp/marks" | tail -n 1; }

# Why a command failed, from its stderr: maptrace's own message; which map
# or program libbpf could not create or load, and for a refused program the
# verifier's last words (the line before "processed N insns").
why() {
	local err=$tmp/err
	lines ERR "$1" >"$err"
	{
		grep -m 1 "^maptrace" "$err"
		grep -m 1 -E "^libbpf: (map|prog) '[^']*': (failed|BPF program load failed)" "$err"
		grep -B 1 -m 1 "^processed [0-9]* insns" "$err" | head -n 1
	} | awk '!seen[$0]++' >"$tmp/why"
	# none of these: its first lines, whatever they say
	if [ -s "$tmp/why" ]; then cat "$tmp/why"; else head -n 2 "$err"; fi
}

# Whether command NAME ran to the end with status 0; if not, its check
# fails saying why (status 1).
ended_well() {
	local rc
	rc=$(status "$1")
	if [ -z "$rc" ]; then
		check_fail "$1" "no result: the guest stopped before it finished (see $log)"
	elif (( rc != 0 )); then
		check_fail "$1" "exit status $rc"
		why "$1" | indent
	else
		return 0
	fi
	return 1
}

# Assert verify/W ($2: the mode, "" or "nobtf/").
t_verify() {
	local mode=${2:-} name=${2:-}verify/$1 rc last
	rc=$(status "$name")
	if [ -z "$rc" ]; then
		check_fail "$name" "no result: the guest stopped before it finished (see $log)"
		return
	fi
	last=$(lines OUT "$name" | tail -n 1)
	# The degradation a kernel without the vma iterator kfuncs (before 6.7)
	# documents: a process that does not stop in exit under ptrace ends
	# uncompared; verify must then fail saying so, with nothing else wrong.
	if (( rc == 1 )) &&
		lines OUT "${mode}features" | grep -q -e "DEGRADED: no vma iterator kfuncs" -e "DEGRADED: no in-kernel dumps" &&
		[[ $last =~ ^verify:\ [1-9][0-9]*\ checkpoints,\ [1-9][0-9]*\ address\ spaces,\ 0\ divergent\ pages,\ 0\ lost\ events$ ]] &&
		[ "$(lines ERR "$name" | grep -c '^maptrace')" = 1 ] &&
		lines ERR "$name" | grep -q "^maptrace verify: [0-9]* address spaces ended without being compared"; then
		check_pass "$name (degraded as documented: $(lines ERR "$name" | grep -o '[0-9]* address spaces ended without being compared'))"
		return
	fi
	if (( rc != 0 )); then
		check_fail "$name" "exit status $rc; last line: ${last:-none}"
		lines OUT "$name" | grep -m 4 -A 2 DIVERGENCE | indent
		why "$name" | indent
	elif ! [[ $last =~ $VERIFY_OK ]]; then
		check_fail "$name" "summary line is '$last'"
	else
		check_pass "$name"
	fi
}

# Assert counts/W from trace/W, stat/W and strace/W.
t_counts() {
	local w=$1 name=counts/$1 c rc k a s b diffs="" lost json=$tmp/stat.json
	local -A tr=() st=()
	for c in trace stat strace; do
		rc=$(status "$c/$w")
		if grep -q "^SKIP $c/$w " "$tmp/marks"; then
			check_skip "$name" "$(sed -n "s|^SKIP $c/$w ||p" "$tmp/marks")"
			return
		elif [ -z "$rc" ]; then
			check_fail "$name" "no result for $c: the guest stopped before it finished (see $log)"
			return
		elif (( rc != 0 )); then
			check_fail "$name" "$c exited with status $rc"
			why "$c/$w" | indent
			return
		fi
	done
	while read -r k n; do tr[$k]=$n; done < <(lines COUNT "trace/$w")
	while read -r k n; do st[$k]=$n; done < <(lines COUNT "strace/$w")
	lines JSON "stat/$w" >"$json"
	if ! lost=$(jq -e -r .lost_events "$json" 2>/dev/null); then
		check_fail "$name" "stat --json wrote no readable summary"
		head -n 2 "$json" | indent
		return
	fi
	for k in "${KINDS[@]}"; do
		a=${tr[$k]:-0} b=${st[$k]:-0}
		s=$(jq -r ".total.calls.$k // 0" "$json")
		[ "$a" = "$b" ] && [ "$s" = "$b" ] || diffs+=" $k: trace $a, stat $s, strace $b;"
	done
	if [ -n "$diffs" ]; then
		check_fail "$name" "counts differ:${diffs%;}"
	elif [ "$lost" != 0 ]; then
		check_fail "$name" "stat lost $lost events"
	elif [ "$(jq -r '.total.bytes_mapped > 0 and (.unmeasured_address_spaces // 0) == 0' "$json")" != true ]; then
		# every workload maps memory: 0 bytes would be a figure not measured
		check_fail "$name" "stat's figures were not measured: $(jq -c '{bytes_mapped: .total.bytes_mapped, unmeasured_address_spaces}' "$json")"
	elif [ "${tr[exec]:-0}" -lt 1 ]; then
		check_fail "$name" "no exec event in the trace"
	else
		check_pass "$name"
	fi
}

# Assert nobtf/features and nobtf/verify/W: the no-BTF object traces here.
t_nobtf() {
	local reason
	if reason=$(sed -n 's/^SKIP nobtf //p' "$tmp/marks") && [ -n "$reason" ]; then
		check_fail nobtf "$reason"
		return
	fi
	if [ "$(status nobtf/features)" != 0 ]; then
		check_fail nobtf/features "exit status $(status nobtf/features || echo none)"
		why nobtf/features | indent
	elif ! lines OUT nobtf/features | grep -q "^  calls *no-BTF object"; then
		check_fail nobtf/features "not the no-BTF object: $(lines OUT nobtf/features | grep -m 1 -e '^  calls' -e '^tracing')"
	else
		check_pass "nobtf/features ($(lines OUT nobtf/features | sed -n 's/^  ordering *//p' | cut -c1-60)...)"
	fi
	for w in "${VERIFY_WL[@]}"; do t_verify "$w" nobtf/; done
}

# This kernel's BTF, cut down to what maptrace's objects (in $2) relocate,
# appended to the initramfs $3 as /maptrace.min.btf into $4: a second
# archive after the first (the kernel unpacks them in turn). As on a board:
# `make min-btf KERNEL_IMAGE=...` does the same.
initramfs_with_btf() {
	local vmlinuz=$1 objdir=$2 base=$3 out=$4 dir=$tmp/btf-root
	rm -rf "$dir" && mkdir -p "$dir"
	vmlinux/btf-from-image.py "$vmlinuz" "$tmp/kernel.btf" 2>/dev/null || return 1
	bpftool gen min_core_btf "$tmp/kernel.btf" "$dir/maptrace.min.btf" "$objdir"/maptrace*.bpf.o || return 1
	{ cat "$base"; (cd "$dir" && echo maptrace.min.btf | busybox cpio -o -H newc --quiet | gzip -1); } >"$out"
}

# Assert footprint/C: on the guest's GUEST_MEM of memory, with the default
# sizes, the command ends well (0 lost events: no drop report) and the
# loader's peak RSS (-v: "loader peak RSS N KiB") is within FOOTPRINT_KIB.
t_footprint() {
	local name=footprint/$1 kib
	kib=$(lines ERR "$name" | sed -n 's/^maptrace: loader peak RSS \([0-9]*\) KiB.*/\1/p')
	if ! ended_well "$name"; then
		return
	elif lines ERR "$name" | grep -q -e 'events lost' -e 'skipped [0-9]* runs'; then
		check_fail "$name" "lost events: $(lines ERR "$name" | grep -m 1 -e 'events lost' -e 'skipped')"
	elif [ -z "$kib" ]; then
		check_fail "$name" "no 'loader peak RSS' line under -v"
	elif (( kib > FOOTPRINT_KIB )); then
		check_fail "$name" "loader peak RSS $kib KiB on a $GUEST_MEM guest, over $FOOTPRINT_KIB KiB ($(lines ERR "$name" | grep -m 1 'ring buffer'))"
	else
		check_pass "$name (loader peak RSS $kib KiB, $(lines ERR "$name" | grep -o -m 1 'ring buffer [0-9]* KiB'))"
	fi
}

# Assert explain/thread_pool: explain -p works in the BusyBox guest with the
# static binary alone, and labels what glibc's malloc made in glibc's terms.
t_explain() {
	local name=explain/thread_pool
	if ! ended_well "$name"; then
		return
	elif ! lines OUT "$name" | grep -q '^C library: glibc;'; then
		check_fail "$name" "C library not named glibc: $(lines OUT "$name" | grep -m1 '^C library')"
	elif [ "$(lines OUT "$name" | grep -c -e '^thread-stack ' -e '^malloc-arena ' -e '^heap ')" != 3 ]; then
		check_fail "$name" "no thread-stack, malloc-arena or heap line in the summary"
	else
		check_pass "$name ($(lines OUT "$name" | sed -n 's/^total *\([0-9]*\) .*/\1/p') regions)"
	fi
}

# Assert serve/mmap_ops: the exporter's calls of mmap_ops, by kind, are
# stat/mmap_ops's; the BPF programs' runs were measured; nothing was lost.
t_serve() {
	local name=serve/mmap_ops k s g diffs="" json=$tmp/stat.json out=$tmp/serve.txt
	if ! ended_well "$name"; then
		return
	elif [ -z "$(status stat/mmap_ops)" ]; then
		check_skip "$name" "no stat/mmap_ops to compare with (MATRIX_COUNTS leaves mmap_ops out)"
		return
	fi
	lines OUT "$name" >"$out"
	lines JSON stat/mmap_ops >"$json"
	for k in "${KINDS[@]}"; do
		s=$(jq -r ".total.calls.$k // 0" "$json" 2>/dev/null)
		g=$(awk -v k="kind=\"$k\"" '$1 ~ /^maptrace_mapping_calls_total\{/ && index($1, k) { n += $2 }
			END { print n + 0 }' "$out")
		[ "$s" = "$g" ] || diffs+=" $k: serve $g, stat $s;"
	done
	if [ -n "$diffs" ]; then
		check_fail "$name" "calls differ from stat's:${diffs%;}"
	elif ! grep -q '^maptrace_bpf_runs_total{' "$out"; then
		check_fail "$name" "no BPF run statistics: $(lines ERR "$name" | grep -m1 'not measured')"
	elif ! grep -q '^maptrace_lost_events_total 0$' "$out"; then
		check_fail "$name" "events lost: $(grep '^maptrace_lost_events_total' "$out")"
	else
		check_pass "$name ($(awk '$1 ~ /^maptrace_mapping_calls_total/ { n += $2 } END { print n }' "$out") calls as stat counts them)"
	fi
}

# initramfs for architecture $1 in $tmp/initrd-$1.cpio.gz; sets skip_reason
# when maptrace cannot run there. Built once per run and architecture.
declare -A skip_reason=()
initramfs() {
	local arch=$1 conf=$tmp/matrix-$1.conf busybox mt wl st
	[ -s "$tmp/initrd-$arch.cpio.gz" ] && return 0
	case $arch in
	amd64)
		busybox=/bin/busybox mt=./maptrace wl=.output/workloads st=$(command -v strace)
		[ "$(uname -m)" = x86_64 ] || { mt=""; skip_reason[$arch]="amd64 guests need an x86_64 host build"; }
		;;
	arm64)
		busybox=$($FETCH busybox arm64) || return 1
		mt=${ARM64_MAPTRACE:-} wl=${ARM64_WORKLOADS:-} st=${ARM64_STRACE:-}
		if [ -z "$mt" ]; then
			skip_reason[$arch]="no arm64 build of maptrace: set ARM64_MAPTRACE (and ARM64_WORKLOADS) to a 'make ARCH=arm64 all workloads' build"
		elif [ ! -x "$mt" ] || [ ! -d "$wl" ]; then
			echo "kernels: ARM64_MAPTRACE=$mt or ARM64_WORKLOADS=$wl does not exist" >&2
			return 1
		elif [ -z "$st" ]; then
			st=$($FETCH strace arm64) || return 1
		fi
		;;
	esac
	{
		echo "VERIFY=\"${VERIFY_WL[*]}\""
		echo "COUNTS=\"${COUNTS_WL[*]}\""
		echo "STRACE_SET=$(IFS=,; echo "${KINDS[*]}")"
		echo "CMD_TIMEOUT=$(cmd_timeout "$arch")"
		echo "ERR_LINES=400"
		echo "NO_MAPTRACE=\"${skip_reason[$arch]:-}\""
		printf 'EXTRA=%q\n' "${GUEST_EXTRA:-}"
	} >"$conf"
	if [ -z "${skip_reason[$arch]:-}" ]; then
		LIB_DIRS=${LIB_DIRS_ARM64:-/usr/lib/aarch64-linux-gnu /lib/aarch64-linux-gnu /usr/aarch64-linux-gnu/lib} \
		tests/kernels/initramfs.sh "$tmp/initrd-$arch.cpio.gz" "$busybox" "$conf" "$mt" "$wl" ${st:+"$st"}
	else
		tests/kernels/initramfs.sh "$tmp/initrd-$arch.cpio.gz" "$busybox" "$conf"
	fi
}

# Where the BPF objects of architecture $1's build are.
bpf_objdir() {
	if [ "$1" = arm64 ]; then dirname "$ARM64_MAPTRACE"; else echo .output; fi
}

# Boot series $1 on architecture $2 and assert what its guest reports.
run_kernel() {
	local series=$1 arch=$2 pkg vmlinuz qemu rc t0 secs release result initrd
	local boot_to
	boot_to=$(boot_timeout "$arch")
	kname=$series/$arch cp=0 cf=0 cs=0 first_fail=""
	log=$OUT/$series-$arch.log
	: >"$log"
	if ! vmlinuz=$($FETCH kernel "$series" "$arch" 2>"$tmp/fetch.err"); then
		check_fail fetch "$(grep "^kernels/fetch" "$tmp/fetch.err" | tail -n 1)"
		grep -v "^kernels/fetch" "$tmp/fetch.err" | tail -n 3 | indent
		finish_kernel "$series" "$arch" "-" "-" "-"
		return
	fi
	grep "cannot be downloaded" "$tmp/fetch.err"
	pkg=$(basename "$vmlinuz" ".$arch")
	if ! initramfs "$arch" 2>"$tmp/initramfs.err"; then
		check_fail initramfs "$(grep -m 1 . "$tmp/initramfs.err")"
		finish_kernel "$series" "$arch" "$pkg" "-" "-"
		return
	fi
	initrd=$tmp/initrd-$arch.cpio.gz
	if [ -z "${skip_reason[$arch]:-}" ]; then
		initrd=$tmp/initrd-$series-$arch.cpio.gz
		if ! initramfs_with_btf "$vmlinuz" "$(bpf_objdir "$arch")" "$tmp/initrd-$arch.cpio.gz" "$initrd"; then
			check_fail nobtf "no reduced BTF for $pkg: vmlinux/btf-from-image.py or bpftool gen min_core_btf failed"
			initrd=$tmp/initrd-$arch.cpio.gz
		fi
	fi
	case $arch in
	amd64) qemu=(qemu-system-x86_64 -M q35 -cpu max -append "console=ttyS0 panic=-1 rdinit=/init") ;;
	# pauth-impdef: TCG's cheap pointer-authentication hash (QARMA is slow)
	arm64) qemu=(qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on
		     -append "console=ttyAMA0 panic=-1 rdinit=/init") ;;
	esac
	echo "kernels: booting $kname ($pkg), console log $log"
	for try in 1 2; do
		t0=$(date +%s)
		timeout -k 10 "$boot_to" "${qemu[@]}" -m "$GUEST_MEM" -smp 2 -nographic -no-reboot \
			-kernel "$vmlinuz" -initrd "$initrd" </dev/null >"$log" 2>&1
		rc=$?
		secs=$(( $(date +%s) - t0 ))
		marks >"$tmp/marks"
		release=$(sed -n 's/^BOOT \([^ ]*\) .*/\1/p' "$tmp/marks" | head -n 1)
		# a kernel that died before /init ran, under software emulation
		# (seen: a panic in an interrupt at 3 s on 7.2), is booted once
		# more; nothing of maptrace ran yet
		[ -n "$release" ] || (( rc == 124 || rc == 137 || try == 2 )) && break
		echo "kernels: $kname died before /init ran (qemu exit status $rc): booting it again"
		cp "$log" "$log.first"
	done

	if [ -z "$release" ]; then
		if (( rc == 124 || rc == 137 )); then
			check_fail boot "/init never ran within BOOT_TIMEOUT=$boot_to s; last console lines:"
		else
			check_fail boot "/init never ran (qemu exit status $rc); last console lines:"
		fi
		tr -d '\r' <"$log" | grep -v '^\s*$' | tail -n 5 | indent
		finish_kernel "$series" "$arch" "$pkg" "-" "$secs"
		return
	fi
	if grep -q '^DONE$' "$tmp/marks"; then
		check_pass boot
	elif grep -q '^HUNG ' "$tmp/marks"; then
		check_fail boot "$(sed -n 's/^HUNG \([^ ]*\) .*/\1/p' "$tmp/marks" | head -n 1) outlived its SIGKILL: stuck in the kernel; its tasks, kernel stacks and messages:"
		sed -n 's/^HUNG [^ ]* //p' "$tmp/marks" | head -n 400 | indent
	elif (( rc == 124 || rc == 137 )); then
		check_fail boot "killed after BOOT_TIMEOUT=$boot_to s before the guest finished (last: $(tail -n 1 "$tmp/marks" | cut -c1-120))"
	else
		check_fail boot "the guest stopped before it finished (qemu exit status $rc); last console lines:"
		tr -d '\r' <"$log" | grep -v '^\s*$' | tail -n 5 | indent
	fi
	if grep -q '^BTF yes$' "$tmp/marks"; then
		check_pass btf
	else
		check_fail btf "no /sys/kernel/btf/vmlinux in the guest"
	fi
	if grep -q '^SKIP all ' "$tmp/marks"; then
		result=skip
		finish_kernel "$series" "$arch" "$pkg" "$release" "$secs" "$(sed -n 's/^SKIP all //p' "$tmp/marks")"
		return
	fi
	if grep -q '^SKIP features ' "$tmp/marks"; then
		check_skip features "$(sed -n 's/^SKIP features //p' "$tmp/marks")"
	elif [ "$(status features)" = 0 ]; then
		check_pass features
	else
		check_fail features "exit status $(status features || echo none)"
		why features | indent
	fi
	for w in "${VERIFY_WL[@]}"; do t_verify "$w"; done
	t_nobtf
	for w in "${COUNTS_WL[@]}"; do t_counts "$w"; done
	for c in verify trace-p; do t_footprint "$c"; done
	t_explain
	t_serve
	finish_kernel "$series" "$arch" "$pkg" "$release" "$secs"
}

# One line per kernel, and its row of the table. $6: why it is skipped.
finish_kernel() {
	local series=$1 arch=$2 pkg=$3 release=$4 secs=$5 skip=${6:-} res line
	if (( cf > 0 )); then
		res=FAIL kfailed=$((kfailed + 1))
	elif [ -n "$skip" ]; then
		res=SKIP kskipped=$((kskipped + 1))
	else
		res=PASS kpassed=$((kpassed + 1))
	fi
	line=$(printf '%-6s %-6s %-28s %5ss  %3s passed %3s failed %3s skipped  %s' "$series" "$arch" \
		"$release" "$secs" "$cp" "$cf" "$cs" "$res")
	if [ "$res" = FAIL ]; then
		line+=" (first: $first_fail)"
	elif [ "$res" = SKIP ]; then
		line+=" ($skip)"
	fi
	echo "kernel $line"
	table+=("$line")
}

for arch in $ARCHES; do
	case $arch in amd64|arm64) ;; *) echo "kernels: unknown architecture '$arch' (ARCHES=amd64 arm64)" >&2; exit 2 ;; esac
done
for series in $KERNELS; do
	case $series in 5.10|6.1|6.12|sid) ;; *) echo "kernels: unknown kernel '$series' (KERNELS=5.10 6.1 6.12 sid)" >&2; exit 2 ;; esac
done
if [ "$(id -u)" != 0 ]; then
	echo "kernels: run as root: kernels are downloaded into ${KERNEL_CACHE:-/var/cache/maptrace-kernels} (try: sudo $0)" >&2
	exit 1
fi
for f in ./maptrace .output/workloads/demo; do
	[ -x "$f" ] || { echo "kernels: $f is not built (run: make && make workloads)" >&2; exit 1; }
done

start=$(date +%s)
for arch in $ARCHES; do
	for series in $KERNELS; do
		run_kernel "$series" "$arch"
	done
done

echo
printf '%-6s %-6s %-28s %6s  %s\n' SERIES ARCH RELEASE TIME CHECKS
printf '%s\n' "${table[@]}"
echo "kernels: matrix took $(( $(date +%s) - start )) s; logs in $OUT/"
echo "kernels: $kpassed passed, $kfailed failed, $kskipped skipped"
(( kfailed == 0 ))
