/*
 * tl_shrink.c - delta debugging over the firings of a schedule (`faultline shrink`):
 * from a set of firings whose run fails, a smaller set whose run still fails, found
 * with Zeller's ddmin (split into n chunks; try each chunk, then each complement;
 * keep the first that fails; otherwise double n) and a last pass that tries to drop
 * each remaining firing alone.
 *
 * What "fails" means is the caller's: ops->run runs candidates and says, per run,
 * whether it failed. Runs are noisy, so each candidate is run up to cfg->tries times
 * and fails when cfg->need of them failed; it is decided as soon as the rest could
 * not change that (with need == tries the first run that holds decides it). The
 * candidates of one step (the n chunks, the n complements, the removals) are
 * independent, so up to cfg->width runs are handed over at once, filled in order:
 * first what the earliest undecided candidates need to be decided, then their
 * remaining tries, then the next candidates. The first candidate in order that fails
 * is kept, so with a predicate that does not vary from run to run the result does not
 * depend on width.
 *
 * Order of the search: candidate 1 is every firing (the baseline: when it does not
 * fail, there is nothing to shrink), candidate 2 is no firing at all (when it fails,
 * the failure needs no fault and the result is empty), then ddmin, then the last
 * pass. A decided candidate is remembered (by its set) and not run again, except in
 * the last pass, which runs each removal afresh: a removal that held once by chance is
 * given one more chance there.
 *
 * Library code: no I/O; the caller prints what ops->decided tells it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl.h"

struct shrink_memo {
	uint64_t *bits;
	bool failed;
};

struct shrink {
	int n_all, words;
	const struct tl_shrink_cfg *cfg;
	const struct tl_shrink_ops *ops;
	struct tl_shrink_stats *st;
	struct shrink_memo *memo;
	int n_memo, cap_memo;
	struct tl_shrink_run *runs; /* cfg->width of them */
};

struct shrink_cand {
	struct tl_shrink_cand c; /* what ops->decided sees */
	int *set;		 /* owned */
	int started;		 /* runs handed over so far */
	bool fresh;		 /* not from the memo: run it even if decided before */
};

static bool shrink_bit(const uint64_t *b, int i)
{
	return b[i / 64] >> (i % 64) & 1;
}

static void shrink_bits_of(const int *set, int n, uint64_t *b, int words)
{
	memset(b, 0, (size_t)words * sizeof(*b));
	for (int i = 0; i < n; i++)
		b[set[i] / 64] |= (uint64_t)1 << (set[i] % 64);
}

/* The memo entry of @set, or NULL. */
static struct shrink_memo *shrink_memo_find(struct shrink *sh, const int *set, int n)
{
	for (int m = 0; m < sh->n_memo; m++) {
		int k = 0, i = 0;
		for (; i < sh->n_all; i++)
			if (shrink_bit(sh->memo[m].bits, i) && (k == n || set[k++] != i))
				break;
		if (i == sh->n_all && k == n)
			return &sh->memo[m];
	}
	return NULL;
}

static int shrink_memo_put(struct shrink *sh, const int *set, int n, bool failed)
{
	struct shrink_memo *m = shrink_memo_find(sh, set, n);

	if (!m) {
		if (sh->n_memo == sh->cap_memo) {
			int cap = sh->cap_memo * 2 + 16;
			struct shrink_memo *v = realloc(sh->memo, (size_t)cap * sizeof(*v));
			if (!v)
				return -1;
			sh->memo = v;
			sh->cap_memo = cap;
		}
		m = &sh->memo[sh->n_memo];
		if (!(m->bits = malloc((size_t)sh->words * sizeof(*m->bits))))
			return -1;
		sh->n_memo++;
		shrink_bits_of(set, n, m->bits, sh->words);
	}
	m->failed = failed;
	return 0;
}

/* Runs @c still needs before it could be decided (need-f fails or tries-need+1-h holds). */
static int shrink_to_decide(const struct shrink *sh, const struct shrink_cand *c)
{
	int f = sh->cfg->need - c->c.fails, h = sh->cfg->tries - sh->cfg->need + 1 - c->c.holds;

	return f < h ? f : h;
}

static int shrink_decide(struct shrink *sh, struct shrink_cand *c)
{
	if (c->c.fails >= sh->cfg->need)
		c->c.failed = true;
	else if (c->c.holds > sh->cfg->tries - sh->cfg->need)
		c->c.failed = false;
	else
		return 0;
	c->c.decided = true;
	sh->st->candidates++;
	sh->st->failed += c->c.failed;
	if (sh->ops->decided)
		sh->ops->decided(sh->ops->arg, &c->c);
	return shrink_memo_put(sh, c->set, c->c.n, c->c.failed);
}

/* Up to cfg->width runs for the undecided of @c[from..m), into sh->runs: first what
 * each needs before it could be decided, in order, then the rest of their tries. */
