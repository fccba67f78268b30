/*
 * ev.c - the run's event loop, the harness's face of lb/loop.c: the project has one
 * epoll loop, one timer heap and one signalfd, and this file only adds what the
 * harness's callers are used to: timers named by an id (a callback returns its next
 * deadline), one handler per signal, and a run that ends at a deadline.
 *
 * Invariants: a timer id is never reused within a loop; a timer deleted from inside a
 * callback (its own or another's) never fires afterwards. Fds are watched, never owned;
 * a watched fd that is closed without ev_fd_del() and whose number comes back is
 * watched afresh (the kernel forgot the old one, and so do we).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include "ev.h"
#include "loop.h"

struct ev_watch {
	struct ev_loop *loop;
	int fd;
	ev_fd_fn *fn;
	void *arg;
	struct ev_watch *next;
};

struct ev_timer {
	struct loop_timer t;
	struct ev_loop *loop;
	int64_t id;
	ev_timer_fn *fn;
	void *arg;
	bool firing, deleted; /* deleted while its callback ran: freed when it returns */
	struct ev_timer *prev, *next;
};

struct ev_sig {
	ev_signal_fn *fn;
	void *arg;
};

struct ev_loop {
	struct loop *lb;
	struct ev_watch *watches;
	struct ev_timer *timers;
	int64_t next_id;
	sigset_t sigs; /* blocked for the loop: unblocked again when it is freed */
	struct ev_sig sig[_NSIG];
};

int64_t ev_now_ns(void)
{
	return (int64_t)loop_now_ns();
}

struct ev_loop *ev_loop_new(void)
{
	struct ev_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->next_id = 1;
	sigemptyset(&loop->sigs);
	loop->lb = loop_new();
	if (!loop->lb) {
		free(loop);
		return NULL;
	}
	return loop;
}

static void timer_unlink(struct ev_timer *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		t->loop->timers = t->next;
	if (t->next)
		t->next->prev = t->prev;
}

void ev_loop_free(struct ev_loop *loop)
{
	if (!loop)
		return;
	while (loop->watches) {
		struct ev_watch *w = loop->watches;

		loop->watches = w->next;
		loop_fd_del(loop->lb, w->fd);
		free(w);
	}
	while (loop->timers) {
		struct ev_timer *t = loop->timers;

		loop_timer_cancel(loop->lb, &t->t);
		timer_unlink(t);
		free(t);
	}
	loop_free(loop->lb);
	if (!sigisemptyset(&loop->sigs))
		sigprocmask(SIG_UNBLOCK, &loop->sigs, NULL);
	free(loop);
}

/* ---- fds ---- */

static void on_fd(struct loop *lb, int fd, uint32_t events, void *arg)
{
	struct ev_watch *w = arg;

	(void)lb;
	w->fn(w->loop, fd, events, w->arg);
}

static struct ev_watch **watch_find(struct ev_loop *loop, int fd)
{
	struct ev_watch **p = &loop->watches;

	while (*p && (*p)->fd != fd)
		p = &(*p)->next;
	return p;
}

int ev_fd_add(struct ev_loop *loop, int fd, uint32_t events, ev_fd_fn *fn, void *arg)
{
	struct ev_watch *w;

	if (*watch_find(loop, fd))
		ev_fd_del(loop, fd); /* a closed fd's number, come back */
	w = calloc(1, sizeof(*w));
	if (!w)
		return -1;
	*w = (struct ev_watch){.loop = loop, .fd = fd, .fn = fn, .arg = arg};
	if (loop_fd_add(loop->lb, fd, events, on_fd, w) == -1) {
		free(w);
		return -1;
	}
	w->next = loop->watches;
	loop->watches = w;
	return 0;
}

int ev_fd_mod(struct ev_loop *loop, int fd, uint32_t events)
{
	if (!*watch_find(loop, fd)) {
		errno = ENOENT;
		return -1;
	}
	return loop_fd_mod(loop->lb, fd, events);
}

int ev_fd_del(struct ev_loop *loop, int fd)
{
	struct ev_watch **p = watch_find(loop, fd), *w = *p;

	if (!w) {
		errno = ENOENT;
		return -1;
	}
	*p = w->next;
	/* the fd may already be closed: then the kernel dropped it itself */
	loop_fd_del(loop->lb, fd);
	free(w);
	return 0;
}

