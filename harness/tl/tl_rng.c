/*
 * tl_rng.c - the timeline's seeded generator: splitmix64 and the three draws the
 * timeline makes from it (uniform real, uniform integer, exponential). The exact
 * arithmetic is the contract documented in tl.h: the same seed gives the same schedule
 * on every run and every machine with IEEE doubles and a correctly rounded log().
 */
#include <math.h>

#include "tl.h"

#define TL_GOLDEN 0x9E3779B97F4A7C15ULL

uint64_t tl_rng_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

void tl_rng_init(struct tl_rng *r, uint64_t seed, uint64_t stream)
{
	/* Mixing the stream number first keeps streams of nearby seeds apart: seed 1
	 * stream 2 and seed 2 stream 1 start far from each other. */
	r->s = tl_rng_mix(seed ^ tl_rng_mix(stream + 1));
}

uint64_t tl_rng_next(struct tl_rng *r)
{
	r->s += TL_GOLDEN;
	return tl_rng_mix(r->s);
}

double tl_rng_unit(struct tl_rng *r)
{
	return (double)(tl_rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t tl_rng_below(struct tl_rng *r, uint64_t n)
{
	return tl_rng_next(r) % n;
}

double tl_rng_exp(struct tl_rng *r, double mean)
{
	/* 1 - u lies in (0, 1], so log() never sees 0. */
	return -mean * log(1.0 - tl_rng_unit(r));
}