static int shrink_wave(struct shrink *sh, struct shrink_cand *c, int from, int m)
{
	int w = 0;

	for (int pass = 0; pass < 2; pass++)
		for (int i = from; i < m && w < sh->cfg->width; i++) {
			if (c[i].c.decided)
				continue;
			int done = c[i].c.fails + c[i].c.holds;
			int upto = pass ? sh->cfg->tries : done + shrink_to_decide(sh, &c[i]);
			if (c[i].started < upto && !c[i].c.k)
				c[i].c.k = ++sh->st->numbered; /* numbered when first run */
			while (c[i].started < upto && w < sh->cfg->width)
				sh->runs[w++] = (struct tl_shrink_run){.set = c[i].set,
								       .n = c[i].c.n,
								       .cand = c[i].c.k,
								       .try_no = ++c[i].started};
		}
	return w;
}

/* Take the memo's answers. */
static void shrink_prepare(struct shrink *sh, struct shrink_cand *c, int m)
{
	for (int i = 0; i < m; i++) {
		struct shrink_memo *me =
		    c[i].fresh ? NULL : shrink_memo_find(sh, c[i].set, c[i].c.n);
		c[i].c.set = c[i].set;
		if (me) {
			c[i].c.decided = c[i].c.cached = true;
			c[i].c.failed = me->failed;
			sh->st->cached++;
		}
	}
}

/*
 * The index of the first of @c[0..m) (in order) that fails, m when none does; -1
 * with errno when ops->run failed. Candidates after the first that fails may be
 * left undecided. With @all it decides instead the longest prefix of @c that fails
 * (and the one after it), not only the first that fails.
 */
static int shrink_decide_all(struct shrink *sh, struct shrink_cand *c, int m, bool all)
{
	shrink_prepare(sh, c, m);
	for (;;) {
		int i0 = 0, first = 0;
		while (first < m && c[first].c.decided && !c[first].c.failed)
			first++;
		while (i0 < m && c[i0].c.decided && c[i0].c.failed == all)
			i0++;
		if (i0 == m || c[i0].c.decided)
			return first;
		int w = shrink_wave(sh, c, i0, m);
		if (sh->ops->run(sh->ops->arg, sh->runs, w) == -1)
			return -1;
		sh->st->runs += w;
		for (int r = 0; r < w; r++)
			for (int i = i0; i < m; i++)
				if (c[i].c.k == sh->runs[r].cand && !c[i].c.decided) {
					c[i].c.fails += sh->runs[r].fails;
					c[i].c.holds += !sh->runs[r].fails;
					if (shrink_decide(sh, &c[i]) == -1)
						return -1;
					break;
				}
	}
}

static int shrink_first(struct shrink *sh, struct shrink_cand *c, int m)
{
	return shrink_decide_all(sh, c, m, false);
}

static void shrink_cands_free(struct shrink_cand *c, int m)
{
	for (int i = 0; c && i < m; i++)
		free(c[i].set);
	free(c);
}

/* @m candidates with room for @cap firings each, stage texts to be filled. */
static struct shrink_cand *shrink_cands_new(int m, int cap)
{
	struct shrink_cand *c = calloc((size_t)m, sizeof(*c));

	for (int i = 0; c && i < m; i++)
		if (!(c[i].set = malloc((size_t)(cap ? cap : 1) * sizeof(int)))) {
			shrink_cands_free(c, m);
			return NULL;
		}
	return c;
}

/* @c failed: it is the set to shrink from now on. */
static void shrink_keep(struct shrink *sh, const struct shrink_cand *c, int *cur, int *len)
{
	memcpy(cur, c->set, (size_t)c->c.n * sizeof(*cur));
	*len = c->c.n;
	if (sh->ops->reduced)
		sh->ops->reduced(sh->ops->arg, &c->c);
}

/* Chunk @i of @n of @cur[0..len): [i*len/n, (i+1)*len/n). */
static void shrink_chunk(const int *cur, int len, int n, int i, bool complement,
			 struct shrink_cand *c)
{
	int lo = (int)((long)i * len / n), hi = (int)((long)(i + 1) * len / n);

	c->c.n = 0;
	for (int k = 0; k < len; k++)
		if ((k >= lo && k < hi) != complement)
			c->set[c->c.n++] = cur[k];
	snprintf(c->c.stage, sizeof(c->c.stage), "%s %d of %d",
		 complement ? "complement" : "subset", i + 1, n);
}

/* Test the n chunks (or complements) of @cur; on one that fails, it becomes @cur.
 * 1 reduced, 0 none failed, -1 error. */
