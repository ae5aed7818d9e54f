#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# initramfs.sh - the kernel matrix's throw-away root file system (cpio.gz).
#
#   tests/kernels/initramfs.sh OUT.cpio.gz BUSYBOX CONF [MAPTRACE WORKLOADS_DIR [STRACE]]
#
# Holds: BUSYBOX (static) and a symlink per applet, tests/kernels/init as
# /init, CONF as /etc/matrix.conf; when given, MAPTRACE as /usr/bin/maptrace,
# every file of WORKLOADS_DIR (binaries and libraries, not the .d files) in
# /wl, STRACE as /usr/bin/strace, and every shared library these need with
# the dynamic loader, at the paths their binaries look for them. Libraries
# are found with ldd for binaries of this machine's architecture and by
# following DT_NEEDED (readelf) through LIB_DIRS for another's, e.g.
# LIB_DIRS="/usr/aarch64-linux-gnu/lib" for an arm64 build.
# No kernel modules: the serial console and BPF are built into Debian's
# kernels.
set -euo pipefail

die() { echo "kernels/initramfs: $*" >&2; exit 1; }
[ $# -ge 3 ] || die "usage: $0 OUT.cpio.gz BUSYBOX CONF [MAPTRACE WORKLOADS_DIR [STRACE]]"
out=$1 busybox=$2 conf=$3 maptrace=${4:-} wl=${5:-} strace=${6:-}
here=$(cd "$(dirname "$0")" && pwd)

root=$(mktemp -d "${TMPDIR:-/tmp}/maptrace-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,wl}

[ -x "$busybox" ] || die "no busybox at $busybox"
cp "$busybox" "$root/bin/busybox"
# the applet list of a foreign busybox cannot be asked for: ask the host's
# (the same Debian package, another architecture) when it cannot run
applets=$("$busybox" --list-full 2>/dev/null || busybox --list-full) || die "cannot list busybox applets"
while read -r a; do
	[ -e "$root/$a" ] || ln -s /bin/busybox "$root/$a"
done <<<"$applets"
install -m 0755 "$here/init" "$root/init"
cp "$conf" "$root/etc/matrix.conf"

# The shared libraries (and the dynamic loader) binary $1 needs, one path a
# line, as the binary names them.
host_machine=$(uname -m)
needed() {
	local f=$1 m
	m=$(readelf -h "$f" | sed -n 's/^ *Machine: *//p')
	if { [ "$host_machine" = x86_64 ] && [[ $m == *X86-64* ]]; } ||
	   { [ "$host_machine" = aarch64 ] && [[ $m == *AArch64* ]]; }; then
		ldd "$f" 2>/dev/null | awk '/=> \// { print $3 } /^\t\// { print $1 }'
		return
	fi
	local -A seen=()
	local todo=("$f") cur lib d found interp
	interp=$(readelf -l "$f" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	[ -n "$interp" ] && echo "$interp"
	while ((${#todo[@]})); do
		cur=${todo[0]}
		todo=("${todo[@]:1}")
		for lib in $(readelf -d "$cur" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			[ -n "${seen[$lib]:-}" ] && continue
			seen[$lib]=1
			found=""
			for d in ${LIB_DIRS:-}; do
				[ -e "$d/$lib" ] && { found=$d/$lib; break; }
			done
			[ -n "$found" ] || die "$f needs $lib: not found in LIB_DIRS='${LIB_DIRS:-}'"
			echo "$found"
			todo+=("$found")
		done
	done
}

# Copy binary $1 to $2 in the image, and its libraries to their own paths;
# a library found through LIB_DIRS goes where the loader looks: the
# directory of the loader itself (/lib/<triplet> on Debian).
add_binary() {
	local f=$1 dest=$2 lib
	[ -e "$f" ] || die "no such file: $f"
	mkdir -p "$root/$(dirname "$dest")"
	cp -L "$f" "$root/$dest"
	while read -r lib; do
		[ -n "$lib" ] || continue
		mkdir -p "$root/$(dirname "$lib")"
		[ -e "$root/$lib" ] || cp -L "$lib" "$root/$lib"
	done < <(needed "$f")
}

# Libraries glibc dlopen()s, which no DT_NEEDED names: libgcc_s for
# pthread_exit() and pthread_cancel() (without it they abort: "libgcc_s.so.1
# must be installed for pthread_exit to work"). Put beside libc.so.6.
add_dlopened() {
	local libc lib f d
	libc=$(find "$root" -name libc.so.6 | head -n 1)
	[ -n "$libc" ] || return 0
	for lib in libgcc_s.so.1; do
		f=""
		for d in $(dirname "$(needed_path "$1" libc.so.6)") ${LIB_DIRS:-}; do
			[ -e "$d/$lib" ] && { f=$d/$lib; break; }
		done
		[ -n "$f" ] || die "no $lib beside $(needed_path "$1" libc.so.6) or in LIB_DIRS='${LIB_DIRS:-}'"
		cp -L "$f" "$(dirname "$libc")/$lib"
	done
}
# Where binary $1 finds library $2 on this machine.
needed_path() { needed "$1" | grep -m 1 "/$2\$"; }

if [ -n "$maptrace" ]; then
	add_binary "$maptrace" /usr/bin/maptrace
	[ -d "$wl" ] || die "no workloads directory $wl (run: make workloads)"
	for f in "$wl"/*; do
		case $f in *.d) continue ;; esac
		add_binary "$f" "/wl/$(basename "$f")"
	done
	# the workloads are dynamic (maptrace may be static): what their libc
	# dlopen()s comes from beside it
	add_dlopened "$wl/thread_churn"
	[ -z "$strace" ] || add_binary "$strace" /usr/bin/strace
fi

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | busybox cpio -o -H newc --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
