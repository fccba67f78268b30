/*
 * loop.c - epoll event loop with a timer min-heap and signalfd (see loop.h).
 *
 * Watchers live in a table indexed by fd; the epoll cookie is fd | generation << 32 so
 * that a stale event (fd removed earlier in the batch, maybe reused) is recognised and
 * dropped. The heap is an array of timer pointers ordered by (deadline, seq); each timer
 * knows its index so cancel is O(log n). One timerfd is armed (TFD_TIMER_ABSTIME) for the
 * earliest wake-up; it is only reprogrammed when that wake-up changes.
 */
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define LOOP_BATCH 256 /* events per epoll_wait; more just wait for the next call */

struct lb_watch {
	loop_fd_cb cb;
	void *arg;
	uint32_t gen;
	bool used;
};

struct loop {
	int epfd;
	int tfd;
	int sigfd;
	sigset_t sigs; /* what sigfd reads */
	loop_signal_cb sig_cb;
	void *sig_arg;
	struct lb_watch *watch;
	size_t nwatch;
	struct loop_timer **heap;
	size_t nheap, capheap;
	uint64_t seq;
	uint64_t tfd_armed; /* deadline the timerfd is set to, 0 = disarmed */
	bool stop;
};

uint64_t loop_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct loop *loop_new(void)
{
	struct loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->sigfd = -1;
	sigemptyset(&loop->sigs);
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd == -1)
		goto err_free;
	loop->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (loop->tfd == -1)
		goto err_ep;
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = UINT64_MAX};
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->tfd, &ev) == -1)
		goto err_tfd;
	return loop;
err_tfd:
	close(loop->tfd);
err_ep:
	close(loop->epfd);
err_free:
	free(loop);
	return NULL;
}

void loop_free(struct loop *loop)
{
	if (!loop)
		return;
	for (size_t i = 0; i < loop->nheap; i++)
		loop->heap[i]->heap_idx = LB_TIMER_IDLE;
	if (loop->sigfd != -1)
		close(loop->sigfd);
	close(loop->tfd);
	close(loop->epfd);
	free(loop->heap);
	free(loop->watch);
	free(loop);
}

/* ---- fd watchers ---- */

static int watch_grow(struct loop *loop, int fd)
{
	if ((size_t)fd < loop->nwatch)
		return 0;
	size_t n = loop->nwatch ? loop->nwatch : 64;
	while (n <= (size_t)fd)
		n *= 2;
	struct lb_watch *w = realloc(loop->watch, n * sizeof(*w));
	if (!w)
		return -1;
	memset(w + loop->nwatch, 0, (n - loop->nwatch) * sizeof(*w));
	loop->watch = w;
	loop->nwatch = n;
	return 0;
}

static uint64_t watch_cookie(const struct loop *loop, int fd)
{
	return (uint64_t)(uint32_t)fd | (uint64_t)loop->watch[fd].gen << 32;
}

int loop_fd_add(struct loop *loop, int fd, uint32_t events, loop_fd_cb cb, void *arg)
{
	if (fd < 0 || !cb) {
		errno = EINVAL;
		return -1;
	}
	if (watch_grow(loop, fd) == -1)
		return -1;
	struct lb_watch *w = &loop->watch[fd];
	if (w->used) {
		errno = EEXIST;
		return -1;
	}
	w->gen++;
	struct epoll_event ev = {.events = events, .data.u64 = watch_cookie(loop, fd)};
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
		return -1;
	w->cb = cb;
	w->arg = arg;
	w->used = true;
	return 0;
}

static struct lb_watch *watch_get(struct loop *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->nwatch || !loop->watch[fd].used) {
		errno = ENOENT;
		return NULL;
	}
	return &loop->watch[fd];
}

int loop_fd_mod(struct loop *loop, int fd, uint32_t events)
{
	if (!watch_get(loop, fd))
		return -1;
	struct epoll_event ev = {.events = events, .data.u64 = watch_cookie(loop, fd)};
	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev);
}

