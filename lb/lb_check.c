/*
 * lb_check.c - rise/fall verdicts (see lb_check.h). Invariant: streak < the threshold
 * of the current state (fall when UP, rise when DOWN) between calls.
 */
#include "lb_check.h"

void lb_health_init(struct lb_health *h)
{
	h->state = LB_HEALTH_UP;
	h->streak = 0;
}

void lb_health_cfg_default(struct lb_health_cfg *c)
{
	c->interval_ms = LB_CHECK_INTERVAL_MS;
	c->timeout_ms = LB_CHECK_TIMEOUT_MS;
	c->rise = LB_CHECK_RISE;
	c->fall = LB_CHECK_FALL;
	c->fast_ms = LB_CHECK_INTERVAL_MS / 2;
}

bool lb_health_feed(struct lb_health *h, const struct lb_health_cfg *c, bool ok)
{
	bool against = (h->state == LB_HEALTH_UP) != ok;
	unsigned need = h->state == LB_HEALTH_UP ? c->fall : c->rise;

	if (!against) {
		h->streak = 0;
		return false;
	}
	if (++h->streak < (need ? need : 1))
		return false;
	h->state = h->state == LB_HEALTH_UP ? LB_HEALTH_DOWN : LB_HEALTH_UP;
	h->streak = 0;
	return true;
}

unsigned lb_health_next_ms(const struct lb_health *h, const struct lb_health_cfg *c)
{
	return h->streak ? c->fast_ms : c->interval_ms;
}
