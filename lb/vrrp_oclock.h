/*
 * vrrp_oclock.h - the outside clock of `ha safe`: time a member could not see pass.
 *
 * A process frozen by a cgroup sees its stall on CLOCK_MONOTONIC, but a guest stopped
 * by its hypervisor does not: its clocks stop with it (QEMU under TCG stops the guest's
 * TSC, PIT, HPET and ACPI timer alike), so a master that resumes thinks no time passed
 * and claims again while its peer, which took over meanwhile, claims too. The RTC does
 * not stop: QEMU drives it from the host's clock by default (`-rtc clock=host`), so it
 * jumps by the length of the stall (measured: 3 s across a 3 s QMP stop, while the
 * guest's uptime moved 0.27 s). Each wake-up reads the RTC (sysfs `since_epoch`, whole
 * seconds, no exclusive open as /dev/rtc0 would need) beside CLOCK_MONOTONIC and keeps
 * the interval in which their difference must lie; a reading above that interval, and
 * above the reading just before it, is time that passed unseen since that reading, at
 * least (reading - interval top). Seconds are coarse, so a stall is certain to show
 * when it is longer than about 1 s plus the time between the readings; shorter ones
 * may or may not, and one that shows only later (no two successive readings prove it)
 * is not reported: by then the member has spoken and listened since. On a host, where CLOCK_MONOTONIC runs through a freeze, the
 * difference stays put and nothing is reported.
 *
 * The estimator (vrrp_oclock_observe) is pure and unit-tested.
 */
#ifndef FL_VRRP_OCLOCK_H
#define FL_VRRP_OCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define VRRP_OCLOCK_PATH      "/sys/class/rtc/rtc0/since_epoch"
#define VRRP_OCLOCK_DRIFT_PPM 1000	 /* the two clocks may part this fast (1 ms/s) */
#define VRRP_OCLOCK_MIN_NS    20000000ull /* a smaller excess is not reported (20 ms) */

struct vrrp_oclock {
	int fd;		     /* the RTC's since_epoch, -1: no outside clock */
	bool have;	     /* an interval exists */
	int64_t lo, hi;	     /* RTC time - monotonic time (ns) lies in [lo, hi) */
	int64_t last_hi;     /* the top of the last reading's own interval */
	uint64_t last_ns;    /* monotonic time of the last reading */
	uint64_t unseen_ns;  /* all the unseen time found so far */
	uint64_t jumps;	     /* how many times some was found */
};

/* vrrp_oclock_open - use @path (NULL: VRRP_OCLOCK_PATH) as the outside clock; one that
 * cannot be read leaves the clock off (fd -1). Returns 0, or -1 with errno. */
int vrrp_oclock_open(struct vrrp_oclock *c, const char *path);

/* vrrp_oclock_off - no outside clock (every reading returns 0). */
void vrrp_oclock_off(struct vrrp_oclock *c);

/* vrrp_oclock_observe - the RTC read @rtc_s whole seconds at monotonic @mono_ns:
 * returns the time that provably passed unseen since the previous reading (ns; 0 for
 * none or less than VRRP_OCLOCK_MIN_NS), and adds it to unseen_ns. */
uint64_t vrrp_oclock_observe(struct vrrp_oclock *c, int64_t rtc_s, uint64_t mono_ns);

/* vrrp_oclock_read - read the RTC and CLOCK_MONOTONIC now and observe them (0 when
 * off or the read fails). */
uint64_t vrrp_oclock_read(struct vrrp_oclock *c);

void vrrp_oclock_close(struct vrrp_oclock *c);

#endif
