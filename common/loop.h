/*
 * loop.h - the project's one event loop: the fl-* programs run on it, and faultline
 * through the thin layer of harness/run/ev.c.
 *
 * One epoll instance with:
 *  - fd watchers: one callback per fd, level-triggered unless the caller adds EPOLLET;
 *  - timers: caller-owned struct loop_timer (no allocation per timer), absolute deadlines
 *    on CLOCK_MONOTONIC in nanoseconds, kept in a min-heap; one timerfd armed for the
 *    earliest deadline gives nanosecond resolution (epoll_wait's own timeout is in ms);
 *  - signals: signalfd for the signals the program asks for (they are blocked).
 *
 * Single-threaded. Callbacks may add, change and remove watchers and timers, including
 * their own. An event reported for an fd that was removed (or removed and reused) earlier
 * in the same batch is dropped: each registration carries a generation number.
 *
 * Timer invariants: a timer is either idle or in the heap exactly once; it is disarmed
 * before its callback runs, so the callback may re-arm it. A timer armed from a callback
 * with a deadline already past runs on the next iteration, never in the same pass, so a
 * callback cannot starve I/O by re-arming in the past.
 */
#ifndef FL_LOOP_H
#define FL_LOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;

/* Called with the fd and the epoll event bits (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP...). */
typedef void (*loop_fd_cb)(struct loop *loop, int fd, uint32_t events, void *arg);
/* Called when the timer's deadline has passed; the timer is already idle. */
struct loop_timer;
typedef void (*loop_timer_cb)(struct loop *loop, struct loop_timer *t, void *arg);
/* Called once per delivered signal. */
typedef void (*loop_signal_cb)(struct loop *loop, int signo, void *arg);

/* Caller-owned timer. Initialise with loop_timer_init(); the fields are the loop's. */
struct loop_timer {
	uint64_t deadline_ns;
	uint64_t seq;	 /* arming order: ties and "armed during this pass" */
	size_t heap_idx; /* position in the heap, LB_TIMER_IDLE when not armed */
	loop_timer_cb cb;
	void *arg;
};

#define LB_TIMER_IDLE ((size_t)-1)

/* CLOCK_MONOTONIC now, in nanoseconds (the project's one time base). */
uint64_t loop_now_ns(void);

/*
 * loop_new - create a loop (epoll instance and its timerfd).
 * Returns the loop, or NULL with errno set.
 */
struct loop *loop_new(void);

/* loop_free - close the loop's own fds and free it; watched fds are not closed. NULL ok. */
void loop_free(struct loop *loop);

/*
 * loop_fd_add - watch fd for events (EPOLLIN, EPOLLOUT, optionally EPOLLET...).
 * One watcher per fd. Returns 0, or -1 with errno (EEXIST when fd is already watched).
 */
int loop_fd_add(struct loop *loop, int fd, uint32_t events, loop_fd_cb cb, void *arg);

/* loop_fd_mod - change the event mask of a watched fd. Returns 0 or -1 with errno. */
int loop_fd_mod(struct loop *loop, int fd, uint32_t events);

/*
 * loop_fd_del - stop watching fd. Call it before close(fd). Pending events for fd in
 * the current batch are dropped. Returns 0, or -1 with errno (ENOENT: not watched).
 */
int loop_fd_del(struct loop *loop, int fd);

/* loop_fd_forget - loop_fd_del() without the epoll_ctl, for an fd the caller closes
 * right away: close() takes it out of the epoll set, provided no other descriptor (dup,
 * fork) refers to the same socket. Saves a syscall per fd on short connections. */
int loop_fd_forget(struct loop *loop, int fd);

/* loop_timer_init - make t an idle timer that will call cb(loop, t, arg). */
void loop_timer_init(struct loop_timer *t, loop_timer_cb cb, void *arg);

/*
 * loop_timer_arm - (re)arm t to fire at the absolute CLOCK_MONOTONIC time deadline_ns.
 * An armed timer is moved. Returns 0, or -1 with errno ENOMEM.
 */
int loop_timer_arm(struct loop *loop, struct loop_timer *t, uint64_t deadline_ns);

/* loop_timer_cancel - disarm t; a no-op on an idle timer. */
void loop_timer_cancel(struct loop *loop, struct loop_timer *t);

/* loop_timer_is_armed - whether t is waiting to fire. */
bool loop_timer_is_armed(const struct loop_timer *t);

/*
 * loop_signals - block the signals in set and deliver them through cb from the loop
 * (signalfd). Typical set: SIGTERM, SIGINT. A later call adds its set to the earlier
 * ones, and its cb and arg then receive them all. Call before starting threads or
 * children (children inherit the blocked mask: unblock it after fork()).
 * Returns 0 or -1 with errno.
 */
int loop_signals(struct loop *loop, const sigset_t *set, loop_signal_cb cb, void *arg);

/*
 * loop_run_once - run expired timers, then wait for events at most until
 * max_wait_ns (absolute, 0 = do not wait, UINT64_MAX = no limit besides timers) and
 * dispatch them. Returns 0, or -1 with errno (EINTR is not an error).
 */
int loop_run_once(struct loop *loop, uint64_t max_wait_ns);

/* loop_run - iterate until loop_stop(). Returns 0, or -1 with errno. */
int loop_run(struct loop *loop);

/* loop_stop - make loop_run() return after the current callback; sticky: the
 * loop stays stopped (loop_run_once() returns at once) until loop_resume(). */
void loop_stop(struct loop *loop);
void loop_resume(struct loop *loop);
bool loop_stopped(const struct loop *loop);

/* loop_timers_armed - how many timers are armed (for tests and shutdown logic). */
size_t loop_timers_armed(const struct loop *loop);

#endif
