/*
 * ev.c - the event loop: epoll over fds, one timerfd on CLOCK_MONOTONIC armed with the
 * earliest absolute deadline of a binary min-heap of timers, one signalfd for every
 * signal registered.
 *
 * Invariants: the timerfd is always armed for heap[0] (or disarmed when the heap is
 * empty); a timer id is never reused within a loop; a timer deleted from inside a
 * callback never fires afterwards. Fds are watched, never owned.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"

struct ev_watch {
	int fd;
	ev_fd_fn *fn;
	void *arg;
	struct ev_watch *next;
};

struct ev_timer {
	int64_t when_ns;
	int64_t id;
	ev_timer_fn *fn;
	void *arg;
};

struct ev_sig {
	ev_signal_fn *fn;
	void *arg;
};

struct ev_loop {
	int epfd;
	int tfd;
	int sfd;
	sigset_t sigs;
	struct ev_sig sig[_NSIG];
	struct ev_watch *watches;
	struct ev_timer *heap;
	size_t n_heap, cap_heap;
	int64_t next_id;
	bool stop;
};

int64_t ev_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct ev_loop *ev_loop_new(void)
{
	struct ev_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->sfd = -1;
	loop->next_id = 1;
	sigemptyset(&loop->sigs);
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd == -1)
		goto err_free;
	loop->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (loop->tfd == -1)
		goto err_ep;
	/* data.ptr == loop marks the timerfd; signalfd uses &loop->sigs */
	struct epoll_event e = {.events = EPOLLIN, .data.ptr = loop};
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->tfd, &e) == -1)
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

void ev_loop_free(struct ev_loop *loop)
{
	if (!loop)
		return;
	while (loop->watches) {
		struct ev_watch *w = loop->watches;
		loop->watches = w->next;
		free(w);
	}
	if (loop->sfd != -1) {
		close(loop->sfd);
		sigprocmask(SIG_UNBLOCK, &loop->sigs, NULL);
	}
	close(loop->tfd);
	close(loop->epfd);
	free(loop->heap);
	free(loop);
}

static struct ev_watch *watch_find(struct ev_loop *loop, int fd)
{
	for (struct ev_watch *w = loop->watches; w; w = w->next)
		if (w->fd == fd)
			return w;
	return NULL;
}

int ev_fd_add(struct ev_loop *loop, int fd, uint32_t events, ev_fd_fn *fn, void *arg)
{
	struct ev_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return -1;
	*w = (struct ev_watch){.fd = fd, .fn = fn, .arg = arg, .next = loop->watches};
	struct epoll_event e = {.events = events, .data.ptr = w};
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &e) == -1) {
		free(w);
		return -1;
	}
	loop->watches = w;
	return 0;
}

int ev_fd_mod(struct ev_loop *loop, int fd, uint32_t events)
{
	struct ev_watch *w = watch_find(loop, fd);

	if (!w) {
		errno = ENOENT;
		return -1;
	}
	struct epoll_event e = {.events = events, .data.ptr = w};
	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &e);
}

int ev_fd_del(struct ev_loop *loop, int fd)
{
	for (struct ev_watch **p = &loop->watches; *p; p = &(*p)->next) {
		if ((*p)->fd != fd)
			continue;
		struct ev_watch *w = *p;
		*p = w->next;
		/* the fd may already be closed: then the kernel dropped it itself */
		epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
		free(w);
		return 0;
	}
	errno = ENOENT;
	return -1;
}

/* ---- timers: a binary min-heap on (when_ns, id) ---- */

static bool timer_before(const struct ev_timer *a, const struct ev_timer *b)
{
	return a->when_ns < b->when_ns || (a->when_ns == b->when_ns && a->id < b->id);
}

static void heap_swap(struct ev_loop *loop, size_t i, size_t j)
{
	struct ev_timer t = loop->heap[i];

	loop->heap[i] = loop->heap[j];
	loop->heap[j] = t;
}

static void heap_up(struct ev_loop *loop, size_t i)
{
	while (i > 0 && timer_before(&loop->heap[i], &loop->heap[(i - 1) / 2])) {
		heap_swap(loop, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct ev_loop *loop, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < loop->n_heap && timer_before(&loop->heap[l], &loop->heap[m]))
			m = l;
		if (r < loop->n_heap && timer_before(&loop->heap[r], &loop->heap[m]))
			m = r;
		if (m == i)
			return;
		heap_swap(loop, i, m);
		i = m;
	}
}

static void heap_remove(struct ev_loop *loop, size_t i)
{
	loop->heap[i] = loop->heap[--loop->n_heap];
	if (i < loop->n_heap) {
		heap_up(loop, i);
		heap_down(loop, i);
	}
}

