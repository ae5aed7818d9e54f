/* SPDX-License-Identifier: GPL-2.0 */
/* golang.h - whether a program is Go's, from the build information the Go
 * linker writes into every Go binary (section .go.buildinfo, Go 1.13 and
 * later; its version written inline since Go 1.18), stripped or not.
 * User-only. */
#ifndef MAPTRACE_GOLANG_H
#define MAPTRACE_GOLANG_H

#include <stddef.h>
#include <stdint.h>

/* The section's contents: 0 and ver set ("go1.19.8"; "" when the version
 * is not inline: Go before 1.18 points to it instead), -EINVAL when they
 * are no Go build information. */
int mt_go_buildinfo_parse(const uint8_t *data, size_t n, char *ver, size_t len);

/* The same for the ELF file at path: -ENOENT when it is no Go program
 * (no .go.buildinfo section), another -errno when it cannot be read. */
int mt_go_buildinfo_read(const char *path, char *ver, size_t len);

#endif /* MAPTRACE_GOLANG_H */
