#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# capture.sh - record a process's /proc facts for the classifier tests.
#
#   tests/unit/data/capture.sh PID NAME     (as root)
#
# Writes NAME.maps and NAME.smaps (the kernel's text, as read), and
# NAME.facts: the process and thread facts mt_classify() takes, one per line:
#   pid PID | comm COMM | exe PATH | exe_inode N | stack_limit BYTES | page_size N
#   thread TID SP|- COMM            (SP from task/TID/syscall; - when unknown)
#   elf MAJOR:MINOR INODE PATH      (a mapped ELF file, then its PT_LOADs:)
#   load OFFSET VADDR FILESZ MEMSZ FLAGS   (hex; FLAGS like R, RE, RW)
# Recorded snapshots: threads3 (threads3.c, 3 threads with arenas and large
# chunks), sleep (/bin/sleep 3600), python3 (python3 with a sleeping thread).
set -eu
pid=$1 name=$2
out=$(dirname "$0")/$name
cat "/proc/$pid/maps" > "$out.maps"
cat "/proc/$pid/smaps" > "$out.smaps"
{
	echo "pid $pid"
	echo "comm $(cat /proc/$pid/comm)"
	exe=$(readlink "/proc/$pid/exe")
	echo "exe $exe"
	echo "exe_inode $(stat -L -c %i /proc/$pid/exe)"
	lim=$(awk '/^Max stack size/ { print $4 }' "/proc/$pid/limits")
	[ "$lim" = unlimited ] && lim=0
	echo "stack_limit $lim"
	echo "page_size $(getconf PAGESIZE)"
	for t in /proc/$pid/task/*; do
		tid=${t##*/}
		read -r -a sc < "$t/syscall" || sc=(running)
		if [ "${#sc[@]}" = 9 ]; then sp=${sc[7]}
		elif [ "${#sc[@]}" = 3 ]; then sp=${sc[1]}
		else sp=-; fi
		echo "thread $tid $sp $(cat "$t/comm")"
	done
	# one line per mapped file: first mapping's range, dev, inode, path
	awk '$6 ~ /^\// && $5 != 0 && !seen[$4 " " $5]++ { print $1, $4, $5, $6 }' "/proc/$pid/maps" |
	while read -r range dev inode path; do
		# map_files names drop the zero padding maps prints
		f=/proc/$pid/map_files/$(printf '%x-%x' "$((16#${range%-*}))" "$((16#${range#*-}))")
		[ "$(head -c 4 "$f" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ] || continue
		echo "elf $dev $inode $path"
		readelf -lW "$f" | awk '$1 == "LOAD" {
			flags = ""; for (i = 7; i < NF; i++) flags = flags $i
			print "load", $2, $3, $5, $6, flags }'
	done
} > "$out.facts"
echo "recorded $out.maps $out.smaps $out.facts"
