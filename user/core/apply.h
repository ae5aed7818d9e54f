/* SPDX-License-Identifier: GPL-2.0 */
/* apply.h - one mapping call applied to a shadow. User-only. */
#ifndef MAPTRACE_APPLY_H
#define MAPTRACE_APPLY_H

#include "core/aspace.h"

/* Apply event e (a mapping call, its turn come) to as->shadow; name is its
 * decoded path or NULL. Sets as->resync where the event cannot say what
 * the call changed. Returns 0, or -errno when the shadow could not follow
 * (out of memory: the caller re-reads the address space). */
int mt_apply_event(struct mt_aspace *as, const struct mt_event *e, const char *name);

#endif /* MAPTRACE_APPLY_H */
