/* SPDX-License-Identifier: GPL-2.0 */
/* demangle.h - symbol names as their source spells them: C++ (Itanium
 * ABI) and Rust (legacy and v0) through libiberty's demangler, the one perf,
 * gdb and binutils use. User-only. */
#ifndef MAPTRACE_DEMANGLE_H
#define MAPTRACE_DEMANGLE_H

/* The source name of a mangled symbol ("v8::internal::Heap::SetUp(
 * v8::internal::LocalHeap*)"), allocated; NULL when sym is not mangled
 * (a C name, Go's "runtime.mallocgc") or cannot be demangled. */
char *mt_demangle(const char *sym);

#endif /* MAPTRACE_DEMANGLE_H */
