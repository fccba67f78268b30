/*
 * flt_book.c - composition bookkeeping for overlapping faults (see flt_book.h). No
 * I/O: the kinds consult it before and after talking to the kernel.
 *
 * Invariants: a flt_ref's count never goes below zero; a drop from an older
 * generation never changes the count. An mtu stack holds each id at most once, in
 * apply order, and its top is the value the interface should have.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flt_book.h"

bool flt_ref_idle(const struct flt_ref *r)
{
	return r->n == 0;
}

unsigned flt_ref_take(struct flt_ref *r)
{
	r->n++;
	return r->gen;
}

bool flt_ref_drop(struct flt_ref *r, unsigned gen)
{
	if (gen != r->gen || r->n == 0)
		return false;
	return --r->n == 0;
}

void flt_ref_cancel(struct flt_ref *r)
{
	r->n = 0;
	r->gen++;
}

int flt_mtu_reserve(struct flt_mtu_stack *st)
{
	if (st->n < st->cap)
		return 0;
	int cap = st->cap ? st->cap * 2 : 4;
	struct flt_mtu_ent *v = realloc(st->v, (size_t)cap * sizeof(*v));
	if (!v)
		return errno = ENOMEM, -1;
	st->v = v;
	st->cap = cap;
	return 0;
}

void flt_mtu_push(struct flt_mtu_stack *st, int id, int mtu)
{
	st->v[st->n++] = (struct flt_mtu_ent){id, mtu};
}

int flt_mtu_top(const struct flt_mtu_stack *st)
{
	return st->n ? st->v[st->n - 1].mtu : st->base;
}

int flt_mtu_remove(struct flt_mtu_stack *st, int id)
{
	int before = flt_mtu_top(st), i;
	for (i = 0; i < st->n && st->v[i].id != id; i++)
		;
	if (i == st->n)
		return 0;
	memmove(&st->v[i], &st->v[i + 1], (size_t)(st->n - i - 1) * sizeof(st->v[0]));
	st->n--;
	int after = flt_mtu_top(st);
	return after == before ? 0 : after;
}

void flt_mtu_stack_fini(struct flt_mtu_stack *st)
{
	free(st->v);
	st->v = NULL;
	st->n = st->cap = 0;
}
