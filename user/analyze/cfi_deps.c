// SPDX-License-Identifier: GPL-2.0
/* cfi_deps.c - which initial registers and stack words a DWARF unwinding
 * depended on, from the CFI of its frames (cfi_deps.h; the reasoning is at
 * the top of unwind.c, "The memo"). */
#include <elfutils/libdwfl.h>
#include <dwarf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/cfi_deps.h"
#include "maptrace/events.h"

#define REG_SP       MT_REG_SP  /* DWARF register numbers (events.h) */
#define REG_IP       MT_REG_PC

/* The CFI libdwfl uses for pc: .eh_frame, else .debug_frame (free() it). */
static Dwarf_Frame *cfi_frame(Dwfl *dwfl, uint64_t pc)
{
	Dwfl_Module *m = dwfl_addrmodule(dwfl, pc);
	Dwarf_Frame *fr;
	Dwarf_Addr bias;
	Dwarf_CFI *cfi;

	if (!m)
		return NULL;
	if ((cfi = dwfl_module_eh_cfi(m, &bias)) && !dwarf_cfi_addrframe(cfi, pc - bias, &fr))
		return fr;
	if ((cfi = dwfl_module_dwarf_cfi(m, &bias)) && !dwarf_cfi_addrframe(cfi, pc - bias, &fr))
		return fr;
	return NULL;
}

/* Where a register's value in the frame being analysed came from. */
#define SRC_NONE     0xffff           /* computed from references already counted, or unset */
#define SRC_READ     0x8000           /* | index of the logged read that produced it */

/* Mark what the registers an expression names hold as relevant. */
static void use_regs(const Dwarf_Op *ops, size_t nops, const uint16_t src[MT_NREGS], uint64_t *deps,
		     struct mt_read_rec *log)
{
	for (size_t i = 0; i < nops; i++) {
		uint64_t r;
		uint8_t a = ops[i].atom;

		if (a >= DW_OP_reg0 && a <= DW_OP_reg31)
			r = a - DW_OP_reg0;
		else if (a >= DW_OP_breg0 && a <= DW_OP_breg31)
			r = a - DW_OP_breg0;
		else if (a == DW_OP_regx || a == DW_OP_bregx)
			r = ops[i].number;
		else
			continue;
		/* registers libdwfl never set have no value to depend on */
		if (r >= MT_NREGS || src[r] == SRC_NONE)
			continue;
		if (src[r] & SRC_READ)
			log[src[r] & ~SRC_READ].relevant = true;
		else
			*deps |= 1ull << src[r];
	}
}

/* A rule of the kinds libdw gives for DW_CFA_offset and DW_CFA_val_offset
 * with a CFA rule that reads no memory: one read at CFA+N (location), or
 * none (a value ending in DW_OP_stack_value). Anything else: -1. */
static int simple_rule(const Dwarf_Op *ops, size_t nops)
{
	bool value = false;

	for (size_t i = 0; i < nops; i++) {
		switch (ops[i].atom) {
		case DW_OP_call_frame_cfa: case DW_OP_plus_uconst: case DW_OP_plus: case DW_OP_minus:
		case DW_OP_consts: case DW_OP_constu: case DW_OP_const1u: case DW_OP_const1s:
		case DW_OP_const2u: case DW_OP_const2s: case DW_OP_const4u: case DW_OP_const4s:
		case DW_OP_const8u: case DW_OP_const8s: case DW_OP_nop:
			break;
		case DW_OP_stack_value:
			value = i == nops - 1;
			if (!value)
				return -1;
			break;
		default:
			if (ops[i].atom >= DW_OP_lit0 && ops[i].atom <= DW_OP_lit31)
				break;
			return -1;
		}
	}
	return value ? 0 : 1;
}

static bool reads_memory(const Dwarf_Op *ops, size_t nops)
{
	for (size_t i = 0; i < nops; i++)
		if (ops[i].atom == DW_OP_deref || ops[i].atom == DW_OP_deref_size ||
		    ops[i].atom == DW_OP_xderef || ops[i].atom == DW_OP_xderef_size)
			return true;
	return false;
}

/* Which initial registers (the result) and which logged reads (their
 * relevant flag) the unwinding of pcs[0..n) depended on; see the comment at
 * the top. A value matters when some later rule names the register still
 * holding it, or when it is a return address (the caller's pc). Frames
 * this cannot follow exactly (no CFI: libdwfl's frame-pointer fallback;
 * rules that read memory otherwise) make everything from there relevant.
 * -1 when the CFI cannot be read. */
int64_t mt_cfi_register_deps(Dwfl *dwfl, const uint64_t *pcs, int n, struct mt_read_rec *log,
			     uint32_t nlog)
{
	uint16_t src[MT_NREGS], next[MT_NREGS];
	uint64_t deps = 0;
	uint32_t pos = 0;
	int i;

	for (uint32_t k = 0; k < nlog; k++)
		log[k].relevant = false;
	for (int r = 0; r < MT_NREGS; r++)
		src[r] = (uint16_t)r;
	for (i = 0; i < n; i++) {
		Dwarf_Frame *fr = cfi_frame(dwfl, pcs[i]);
		Dwarf_Op *cfa, *ops;
		size_t ncfa, nops;
		int ra = -1;
		bool complex = !fr;

		if (fr) {
			ra = dwarf_frame_info(fr, NULL, NULL, NULL);
			if (dwarf_frame_cfa(fr, &cfa, &ncfa)) {
				free(fr);
				return -1;
			}
			complex = reads_memory(cfa, ncfa);
		}
		if (complex) {
			free(fr);
			break;
		}
		use_regs(cfa, ncfa, src, &deps, log);
		for (int r = 0; r < MT_NREGS && !complex; r++) {
			Dwarf_Op mem[3];
			int kind;

			next[r] = SRC_NONE;
			if (dwarf_frame_register(fr, r, mem, &ops, &nops))
				continue;  /* libdwfl leaves it unset too */
			if (nops == 0) {
				if (ops == NULL)
					next[r] = src[r]; /* same value */
				continue;
			}
			use_regs(ops, nops, src, &deps, log);
			kind = simple_rule(ops, nops);
			if (kind < 0 || pos >= nlog) {
				complex = true;
			} else if (kind == 1) {
				next[r] = (uint16_t)(SRC_READ | pos);
				if (r == ra)
					log[pos].relevant = true; /* the caller's pc */
				pos++;
			}
		}
		free(fr);
		if (complex)
			break;
		/* the caller's pc is the return-address register as unwound: a
		 * read (marked above) or, in an arm64 leaf, the initial x30 */
		if (ra >= 0 && ra < MT_NREGS && next[ra] != SRC_NONE && !(next[ra] & SRC_READ))
			deps |= 1ull << next[ra];
		memcpy(src, next, sizeof(src));
	}
	if (i < n || pos != nlog) {
		/* not followed to the end: what is still live, and every read
		 * from here on, is relevant */
		for (int r = 0; r < MT_NREGS; r++) {
			if (src[r] == SRC_NONE)
				continue;
			if (src[r] & SRC_READ)
				log[src[r] & ~SRC_READ].relevant = true;
			else
				deps |= 1ull << src[r];
		}
		for (uint32_t k = pos; k < nlog; k++)
			log[k].relevant = true;
	}
	return (int64_t)deps;  /* bit 63 is never set: MT_NREGS <= 63 */
}
