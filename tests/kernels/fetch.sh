#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fetch.sh - Debian kernels (and the arm64 busybox and strace) for the kernel
# matrix, downloaded with apt from a private sources list, cached outside the
# tree.
#
#   tests/kernels/fetch.sh kernel VERSION ARCH   print the path of a vmlinuz
#   tests/kernels/fetch.sh busybox ARCH          print the path of a static busybox
#   tests/kernels/fetch.sh strace ARCH           print the path of an strace binary
#   tests/kernels/fetch.sh resolve VERSION ARCH  print the newest package's name only
#
# VERSION is 5.10 (bullseye), 6.1 (bookworm), 6.12 (bookworm's 6.12 series,
# served by bookworm-security) or sid (the newest linux-binary-* in sid);
# ARCH is amd64 or arm64. The newest package of each series is resolved with
# apt-cache on the private lists, never hard-coded; when the archive does not
# serve that one's .deb (yet), the one before it. The vmlinuz path names
# the package it came from.
#
# apt runs with its own sources list, lists and cache under $KERNEL_CACHE
# (default /var/cache/maptrace-kernels): the machine's apt configuration,
# package lists and dpkg architectures are left alone, and nothing is
# installed. Lists are refreshed when older than a day (KERNEL_REFRESH=1
# forces it, KERNEL_REFRESH=0 never refreshes once they exist); a package
# already downloaded and extracted is not fetched again.
set -euo pipefail

CACHE=${KERNEL_CACHE:-/var/cache/maptrace-kernels}
APTDIR=$CACHE/apt

die() { echo "kernels/fetch: $*" >&2; exit 1; }

