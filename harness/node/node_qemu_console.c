/*
 * node_qemu_console.c - the guest kernel's own word on its health: its console (the
 * file QEMU writes ttyS0 to, <node>.console in the run directory) is read every
 * CONSOLE_PERIOD_NS while the guest runs, and each line in which the kernel reports
 * trouble is classified (guest_kw_classify), counted, written as a "kernel-warning"
 * event (src the node, "class", "line") and kept in <node>.kernel-warnings.
 *
 * The classes and the kernel's words for them (Linux 6.1; the same for years):
 *   soft-lockup      "watchdog: BUG: soft lockup - CPU#0 stuck for 22s!"
 *   hard-lockup      "Watchdog detected hard LOCKUP on cpu 0"
 *   rcu-stall        "rcu: INFO: rcu_preempt self-detected stall on CPU",
 *                    "rcu: INFO: rcu_sched detected stalls on CPUs/tasks:"
 *   hung-task        "INFO: task kworker/0:1:12 blocked for more than 120 seconds."
 *   warning          "WARNING: CPU: 0 PID: 1 at kernel/...": a WARN_ON
 *   bug              "BUG: kernel NULL pointer dereference", "Oops: 0002 [#1]",
 *                    "general protection fault", "Kernel panic - not syncing"
 *   clocksource      "clocksource: timekeeping watchdog on CPU0: Marking clocksource
 *                    'tsc' as unstable", "Marking TSC unstable"
 *   netdev-watchdog  "NETDEV WATCHDOG: eth0 (virtio_net): transmit queue 0 timed out"
 *   irq-nobody-cared "irq 11: nobody cared (try booting with the "irqpoll" option)"
 * A soft lockup's own "BUG:" is a soft lockup, not a bug. The boot's first second of
 * messages is read like the rest: a TSC the boot finds unstable is a fact about the
 * guest's clock, and the report says when it came.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"
#include "jsonl.h"
#include "node_qemu_int.h"
#include "obs.h"
#include "run.h"
#include "scn.h"

#define CONSOLE_PERIOD_NS (100 * 1000000LL)
#define CONSOLE_LINE_MAX  512
#define CONSOLE_READ_MAX  (64 * 1024)

static bool has(const char *line, const char *word)
{
	return strstr(line, word) != NULL;
}

enum obs_kw guest_kw_classify(const char *line)
{
	if (has(line, "soft lockup - CPU#"))
		return OBS_KW_SOFT_LOCKUP;
	if (has(line, "hard LOCKUP"))
		return OBS_KW_HARD_LOCKUP;
	if (has(line, "rcu: INFO: ") && (has(line, "detected stall") || has(line, "self-detected")))
		return OBS_KW_RCU_STALL;
	if (has(line, "INFO: task ") && has(line, " blocked for more than "))
		return OBS_KW_HUNG_TASK;
	if (has(line, "WARNING: CPU: "))
		return OBS_KW_WARNING;
	if (has(line, "BUG: ") || has(line, "Oops: ") || has(line, "general protection fault") ||
	    has(line, "Kernel panic - "))
		return OBS_KW_BUG;
	if (has(line, "clocksource: timekeeping watchdog") || has(line, "Marking TSC unstable") ||
	    (has(line, "Marking clocksource") && has(line, "as unstable")))
		return OBS_KW_CLOCKSOURCE;
	if (has(line, "NETDEV WATCHDOG: "))
		return OBS_KW_NETDEV_WATCHDOG;
	if (has(line, ": nobody cared"))
		return OBS_KW_IRQ_NOBODY;
	return 0;
}

struct guest_console {
	struct guest *g;
	int64_t timer;
	off_t off;		     /* console bytes read so far */
	char part[CONSOLE_LINE_MAX]; /* the unfinished last line */
	size_t n_part;
	FILE *out; /* <node>.kernel-warnings, opened at the first */
};

/* One whole console line: classified, and when it is trouble, counted and recorded. */
static void console_line(struct guest_console *c, char *line)
{
	size_t n = strcspn(line, "\r");
	line[n] = '\0';
	enum obs_kw k = guest_kw_classify(line);
	if (!k)
		return;
	struct guest *g = c->g;
	const char *node = run_scn(g->r)->nodes[g->node].name;
	run_event_obj(g->r, ev_now_ns(), node, "kernel-warning",
		      json_pack("{s:s,s:o}", "class", obs_kw_name(k), "line", jsonl_str(line)));
	if (!c->out) {
		char name[96], path[PATH_MAX];
		snprintf(name, sizeof(name), "%s.kernel-warnings", node);
		if (run_path(g->r, name, path, sizeof(path)) == 0)
			c->out = fopen(path, "ae");
	}
	if (c->out) {
		fprintf(c->out, "%s %s\n", obs_kw_name(k), line);
		fflush(c->out);
	}
}

/* Read what the console gained since the last time; whole lines only. */
static void console_read(struct guest_console *c)
{
	static char buf[CONSOLE_READ_MAX];
	int fd = open(c->g->console_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n;
	while ((n = pread(fd, buf, sizeof(buf), c->off)) > 0) {
		c->off += n;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				/* an overlong line keeps its beginning: the words are there */
				if (c->n_part < sizeof(c->part) - 1)
					c->part[c->n_part++] = buf[i];
				continue;
			}
			c->part[c->n_part] = '\0';
			console_line(c, c->part);
			c->n_part = 0;
		}
	}
	close(fd);
}

static int64_t console_tick(struct ev_loop *loop, int64_t now_ns, void *arg)
{
	(void)loop;
	console_read(arg);
	return now_ns + CONSOLE_PERIOD_NS;
}

int guest_console_watch(struct guest *g)
{
	if (g->console)
		return 0;
	struct guest_console *c = calloc(1, sizeof(*c));
	if (!c)
		return -1;
	c->g = g;
	c->timer = ev_timer_add(run_loop(g->r), ev_now_ns(), console_tick, c);
	if (c->timer == -1) {
		free(c);
		return -1;
	}
	g->console = c;
	return 0;
}

void guest_console_free(struct guest *g)
{
	struct guest_console *c = g->console;
	if (!c)
		return;
	console_read(c); /* what came since the last tick (a panic at the end) */
	ev_timer_del(run_loop(g->r), c->timer);
	if (c->out)
		fclose(c->out);
	free(c);
	g->console = NULL;
}
