/* SPDX-License-Identifier: GPL-2.0 */
/* timeline.h - a traced run's timeline (analyze/timeline.h) as JSON, the
 * "timeline" member of explain's and stat's documents: the calls kept
 * (the peak always among them), the resident samples, the peak, and each
 * creating stack once. User-only. */
#ifndef MAPTRACE_OUT_TIMELINE_H
#define MAPTRACE_OUT_TIMELINE_H

#include "analyze/timeline.h"
#include "analyze/unwind.h"
#include "base/json.h"

/* "timeline": {...} into j; uw names the stacks (NULL: none are named).
 * 0 or -ENOMEM. */
int mt_timeline_json(struct mt_json *j, const struct mt_timeline *tl, const struct mt_unwinder *uw);

#endif /* MAPTRACE_OUT_TIMELINE_H */
