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

#include "node_qemu_int.h"

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
	int n = node_qemu_read(g->r, g->node, path, buf, len);

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
	if (node_qemu_read(g->r, g->node, "/proc/interrupts", big, sizeof(big)) >= 0)
		node_qemu_facts_parse_interrupts(big, f);
	{
		struct agent_msg rep;

		if (guest_agent_call(g, "dmesg", 0, NULL, NULL, &rep, 5000) == 0 && rep.argc >= 1)
			node_qemu_facts_pick_dmesg(rep.argv[0], f);
	}
	return 0;
}