int loop_fd_del(struct loop *loop, int fd)
{
	struct lb_watch *w = watch_get(loop, fd);

	if (!w)
		return -1;
	w->used = false;
	w->gen++; /* events already fetched for this registration are now stale */
	struct epoll_event ev = {0};
	if (epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, &ev) == -1 && errno != EBADF)
		return -1;
	return 0;
}

int loop_fd_forget(struct loop *loop, int fd)
{
	struct lb_watch *w = watch_get(loop, fd);

	if (!w)
		return -1;
	w->used = false;
	w->gen++;
	return 0;
}

/* ---- timers: binary min-heap on (deadline, seq) ---- */

static bool timer_before(const struct loop_timer *a, const struct loop_timer *b)
{
	if (a->deadline_ns != b->deadline_ns)
		return a->deadline_ns < b->deadline_ns;
	return a->seq < b->seq;
}

static void heap_set(struct loop *loop, size_t i, struct loop_timer *t)
{
	loop->heap[i] = t;
	t->heap_idx = i;
}

static void heap_up(struct loop *loop, size_t i)
{
	struct loop_timer *t = loop->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!timer_before(t, loop->heap[parent]))
			break;
		heap_set(loop, i, loop->heap[parent]);
		i = parent;
	}
	heap_set(loop, i, t);
}

static void heap_down(struct loop *loop, size_t i)
{
	struct loop_timer *t = loop->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= loop->nheap)
			break;
		if (c + 1 < loop->nheap && timer_before(loop->heap[c + 1], loop->heap[c]))
			c++;
		if (!timer_before(loop->heap[c], t))
			break;
		heap_set(loop, i, loop->heap[c]);
		i = c;
	}
	heap_set(loop, i, t);
}

void loop_timer_init(struct loop_timer *t, loop_timer_cb cb, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->heap_idx = LB_TIMER_IDLE;
	t->cb = cb;
	t->arg = arg;
}

bool loop_timer_is_armed(const struct loop_timer *t)
{
	return t->heap_idx != LB_TIMER_IDLE;
}

void loop_timer_cancel(struct loop *loop, struct loop_timer *t)
{
	size_t i = t->heap_idx;

	if (i == LB_TIMER_IDLE)
		return;
	t->heap_idx = LB_TIMER_IDLE;
	struct loop_timer *last = loop->heap[--loop->nheap];
	if (i == loop->nheap)
		return;
	heap_set(loop, i, last);
	heap_up(loop, i);
	heap_down(loop, last->heap_idx);
}

int loop_timer_arm(struct loop *loop, struct loop_timer *t, uint64_t deadline_ns)
{
	loop_timer_cancel(loop, t);
	if (loop->nheap == loop->capheap) {
		size_t n = loop->capheap ? 2 * loop->capheap : 64;
		struct loop_timer **h = realloc(loop->heap, n * sizeof(*h));
		if (!h)
			return -1;
		loop->heap = h;
		loop->capheap = n;
	}
	t->deadline_ns = deadline_ns;
	t->seq = ++loop->seq;
	heap_set(loop, loop->nheap++, t);
	heap_up(loop, t->heap_idx);
	return 0;
}

size_t loop_timers_armed(const struct loop *loop)
{
	return loop->nheap;
}

/* Fire every timer due at now that was armed before this pass began. */
static void timers_run(struct loop *loop)
{
	uint64_t now = loop_now_ns();
	uint64_t pass_seq = loop->seq;

	while (loop->nheap && !loop->stop) {
		struct loop_timer *t = loop->heap[0];
		if (t->deadline_ns > now || t->seq > pass_seq)
			break;
		loop_timer_cancel(loop, t);
		t->cb(loop, t, t->arg);
	}
}

/* ---- signals ---- */