static int shrink_step(struct shrink *sh, int *cur, int *len, int n, bool complement)
{
	struct shrink_cand *c = shrink_cands_new(n, *len);
	int r = -1;

	if (!c)
		return -1;
	for (int i = 0; i < n; i++)
		shrink_chunk(cur, *len, n, i, complement, &c[i]);
	r = shrink_first(sh, c, n);
	if (r >= 0 && r < n)
		shrink_keep(sh, &c[r], cur, len);
	shrink_cands_free(c, n);
	return r < 0 ? -1 : r < n;
}

static int shrink_ddmin(struct shrink *sh, int *cur, int *len)
{
	int n = 2, r;

	while (*len >= 2) {
		if ((r = shrink_step(sh, cur, len, n, false)) == -1)
			return -1;
		if (r) {
			n = 2;
			continue;
		}
		/* with two chunks each complement is the other chunk: already tried */
		if (n > 2 && (r = shrink_step(sh, cur, len, n, true)) == -1)
			return -1;
		if (n > 2 && r) {
			n = n - 1 > 2 ? n - 1 : 2;
			continue;
		}
		if (n >= *len)
			break;
		n = 2 * n < *len ? 2 * n : *len;
	}
	return 0;
}

/* The last pass: without each firing alone, afresh; keep every removal that fails. */
static int shrink_each(struct shrink *sh, int *cur, int *len)
{
	for (int from = 0; from<*len && * len> 1;) {
		int m = *len - from;
		struct shrink_cand *c = shrink_cands_new(m, *len);
		if (!c)
			return -1;
		for (int i = 0; i < m; i++) {
			for (int k = 0; k < *len; k++)
				if (k != from + i)
					c[i].set[c[i].c.n++] = cur[k];
			c[i].fresh = true;
			snprintf(c[i].c.stage, sizeof(c[i].c.stage), "without #%d",
				 cur[from + i] + 1);
		}
		int r = shrink_first(sh, c, m);
		if (r >= 0 && r < m)
			shrink_keep(sh, &c[r], cur, len);
		shrink_cands_free(c, m);
		if (r < 0)
			return -1;
		from = r < m ? from + r : *len; /* what follows the removed one, afresh */
	}
	return 0;
}

/* Candidate 1 (every firing) and 2 (none), side by side: 1 go on, 0 done (*@len
 * set), -1 error. Side by side: the second may run before the first is decided. */
static int shrink_ends(struct shrink *sh, int *len)
{
	struct shrink_cand *c = shrink_cands_new(2, sh->n_all);
	int r;

	if (!c)
		return -1;
	for (int i = 0; i < sh->n_all; i++)
		c[0].set[c[0].c.n++] = i;
	snprintf(c[0].c.stage, sizeof(c[0].c.stage), "every firing");
	snprintf(c[1].c.stage, sizeof(c[1].c.stage), "no firing");
	r = shrink_decide_all(sh, c, sh->n_all ? 2 : 1, true);
	sh->st->baseline_failed = r == 0;
	if (r == 0 && (!sh->n_all || c[1].c.failed)) {
		*len = 0;
		r = 0;
	} else {
		*len = sh->n_all;
		r = r < 0 ? -1 : r == 0;
	}
	shrink_cands_free(c, 2);
	return r;
}

static int shrink_cfg_ok(int n, const struct tl_shrink_cfg *cfg, const struct tl_shrink_ops *ops)
{
	return n >= 0 && cfg->tries >= 1 && cfg->need >= 1 && cfg->need <= cfg->tries &&
	       cfg->width >= 1 && ops && ops->run;
}

int tl_shrink(int n, const struct tl_shrink_cfg *cfg, const struct tl_shrink_ops *ops, int **out,
	      int *n_out, struct tl_shrink_stats *st)
{
	struct shrink sh = {
	    .n_all = n, .words = (n + 63) / 64 + 1, .cfg = cfg, .ops = ops, .st = st};
	int *cur, len = n, r = -1;

	if (!shrink_cfg_ok(n, cfg, ops))
		return errno = EINVAL, -1;
	memset(st, 0, sizeof(*st));
	cur = malloc((size_t)(n ? n : 1) * sizeof(*cur));
	sh.runs = calloc((size_t)cfg->width, sizeof(*sh.runs));
	if (!cur || !sh.runs)
		goto out;
	for (int i = 0; i < n; i++)
		cur[i] = i;
	r = shrink_ends(&sh, &len);
	if (r == 1 && (shrink_ddmin(&sh, cur, &len) == -1 || shrink_each(&sh, cur, &len) == -1))
		r = -1;
out:
	for (int m = 0; m < sh.n_memo; m++)
		free(sh.memo[m].bits);
	free(sh.memo);
	free(sh.runs);
	if (r == -1) {
		int e = errno;
		free(cur);
		errno = e ? e : ENOMEM;
		return -1;
	}
	*out = cur;
	*n_out = len;
	return st->baseline_failed ? 0 : 1;
}