/* Arm the timerfd for the earliest deadline; a deadline in the past fires at once. */
static int timer_arm(struct ev_loop *loop)
{
	struct itimerspec its = {0};

	if (loop->n_heap) {
		int64_t when = loop->heap[0].when_ns;
		if (when < 1)
			when = 1; /* 0 would disarm */
		its.it_value.tv_sec = when / 1000000000;
		its.it_value.tv_nsec = when % 1000000000;
	}
	return timerfd_settime(loop->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static int timer_push(struct ev_loop *loop, int64_t when_ns, int64_t id, ev_timer_fn *fn,
		      void *arg)
{
	if (loop->n_heap == loop->cap_heap) {
		size_t cap = loop->cap_heap ? 2 * loop->cap_heap : 16;
		struct ev_timer *h = realloc(loop->heap, cap * sizeof(*h));
		if (!h)
			return -1;
		loop->heap = h;
		loop->cap_heap = cap;
	}
	loop->heap[loop->n_heap] = (struct ev_timer){when_ns, id, fn, arg};
	heap_up(loop, loop->n_heap++);
	return timer_arm(loop);
}

int64_t ev_timer_add(struct ev_loop *loop, int64_t when_ns, ev_timer_fn *fn, void *arg)
{
	int64_t id = loop->next_id;

	if (timer_push(loop, when_ns, id, fn, arg) == -1)
		return -1;
	loop->next_id++;
	return id;
}

int ev_timer_del(struct ev_loop *loop, int64_t id)
{
	for (size_t i = 0; i < loop->n_heap; i++) {
		if (loop->heap[i].id == id) {
			heap_remove(loop, i);
			return timer_arm(loop);
		}
	}
	return 0;
}

/* Fire every timer that is due; a callback's return re-arms it under the same id. */
static void timers_fire(struct ev_loop *loop)
{
	uint64_t n;

	while (read(loop->tfd, &n, sizeof(n)) > 0)
		;
	int64_t now = ev_now_ns();
	while (loop->n_heap && loop->heap[0].when_ns <= now && !loop->stop) {
		struct ev_timer t = loop->heap[0];
		heap_remove(loop, 0);
		int64_t next = t.fn(loop, now, t.arg);
		/* re-armed under its id so ev_timer_del() keeps working */
		if (next >= 0)
			timer_push(loop, next, t.id, t.fn, t.arg);
		now = ev_now_ns();
	}
	timer_arm(loop);
}

int ev_signal_add(struct ev_loop *loop, int signo, ev_signal_fn *fn, void *arg)
{
	if (signo <= 0 || signo >= _NSIG) {
		errno = EINVAL;
		return -1;
	}
	sigset_t one;
	sigemptyset(&one);
	sigaddset(&one, signo);
	if (sigprocmask(SIG_BLOCK, &one, NULL) == -1)
		return -1;
	sigaddset(&loop->sigs, signo);
	loop->sig[signo] = (struct ev_sig){fn, arg};
	bool fresh = loop->sfd == -1;
	int fd = signalfd(loop->sfd, &loop->sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd == -1)
		return -1;
	loop->sfd = fd;
	if (fresh) {
		struct epoll_event e = {.events = EPOLLIN, .data.ptr = &loop->sigs};
		if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &e) == -1)
			return -1;
	}
	return 0;
}

static void signals_read(struct ev_loop *loop)
{
	struct signalfd_siginfo si;

	while (read(loop->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		int signo = (int)si.ssi_signo;
		if (signo > 0 && signo < _NSIG && loop->sig[signo].fn)
			loop->sig[signo].fn(loop, signo, loop->sig[signo].arg);
	}
}

/* Dispatch one epoll event; the watch may be deleted by an earlier callback. */
static void dispatch(struct ev_loop *loop, struct epoll_event *e)
{
	if (e->data.ptr == loop) {
		timers_fire(loop);
		return;
	}
	if (e->data.ptr == &loop->sigs) {
		signals_read(loop);
		return;
	}
	for (struct ev_watch *w = loop->watches; w; w = w->next) {
		if (w == e->data.ptr) {
			w->fn(loop, w->fd, e->events, w->arg);
			return;
		}
	}
}

int ev_loop_run(struct ev_loop *loop, int64_t deadline_ns)
{
	struct epoll_event evs[32];

	loop->stop = false;
	while (!loop->stop) {
		int timeout = -1;
		if (deadline_ns >= 0) {
			int64_t left = deadline_ns - ev_now_ns();
			if (left <= 0)
				return 0;
			/* round up so we never spin just before the deadline */
			timeout = (int)((left + 999999) / 1000000);
		}
		int n = epoll_wait(loop->epfd, evs, 32, timeout);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (int i = 0; i < n && !loop->stop; i++)
			dispatch(loop, &evs[i]);
	}
	return 0;
}

void ev_loop_stop(struct ev_loop *loop)
{
	loop->stop = true;
}

bool ev_loop_stopped(const struct ev_loop *loop)
{
	return loop->stop;
}
