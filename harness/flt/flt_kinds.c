/*
 * flt_kinds.c - the one table of fault kinds. Each entry is a struct flt_kind defined in
 * its own file flt_<kind>.c; this list declares it and registers it, once. The scenario
 * language reads the table as scn_fault_kinds[] (the grammar half of each entry, see
 * scn.h); the timeline and flt.c get back to the whole descriptor with flt_kind_of().
 *
 * The order is the order the language lists the kinds in its error messages. Adding a
 * kind: write flt_<kind>.c defining `const struct flt_kind flt_<kind>_kind`, add one
 * X(<kind>) line here (docs/architecture.md, "Adding a fault kind").
 */
#include <stddef.h>

#include "flt_int.h"

#define FLT_KINDS(X)                                                                               \
	X(link_down)                                                                               \
	X(link_up)                                                                                 \
	X(flap)                                                                                    \
	X(blackhole)                                                                               \
	X(mtu)                                                                                     \
	X(pmtu)                                                                                    \
	X(loss)                                                                                    \
	X(delay)                                                                                   \
	X(bandwidth)                                                                               \
	X(duplicate)                                                                               \
	X(corrupt)                                                                                 \
	X(reorder)                                                                                 \
	X(partition)                                                                               \
	X(stall)                                                                                   \
	X(hog)                                                                                     \
	X(kill)                                                                                    \
	X(restart)

#define FLT_KIND_DECLARE(k) extern const struct flt_kind flt_##k##_kind;
FLT_KINDS(FLT_KIND_DECLARE)

#define FLT_KIND_ENTRY(k) &flt_##k##_kind.scn,
const struct scn_fault_kind *const scn_fault_kinds[] = {FLT_KINDS(FLT_KIND_ENTRY) NULL};