int loop_signals(struct loop *loop, const sigset_t *set, loop_signal_cb cb, void *arg)
{
	bool fresh = loop->sigfd == -1;
	sigset_t all;
	int fd;

	if (!cb) {
		errno = EINVAL;
		return -1;
	}
	if (sigprocmask(SIG_BLOCK, set, NULL) == -1)
		return -1;
	sigorset(&all, &loop->sigs, set);
	fd = signalfd(loop->sigfd, &all, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fresh) {
		struct epoll_event ev = {.events = EPOLLIN, .data.u64 = UINT64_MAX - 1};
		if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) == -1) {
			close(fd);
			return -1;
		}
	}
	loop->sigfd = fd;
	loop->sigs = all;
	loop->sig_cb = cb;
	loop->sig_arg = arg;
	return 0;
}

static void signals_read(struct loop *loop)
{
	struct signalfd_siginfo si;

	while (read(loop->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		loop->sig_cb(loop, (int)si.ssi_signo, loop->sig_arg);
}

/* ---- the loop ---- */

/* Program the timerfd for wake-up deadline (0 = none); returns the epoll timeout. */
static int wake_set(struct loop *loop, uint64_t deadline)
{
	if (deadline == loop->tfd_armed)
		return -1;
	struct itimerspec its = {0};
	its.it_value.tv_sec = (time_t)(deadline / 1000000000u);
	its.it_value.tv_nsec = (long)(deadline % 1000000000u);
	if (timerfd_settime(loop->tfd, TFD_TIMER_ABSTIME, &its, NULL) == -1)
		return 1; /* cannot arm: poll again in 1 ms rather than sleep forever */
	loop->tfd_armed = deadline;
	return -1;
}

static int wait_timeout(struct loop *loop, uint64_t max_wait_ns)
{
	uint64_t deadline = max_wait_ns;

	if (loop->nheap && loop->heap[0]->deadline_ns < deadline)
		deadline = loop->heap[0]->deadline_ns;
	if (deadline == 0 || deadline <= loop_now_ns())
		return 0;
	return wake_set(loop, deadline == UINT64_MAX ? 0 : deadline);
}

static void dispatch(struct loop *loop, const struct epoll_event *ev)
{
	uint64_t cookie = ev->data.u64;

	if (cookie == UINT64_MAX) {
		uint64_t n;
		if (read(loop->tfd, &n, sizeof(n)) == -1) {
			/* EAGAIN: already consumed or re-armed; nothing to do */
		}
		loop->tfd_armed = 0;
		return;
	}
	if (cookie == UINT64_MAX - 1) {
		signals_read(loop);
		return;
	}
	int fd = (int)(uint32_t)cookie;
	if ((size_t)fd >= loop->nwatch)
		return;
	struct lb_watch *w = &loop->watch[fd];
	if (!w->used || w->gen != (uint32_t)(cookie >> 32))
		return;
	w->cb(loop, fd, ev->events, w->arg);
}

int loop_run_once(struct loop *loop, uint64_t max_wait_ns)
{
	struct epoll_event evs[LOOP_BATCH];

	timers_run(loop);
	if (loop->stop)
		return 0;
	int timeout = wait_timeout(loop, max_wait_ns);
	int n = epoll_wait(loop->epfd, evs, LOOP_BATCH, timeout);
	if (n == -1)
		return errno == EINTR ? 0 : -1;
	for (int i = 0; i < n && !loop->stop; i++)
		dispatch(loop, &evs[i]);
	return 0;
}

int loop_run(struct loop *loop)
{
	while (!loop->stop)
		if (loop_run_once(loop, UINT64_MAX) == -1)
			return -1;
	return 0;
}

void loop_stop(struct loop *loop)
{
	loop->stop = true;
}

void loop_resume(struct loop *loop)
{
	loop->stop = false;
}

bool loop_stopped(const struct loop *loop)
{
	return loop->stop;
}
