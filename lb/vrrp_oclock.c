/*
 * vrrp_oclock.c - the outside clock of `ha safe` (see vrrp_oclock.h).
 */
#include "vrrp_oclock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NS 1000000000ll

void vrrp_oclock_off(struct vrrp_oclock *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

int vrrp_oclock_open(struct vrrp_oclock *c, const char *path)
{
	vrrp_oclock_off(c);
	c->fd = open(path ? path : VRRP_OCLOCK_PATH, O_RDONLY | O_CLOEXEC);
	return c->fd < 0 ? -1 : 0;
}

void vrrp_oclock_close(struct vrrp_oclock *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

uint64_t vrrp_oclock_observe(struct vrrp_oclock *c, int64_t rtc_s, uint64_t mono_ns)
{
	/* the RTC shows whole seconds: its true time lies in [rtc_s, rtc_s + 1) */
	int64_t lo = rtc_s * NS - (int64_t)mono_ns, hi = lo + NS;
	uint64_t jump = 0;

	if (c->have && mono_ns >= c->last_ns) {
		/* the clocks may part a little between readings */
		int64_t d = (int64_t)((mono_ns - c->last_ns) / 1000000 * VRRP_OCLOCK_DRIFT_PPM);
		c->lo -= d;
		c->hi += d;
		c->last_hi += d;
	}
	if (!c->have || mono_ns < c->last_ns || hi <= c->lo) {
		/* first reading, or the RTC was set back: start again */
		c->lo = lo;
		c->hi = hi;
	} else if (lo >= c->hi) {
		/* Above every difference seen. Unseen time is reported only when this
		 * reading and the one before cannot both hold without it: then it passed
		 * between the two, just now. Otherwise it passed earlier and showed only
		 * now (the narrowed interval had not excluded it): old news, start again. */
		if (lo >= c->last_hi)
			jump = (uint64_t)(lo - c->hi);
		c->lo = lo;
		c->hi = hi;
	} else {
		c->lo = lo > c->lo ? lo : c->lo;
		c->hi = hi < c->hi ? hi : c->hi;
	}
	c->have = true;
	c->last_ns = mono_ns;
	c->last_hi = hi;
	if (jump < VRRP_OCLOCK_MIN_NS)
		return 0;
	c->unseen_ns += jump;
	c->jumps++;
	return jump;
}

uint64_t vrrp_oclock_read(struct vrrp_oclock *c)
{
	char buf[32];
	ssize_t n;
	char *end;
	long long s;
	struct timespec ts;

	if (c->fd < 0)
		return 0;
	n = pread(c->fd, buf, sizeof(buf) - 1, 0);
	/* the monotonic time after the read: a slow read (the RTC may be mid-update)
	 * can then only make a difference look smaller, never a stall out of nothing */
	if (n <= 0 || clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return 0;
	buf[n] = '\0';
	errno = 0;
	s = strtoll(buf, &end, 10);
	if (errno || end == buf || s < 0)
		return 0;
	return vrrp_oclock_observe(c, s, (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
}
