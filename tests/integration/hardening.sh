#!/usr/bin/env bash
# Faults and hostile conditions: nothing lost silently, clear errors.
# (root: real BPF; each test says why when it cannot run)
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
MT=./maptrace
W=.output/workloads
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; chmod -R u+w "$tmp" 2>/dev/null' EXIT


reason=$(bpf_unavailable)
if [ -n "$reason" ]; then
	for t in overflow-resync sigint-flush output-unwritable zombie-target ia32-reported; do
		skip "$t" "$reason"
	done
	finish hardening
	exit $?
fi

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
if printf '#include <sys/mman.h>\nint main(void){void*p=mmap(0,4096,3,0x22,-1,0);return munmap(p,4096);}\n' >"$tmp/m32.c" &&
	gcc -m32 -O2 "$tmp/m32.c" -o "$tmp/m32" 2>/dev/null; then
	$MT verify -- "$tmp/m32" >/dev/null 2>"$tmp/m32.err"
	st=$?
	if [ "$st" = 1 ] && grep -q "^maptrace: 32-bit (ia32) processes are not traced: [0-9]* of their system calls were ignored" "$tmp/m32.err"; then
		pass "ia32-reported (verify exits 1 and says why)"
	else
		fail ia32-reported "exit $st: $(cat "$tmp/m32.err")"
	fi
else
	skip ia32-reported "no 32-bit toolchain (gcc -m32, Debian gcc-multilib) to build a test program"
fi

finish hardening
