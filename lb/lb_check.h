/*
 * lb_check.h - the health-check verdict machine of one backend: rise/fall counting over
 * check results, and when the next check is due. Pure; lb_probe.c does the I/O.
 *
 *          fail x fall                      ok x rise
 *   UP  ------------------>  DOWN  ------------------->  UP
 *
 * A result against the current state starts a streak; one in agreement ends it. While a
 * streak runs the next check comes after fast_ms instead of interval_ms, so a dead
 * backend is confirmed (and a revived one readmitted) sooner.
 */
#ifndef FL_LB_CHECK_H
#define FL_LB_CHECK_H

#include <stdbool.h>

enum lb_health_state {
	LB_HEALTH_UP = 1,
	LB_HEALTH_DOWN,
};

struct lb_health_cfg {
	unsigned interval_ms;
	unsigned timeout_ms;
	unsigned rise;
	unsigned fall;
	unsigned fast_ms; /* interval while a streak runs */
};

struct lb_health {
	enum lb_health_state state;
	unsigned streak; /* consecutive results against the state */
};

/* Defaults (docs/programs.md "fl-lb" explains the choice). */
#define LB_CHECK_INTERVAL_MS 200
#define LB_CHECK_TIMEOUT_MS 200
#define LB_CHECK_RISE 2
#define LB_CHECK_FALL 2

/* lb_health_init - a backend starts UP (a dead one is found by the first checks and,
 * until then, the proxy's retry on another backend covers it). */
void lb_health_init(struct lb_health *h);

/* lb_health_feed - account one check result. Returns true when the state changed. */
bool lb_health_feed(struct lb_health *h, const struct lb_health_cfg *c, bool ok);

/* lb_health_next_ms - delay before the next check. */
unsigned lb_health_next_ms(const struct lb_health *h, const struct lb_health_cfg *c);

/* lb_health_cfg_default - the defaults above, fast_ms = interval / 2. */
void lb_health_cfg_default(struct lb_health_cfg *c);

#endif
