// SPDX-License-Identifier: GPL-2.0
/* demangle.c - symbol names as their source spells them (see demangle.h).
 *
 * cplus_demangle() with DMGL_AUTO tries each scheme it knows: Itanium C++
 * ("_Z..."), Rust v0 ("_R...", RFC 2603) and Rust legacy (Itanium with a
 * trailing "17h<hash>E" element, which it drops as rustc-demangle does).
 * Names that start with neither prefix are left alone without a call: C
 * and Go symbols are already source names.
 */
#include <stdlib.h>
#include <libiberty/demangle.h>

#include "analyze/demangle.h"

char *mt_demangle(const char *sym)
{
	if (!sym || sym[0] != '_' || (sym[1] != 'Z' && sym[1] != 'R'))
		return NULL;
	return cplus_demangle(sym, DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO);
}
