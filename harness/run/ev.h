/*
 * ev.h - the run's single-threaded event loop: epoll over fds, timers kept in one
 * timerfd on CLOCK_MONOTONIC, signals through signalfd. Nothing in faultline blocks;
 * everything that waits registers here.
 */
#ifndef FL_EV_H
#define FL_EV_H

#include <stdbool.h>
#include <stdint.h>

struct ev_loop;

/* Called when @fd is ready; @events is the epoll mask that fired. */
typedef void ev_fd_fn(struct ev_loop *loop, int fd, uint32_t events, void *arg);
/* Called at its deadline; returns the next absolute deadline in ns, or -1 to stop. */
typedef int64_t ev_timer_fn(struct ev_loop *loop, int64_t now_ns, void *arg);
typedef void ev_signal_fn(struct ev_loop *loop, int signo, void *arg);

/* CLOCK_MONOTONIC now, in ns: the one time base of a run. */
int64_t ev_now_ns(void);

struct ev_loop *ev_loop_new(void);
void ev_loop_free(struct ev_loop *loop); /* NULL is a no-op; does not close watched fds */

int ev_fd_add(struct ev_loop *loop, int fd, uint32_t events, ev_fd_fn *fn, void *arg);
int ev_fd_mod(struct ev_loop *loop, int fd, uint32_t events);
int ev_fd_del(struct ev_loop *loop, int fd);

/* Returns a timer id > 0, or -1 with errno. */
int64_t ev_timer_add(struct ev_loop *loop, int64_t when_ns, ev_timer_fn *fn, void *arg);
int ev_timer_del(struct ev_loop *loop, int64_t id); /* unknown id: 0 */

/* Blocks @signo for the process and delivers it through the loop. */
int ev_signal_add(struct ev_loop *loop, int signo, ev_signal_fn *fn, void *arg);

/* Runs until ev_loop_stop() or until CLOCK_MONOTONIC reaches @deadline_ns (-1: none).
 * Returns 0, or -1 with errno when epoll fails. */
int ev_loop_run(struct ev_loop *loop, int64_t deadline_ns);
void ev_loop_stop(struct ev_loop *loop);

/*
 * ev_loop_run_until - run the loop until @done(@arg) is true (checked before each
 * iteration; NULL: never) or CLOCK_MONOTONIC reaches @deadline_ns. Every source keeps
 * firing meanwhile, so this is how code outside a callback waits for a reply without
 * blocking anything else. An ev_loop_stop() meanwhile (a signal's handler) does not
 * end it; it is kept for the ev_loop_run() it was meant for. Returns 0 when done; -1
 * with errno ETIMEDOUT at the deadline, or the errno of epoll.
 */
int ev_loop_run_until(struct ev_loop *loop, int64_t deadline_ns, bool (*done)(void *arg),
		      void *arg);
/* Did the last ev_loop_run() end by ev_loop_stop() (rather than its deadline)? */
bool ev_loop_stopped(const struct ev_loop *loop);

#endif