/* ---- timers ---- */

static void on_timer(struct loop *lb, struct loop_timer *lt, void *arg)
{
	struct ev_timer *t = arg;
	int64_t next;

	(void)lt;
	t->firing = true;
	next = t->fn(t->loop, ev_now_ns(), t->arg);
	t->firing = false;
	if (!t->deleted && next >= 0 && loop_timer_arm(lb, &t->t, (uint64_t)next) == 0)
		return;
	timer_unlink(t);
	free(t);
}

int64_t ev_timer_add(struct ev_loop *loop, int64_t when_ns, ev_timer_fn *fn, void *arg)
{
	struct ev_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	*t = (struct ev_timer){.loop = loop, .id = loop->next_id, .fn = fn, .arg = arg};
	loop_timer_init(&t->t, on_timer, t);
	if (loop_timer_arm(loop->lb, &t->t, when_ns > 0 ? (uint64_t)when_ns : 0) == -1) {
		free(t);
		return -1;
	}
	t->next = loop->timers;
	if (t->next)
		t->next->prev = t;
	loop->timers = t;
	return loop->next_id++;
}

int ev_timer_del(struct ev_loop *loop, int64_t id)
{
	struct ev_timer *t = loop->timers;

	while (t && (t->id != id || t->deleted))
		t = t->next;
	if (!t)
		return 0;
	if (t->firing) { /* from its own callback: on_timer() frees it */
		t->deleted = true;
		return 0;
	}
	loop_timer_cancel(loop->lb, &t->t);
	timer_unlink(t);
	free(t);
	return 0;
}

/* ---- signals ---- */

static void on_signal(struct loop *lb, int signo, void *arg)
{
	struct ev_loop *loop = arg;

	(void)lb;
	if (signo > 0 && signo < _NSIG && loop->sig[signo].fn)
		loop->sig[signo].fn(loop, signo, loop->sig[signo].arg);
}

int ev_signal_add(struct ev_loop *loop, int signo, ev_signal_fn *fn, void *arg)
{
	sigset_t one;

	if (signo <= 0 || signo >= _NSIG) {
		errno = EINVAL;
		return -1;
	}
	sigemptyset(&one);
	sigaddset(&one, signo);
	loop->sig[signo] = (struct ev_sig){fn, arg};
	if (loop_signals(loop->lb, &one, on_signal, loop) == -1)
		return -1;
	sigaddset(&loop->sigs, signo);
	return 0;
}

/* ---- running ---- */

int ev_loop_run(struct ev_loop *loop, int64_t deadline_ns)
{
	uint64_t until = deadline_ns >= 0 ? (uint64_t)deadline_ns : UINT64_MAX;

	loop_resume(loop->lb);
	while (!loop_stopped(loop->lb)) {
		if (deadline_ns >= 0 && loop_now_ns() >= until)
			return 0;
		if (loop_run_once(loop->lb, until) == -1)
			return -1;
	}
	return 0;
}

int ev_loop_run_until(struct ev_loop *loop, int64_t deadline_ns, bool (*done)(void *arg), void *arg)
{
	uint64_t until = deadline_ns > 0 ? (uint64_t)deadline_ns : 0;
	bool stopped = loop_stopped(loop->lb);
	int rc = 0;

	/* A stop (a signal's handler) is for the outer ev_loop_run(): kept, not obeyed. */
	loop_resume(loop->lb);
	for (;;) {
		if (done && done(arg))
			break;
		if (loop_now_ns() >= until) {
			errno = ETIMEDOUT;
			rc = -1;
			break;
		}
		if (loop_run_once(loop->lb, until) == -1) {
			rc = -1;
			break;
		}
		stopped |= loop_stopped(loop->lb);
		loop_resume(loop->lb);
	}
	if (stopped)
		loop_stop(loop->lb);
	return rc;
}

void ev_loop_stop(struct ev_loop *loop)
{
	loop_stop(loop->lb);
}

bool ev_loop_stopped(const struct ev_loop *loop)
{
	return loop_stopped(loop->lb);
}