# The archive hosts of the machine's own Debian sources (deb822 or one-line
# format), so that downloads go where apt already may go.
mirror() { # debian | debian-security
	local u
	u=$(grep -hoE "https?://[^ ]+/$1/?( |$)" /etc/apt/sources.list.d/*.sources \
		/etc/apt/sources.list.d/*.list /etc/apt/sources.list 2>/dev/null | head -n 1 | tr -d ' ')
	echo "${u:-http://deb.debian.org/$1}"
}
MIRROR=${KERNEL_MIRROR:-$(mirror debian)}
SECURITY_MIRROR=${KERNEL_SECURITY_MIRROR:-$(mirror debian-security)}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

APT_OPTS=(-o "Dir::Etc::SourceList=$APTDIR/sources.list" -o Dir::Etc::SourceParts=/dev/null
	  -o "Dir::State::Lists=$APTDIR/lists" -o "Dir::Cache=$APTDIR/cache"
	  -o APT::Architectures::=amd64 -o APT::Architectures::=arm64
	  -o Debug::NoLocking=1 -o APT::Sandbox::User=root)

write_sources() {
	local opts="[arch=amd64,arm64 signed-by=$KEYRING]" s
	{
		for s in bullseye bookworm bookworm-updates bookworm-backports sid; do
			echo "deb $opts $MIRROR $s main"
		done
		for s in bullseye-security bookworm-security; do
			echo "deb $opts $SECURITY_MIRROR $s main"
		done
	} >"$APTDIR/sources.list.new"
	mv "$APTDIR/sources.list.new" "$APTDIR/sources.list"
}

update_lists() {
	local stamp=$APTDIR/lists/.updated
	mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$CACHE/debs"
	write_sources
	if [ -e "$stamp" ]; then
		[ "${KERNEL_REFRESH:-}" = 0 ] && return 0
		[ "${KERNEL_REFRESH:-}" != 1 ] && [ -z "$(find "$stamp" -mmin +1440)" ] && return 0
	fi
	# several matrix runs may share the cache: one update at a time
	exec 9>"$APTDIR/.lock"
	flock 9
	echo "kernels/fetch: apt-get update (private lists in $APTDIR)" >&2
	apt-get "${APT_OPTS[@]}" -qq update >&2 || die "apt-get update failed for $APTDIR/sources.list"
	touch "$stamp"
	flock -u 9
}

# The packages of series $1 for architecture $2, newest first.
resolve() {
	local v=$1 arch=$2 re names
	case $v in
	5.10) re="^linux-image-5\.10\.0-[0-9]+-$arch-unsigned\$" ;;
	6.1)  re="^linux-image-6\.1\.0-[0-9]+-$arch-unsigned\$" ;;
	6.12) re="^linux-image-6\.12\.[0-9]+\+deb12-$arch-unsigned\$" ;;
	sid)  re="^linux-binary-(unsigned-)?[0-9.]+\+deb[0-9]+-$arch\$" ;;
	*)    die "unknown kernel series '$v' (5.10, 6.1, 6.12 or sid)" ;;
	esac
	case $arch in amd64|arm64) ;; *) die "unknown architecture '$arch' (amd64 or arm64)" ;; esac
	names=$(apt-cache "${APT_OPTS[@]}" pkgnames 2>/dev/null | grep -E "$re" || true)
	[ -n "$names" ] || die "no package matches $re in $APTDIR/lists"
	# newest by version: sort on the name without "unsigned-"; for sid the
	# signed and unsigned packages of one version hold the same image
	while read -r n; do printf '%s %s\n' "${n/unsigned-/}" "$n"; done <<<"$names" |
		sort -V -r -k1,1 | cut -d' ' -f2
}

# Download package $1 for $2 into $CACHE/debs (once) and print its path.
download() {
	local pkg=$1 arch=$2 deb
	deb=$(find "$CACHE/debs" -maxdepth 1 -name "${pkg}_*_$arch.deb" | sort -V | tail -n 1)
	if [ -z "$deb" ]; then
		echo "kernels/fetch: downloading $pkg:$arch" >&2
		(cd "$CACHE/debs" && apt-get "${APT_OPTS[@]}" -qq download "$pkg:$arch" >&2) ||
			die "apt-get download $pkg:$arch failed"
		deb=$(find "$CACHE/debs" -maxdepth 1 -name "${pkg}_*_$arch.deb" | sort -V | tail -n 1)
		[ -n "$deb" ] || die "apt-get download $pkg:$arch left no .deb in $CACHE/debs"
	fi
	echo "$deb"
}

# Extract the vmlinuz of a kernel package (boot/vmlinuz-* or, in sid's
# linux-binary-*, usr/lib/modules/*/vmlinuz). arm64's is a gzip'd Image:
# kept decompressed, which every qemu loads.
# The newest package whose .deb the archive serves: an index may list a
# package the pool does not hold yet (404), then the one before it is used.
kernel() {
	local pkg deb="" out tmp f tried=""
	for pkg in $(resolve "$1" "$2"); do
		out=$CACHE/vmlinuz/$pkg.$2
		[ -s "$out" ] && { echo "$out"; return; }
		deb=$(download "$pkg" "$2") && break
		tried+=" $pkg"
		echo "kernels/fetch: $pkg:$2 cannot be downloaded: trying the one before it" >&2
		[ "$(wc -w <<<"$tried")" -lt 10 ] || break
	done
	[ -n "$deb" ] || die "no $1 kernel for $2 could be downloaded (tried:$tried)"
	if [ ! -s "$out" ]; then
		mkdir -p "$CACHE/vmlinuz"
		tmp=$(mktemp -d "$CACHE/vmlinuz/.x.XXXXXX")
		dpkg-deb --fsys-tarfile "$deb" |
			tar -x -C "$tmp" --wildcards --no-anchored 'vmlinuz*' ||
			{ rm -rf "$tmp"; die "no vmlinuz in $deb"; }
		f=$(find "$tmp" -type f -name 'vmlinuz*' | head -n 1)
		[ -n "$f" ] || { rm -rf "$tmp"; die "no vmlinuz in $deb"; }
		if [ "$(head -c 2 "$f" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
			gzip -dc <"$f" >"$tmp/Image" && f=$tmp/Image
		fi
		mv "$f" "$out"
		rm -rf "$tmp"
	fi
	echo "$out"
}

# Binary $3 of bookworm's package $1 for architecture $2, extracted (not
# installed) into $CACHE/$1; prints its path. For another architecture than
# the host's, whose packages of these come from the machine's own apt.
extract() {
	local pkg=$1 arch=$2 path=$3 deb out=$CACHE/$1/$(basename "$3").$2 tmp
	if [ ! -x "$out" ]; then
		(cd "$CACHE/debs" && find . -maxdepth 1 -name "${pkg}_*_$arch.deb" | grep -q .) ||
		(cd "$CACHE/debs" && apt-get "${APT_OPTS[@]}" -qq download "$pkg:$arch/bookworm" >&2) ||
			die "apt-get download $pkg:$arch failed"
		deb=$(find "$CACHE/debs" -maxdepth 1 -name "${pkg}_*_$arch.deb" | sort -V | tail -n 1)
		mkdir -p "$CACHE/$pkg"
		tmp=$(mktemp -d "$CACHE/$pkg/.x.XXXXXX")
		dpkg-deb -x "$deb" "$tmp" || { rm -rf "$tmp"; die "cannot extract $deb"; }
		[ -x "$tmp/$path" ] || { rm -rf "$tmp"; die "no $path in $deb"; }
		mv "$tmp/$path" "$out"
		rm -rf "$tmp"
	fi
	echo "$out"
}

# static: it is the guest's whole userland
busybox() { extract busybox-static "$1" bin/busybox; }
# dynamic: initramfs.sh adds its libraries (libc6 only) from LIB_DIRS
strace() { extract strace "$1" usr/bin/strace; }

case ${1:-} in
kernel)  [ $# = 3 ] || die "usage: $0 kernel VERSION ARCH"; update_lists; kernel "$2" "$3" ;;
resolve) [ $# = 3 ] || die "usage: $0 resolve VERSION ARCH"; update_lists; resolve "$2" "$3" | head -n 1 ;;
busybox) [ $# = 2 ] || die "usage: $0 busybox ARCH"; update_lists; busybox "$2" ;;
strace)  [ $# = 2 ] || die "usage: $0 strace ARCH"; update_lists; strace "$2" ;;
*)       die "usage: $0 kernel VERSION ARCH | resolve VERSION ARCH | busybox ARCH | strace ARCH" ;;
esac
