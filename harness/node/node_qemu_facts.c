/*
 * node_qemu_facts.c - what was really in effect in a guest, read through the agent:
 * the kernel release and command line, the clocksource, a /proc/interrupts summary
 * (how many lines go through an IO-APIC, how many through the legacy XT-PIC, the LOC
 * count) and the kernel-log lines about the APIC, clocksources and lockups. The
 * parsers are pure and unit-tested; a kernel-parameter matrix (noapic, nolapic_timer,
 * clocksource=...) shows its effect here.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"
#include "node_qemu_int.h"
#include "run.h"

/* Sum of the per-CPU counts that follow "LOC:" on @line. */
static long long loc_sum(const char *line)
{
	const char *p = strchr(line, ':') + 1;
	long long sum = 0;

	for (;;) {
		char *end;
		long long v;

		while (*p == ' ')
			p++;
		if (!isdigit((unsigned char)*p))
			return sum;
		v = strtoll(p, &end, 10);
		sum += v;
		p = end;
	}
}

int node_qemu_facts_parse_interrupts(const char *text, struct node_qemu_facts *f)
{
	const char *line = text;

	f->irq_ioapic = 0;
	f->irq_xtpic = 0;
	f->irq_loc = 0;
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[512];

		snprintf(buf, sizeof(buf), "%.*s", (int)(len < sizeof(buf) ? len : sizeof(buf) - 1),
			 line);
		if (strstr(buf, "IO-APIC"))
			f->irq_ioapic++;
		else if (strstr(buf, "XT-PIC"))
			f->irq_xtpic++;
		else if (!strncmp(buf + strspn(buf, " "), "LOC:", 4))
			f->irq_loc = loc_sum(buf);
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

static bool dmesg_wanted(const char *line)
{
	static const char *const words[] = { "APIC", "apic", "clocksource", "Clocksource",
					     "lockup", "soft lockup", "hung_task", "TSC", "tsc:",
					     "timer", "noapic" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(line, words[i]))
			return true;
	return false;
}

void node_qemu_facts_pick_dmesg(const char *text, struct node_qemu_facts *f)
{
	const char *line = text;

	f->n_dmesg = 0;
	while (line && *line && f->n_dmesg < NODE_QEMU_DMESG_MAX) {
		const char *nl = strchr(line, '\n');
		int len = nl ? (int)(nl - line) : (int)strlen(line);
		char buf[512];

		snprintf(buf, sizeof(buf), "%.*s", len < 511 ? len : 511, line);
		if (dmesg_wanted(buf)) {
			char *d = f->dmesg[f->n_dmesg++];
			size_t n = strnlen(buf, sizeof(f->dmesg[0]) - 1);

			memcpy(d, buf, n);
			d[n] = '\0';
		}
		line = nl ? nl + 1 : NULL;
	}
}

/* Guest file @path into @buf, trailing newline removed. */
static int read_small(struct guest *g, const char *path, char *buf, size_t len)
{
	int n = guest_read(g, path, buf, len);

	if (n < 0)
		return -1;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return n;
}

int guest_facts_collect(struct guest *g)
{
	struct node_qemu_facts *f = &g->facts;
	static char big[AGENT_DATA_MAX + 1];

	if (read_small(g, "/proc/cmdline", f->cmdline, sizeof(f->cmdline)) < 0 ||
	    read_small(g, "/proc/sys/kernel/osrelease", f->kernel, sizeof(f->kernel)) < 0)
		return -1;
	if (read_small(g, "/sys/devices/system/clocksource/clocksource0/current_clocksource",
		       f->clocksource, sizeof(f->clocksource)) < 0)
		snprintf(f->clocksource, sizeof(f->clocksource), "unknown");
	if (guest_read(g, "/proc/interrupts", big, sizeof(big)) >= 0)
		node_qemu_facts_parse_interrupts(big, f);
	{
		struct agent_msg rep;

		if (guest_agent_call(g, "dmesg", 0, NULL, NULL, &rep, 5000) == 0 && rep.argc >= 1)
			node_qemu_facts_pick_dmesg(rep.argv[0], f);
	}
	return 0;
}

int node_qemu_guest_path(const char *host_path, char *buf, size_t len)
{
	const char *base = strrchr(host_path, '/');

	base = base ? base + 1 : host_path;
	if (!*base || snprintf(buf, len, "/run/fl/%s", base) >= (int)len) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* Copy @guest_path to @host_path in AGENT_DATA_MAX chunks; at most @max bytes. */
static int fetch_file(struct guest *g, const char *guest_path, const char *host_path,
		      long long max, int64_t deadline_ns)
{
	FILE *f = fopen(host_path, "we");
	long long off = 0;
	int rc = 0;

	if (!f)
		return -1;
	while (off < max && ev_now_ns() < deadline_ns) {
		char num[24];
		const char *w[] = { guest_path, num };
		struct agent_msg rep;

		snprintf(num, sizeof(num), "%lld", off);
		rc = guest_agent_call(g, "read", 2, w, NULL, &rep, 2000);
		if (rc < 0 || rep.argc < 1 || rep.arglen[0] == 0)
			break;
		fwrite(rep.argv[0], 1, rep.arglen[0], f);
		off += (long long)rep.arglen[0];
		if (rep.arglen[0] < AGENT_DATA_MAX)
			break;
	}
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

int guest_read(struct guest *g, const char *path, char *buf, size_t len)
{
	const char *words[] = {path};
	struct agent_msg rep;

	if (guest_agent_call(g, "read", 1, words, NULL, &rep, 5000) < 0)
		return -1;
	size_t n = rep.argc > 0 ? rep.arglen[0] : 0;
	if (n >= len)
		n = len - 1;
	memcpy(buf, rep.argc > 0 ? rep.argv[0] : "", n);
	buf[n] = '\0';
	return (int)n;
}

/* Every file of the guest's /run/fl into the run directory (teardown). */
void guest_fetch_all(struct guest *g)
{
	int64_t deadline = ev_now_ns() + 5000000000LL;
	long long budget = 16ll << 20;
	char list[4096], *save = NULL;
	struct agent_msg rep;
	const char *w[] = { "ls", "-1", "/run/fl" };

	if (guest_agent_call(g, "run", 3, w, NULL, &rep, 2000) < 0 || rep.argc < 2)
		return;
	snprintf(list, sizeof(list), "%.*s", (int)rep.arglen[1], rep.argv[1]);
	for (char *n = strtok_r(list, "\n", &save); n; n = strtok_r(NULL, "\n", &save)) {
		char gp[300], hp[PATH_MAX];

		if (!*n || strchr(n, '/') || run_path(g->r, n, hp, sizeof(hp)) < 0)
			continue;
		/* Never overwrite what the host wrote itself (events.jsonl, ...). */
		if (access(hp, F_OK) == 0 && strlen(hp) + 7 < sizeof(hp))
			strcat(hp, ".guest");
		snprintf(gp, sizeof(gp), "/run/fl/%s", n);
		if (fetch_file(g, gp, hp, budget, deadline) < 0 || ev_now_ns() >= deadline)
			break;
	}
}
