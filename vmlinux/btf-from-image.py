#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""btf-from-image.py - copy a kernel's raw .BTF blob out of its boot image.

    vmlinux/btf-from-image.py IMAGE OUT.btf

IMAGE is a kernel as distributions ship it in /boot: an x86 bzImage, a raw
arm64 Image, a gzip- or xz-compressed one (vmlinuz), or an EFI zboot image (a PE stub
wrapping a compressed Image, CONFIG_EFI_ZBOOT). The .BTF section of a kernel
built with CONFIG_DEBUG_INFO_BTF=y is loaded with the kernel, so it sits in
the Image as is (between __start_BTF and __stop_BTF); no vmlinux ELF, no
debug package and no machine of that architecture are needed. OUT is what
/sys/kernel/btf/vmlinux holds on that kernel: feed it to
`bpftool btf dump file OUT format c`.

The blob is found by its header (include/uapi/linux/btf.h):
    struct btf_header { u16 magic = 0xeB9F; u8 version = 1; u8 flags;
                        u32 hdr_len; u32 type_off; u32 type_len;
                        u32 str_off; u32 str_len; };
    size = hdr_len + max(type_off + type_len, str_off + str_len)
Candidates are checked for a sane layout (types then strings, the string
section starting and ending with NUL) and the largest one wins: the magic
bytes may also occur by chance elsewhere in the image.
"""
import gzip
import lzma
import struct
import subprocess
import sys

BTF_MAGIC = b"\x9f\xeb\x01"  # 0xeB9F little-endian, version 1
HDR = struct.Struct("<HBBIIIII")


def decompress(data, what):
    # A kernel's payload may carry its decompressed size after the stream
    # (scripts/Makefile.lib size_append): what decompresses before an end
    # the decompressor does not like is the image.
    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    if data[:6] == b"\xfd7zXZ\x00":
        return lzma.LZMADecompressor().decompress(data)
    if data[:4] == b"\x28\xb5\x2f\xfd":  # zstd: not in Python's library
        out = subprocess.run(["zstd", "-dcq"], input=data, capture_output=True).stdout
        if out:
            return out
        sys.exit(f"btf-from-image: {what} is zstd-compressed: install zstd")
    sys.exit(f"btf-from-image: {what} is compressed in a format this script does not know "
             f"(gzip, xz and zstd are supported); decompress it first and pass the raw Image")


def kernel_image(data):
    """The uncompressed kernel Image inside data."""
    if data[:2] == b"\x1f\x8b" or data[:6] == b"\xfd7zXZ\x00":
        return decompress(data, "the image")
    # x86 bzImage (Documentation/arch/x86/boot.rst): "HdrS" at 0x202, the
    # protected-mode code after (setup_sects + 1) sectors, and in it the
    # compressed vmlinux at payload_offset (0x248), payload_length (0x24c)
    if len(data) > 0x250 and data[0x202:0x206] == b"HdrS":
        setup_sects = data[0x1f1] or 4
        off, size = struct.unpack_from("<II", data, 0x248)
        start = (setup_sects + 1) * 512 + off
        return decompress(data[start:start + size], "the bzImage payload")
    # EFI zboot (drivers/firmware/efi/libstub/zboot-header.S): "MZ", then
    # "zimg" at 4, payload offset and size at 8 and 12, compression name at 24
    if data[:2] == b"MZ" and data[4:8] == b"zimg":
        off, size = struct.unpack_from("<II", data, 8)
        name = data[24:56].split(b"\0")[0].decode(errors="replace")
        return decompress(data[off:off + size], f"the zboot payload ({name})")
    return data


def btf_blobs(img):
    pos = img.find(BTF_MAGIC)
    while pos >= 0:
        if pos + HDR.size <= len(img):
            _, _, _, hdr_len, type_off, type_len, str_off, str_len = HDR.unpack_from(img, pos)
            body = pos + hdr_len
            end = body + max(type_off + type_len, str_off + str_len)
            if (HDR.size <= hdr_len <= 256 and type_len and str_len
                    and type_off + type_len <= str_off and end <= len(img)
                    and img[body + str_off] == 0 and img[body + str_off + str_len - 1] == 0):
                yield img[pos:end]
        pos = img.find(BTF_MAGIC, pos + 1)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: btf-from-image.py IMAGE OUT.btf")
    with open(sys.argv[1], "rb") as f:
        img = kernel_image(f.read())
    best = max(btf_blobs(img), key=len, default=None)
    if best is None:
        sys.exit(f"btf-from-image: no BTF in {sys.argv[1]}: the kernel needs CONFIG_DEBUG_INFO_BTF=y")
    with open(sys.argv[2], "wb") as f:
        f.write(best)
    print(f"btf-from-image: {len(best)} bytes of BTF from {sys.argv[1]}", file=sys.stderr)


if __name__ == "__main__":
    main()
