/*
 * node_qemu.h - the qemu node kind (node_qemu_kind in node.h): a QEMU guest booted from
 * the bundled image (or the scenario's kernel/initrd), one virtio-net NIC per network on
 * a non-persistent tap in the lab namespace, QMP and the fl-agent channel on unix
 * sockets in the run directory, both watched on the run's event loop.
 *
 * The kind's build boots every guest of the lab side by side, then waits for each
 * guest's agent, configures its interfaces (renamed after their networks, so NODE.NET
 * means what it means for netns nodes) and collects the guest facts below. From then
 * on nothing waits for a guest: processes, stalls and carrier are requests whose
 * replies the loop handles when they come (node_qemu_ops.c). Exits of spawned
 * processes go to events.jsonl ("guest-exit"), QMP events (STOP, RESUME, SHUTDOWN, ...)
 * too ("qmp"), requests that failed or got no reply in time ("guest-error"), and QEMU
 * going away mid-run ("guest-gone").
 *
 * What is declared here is what the rest of faultline and the tests need beyond the
 * kind's table entry: the pure parsers, the path and time mappings.
 */
#ifndef FL_NODE_QEMU_H
#define FL_NODE_QEMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct run;

#define NODE_QEMU_DMESG_MAX 24

/* What was really in effect in a guest, for the report ("guest facts"). */
struct node_qemu_facts {
	char accel[8];          /* "kvm" or "tcg" */
	char kernel[64];        /* uname -r of the guest */
	char cmdline[1024];     /* /proc/cmdline */
	char clocksource[32];   /* current_clocksource */
	int irq_ioapic;         /* /proc/interrupts lines routed through an IO-APIC */
	int irq_xtpic;          /* ... through the legacy 8259 PIC (XT-PIC) */
	long long irq_loc;      /* LOC: local APIC timer interrupts, all CPUs */
	int64_t boot_ms;        /* QEMU started -> agent answered */
	int64_t clock_offset_ns; /* host CLOCK_MONOTONIC - guest CLOCK_MONOTONIC */
	int n_dmesg;
	char dmesg[NODE_QEMU_DMESG_MAX][160]; /* kernel lines on APIC, clocksource, lockups */
};

/*
 * node_qemu_facts_parse_interrupts - fill irq_ioapic / irq_xtpic / irq_loc from the
 * text of /proc/interrupts. Pure; returns 0.
 */
int node_qemu_facts_parse_interrupts(const char *text, struct node_qemu_facts *f);
/* Keep the kernel-log lines of @text that concern the APIC, clocksources or lockups. */
void node_qemu_facts_pick_dmesg(const char *text, struct node_qemu_facts *f);

/*
 * Files a guest service writes (stdout, stderr, --events, requests.csv) live in the
 * guest; the guest has no view of the host's run directory. node_qemu_guest_path() maps
 * a run-directory path to its guest twin (/run/fl/<basename>); when the guest stops,
 * every file in its /run/fl is copied back into the run directory under the same name
 * (guest resumed first if stalled; 5 s and 16 MiB at most). node_qemu_fetch() copies
 * one file at any time. Both return 0 / -1 with errno.
 */
int node_qemu_guest_path(const char *host_path, char *buf, size_t len);

/* What a tailed guest file holds, so which of its words are guest times. */
enum node_qemu_tail_kind {
	NODE_QEMU_TAIL_EVENTS = 1, /* JSON lines: the "t_ns" member */
	NODE_QEMU_TAIL_CSV,	   /* fl-load's log: sched_ns,start_ns,end_ns,... (header kept) */
	NODE_QEMU_TAIL_RAW,	   /* stdout, stderr: no times */
};

typedef int64_t node_qemu_time_map_fn(void *arg, int64_t guest_ns);

/*
 * node_qemu_tail_line - write the @len bytes at @line (no newline among them) to @f with
 * each guest time of a @kind file replaced by @map's value, then a newline. Times <= 0
 * (never happened) and lines without one are written as they are. No other I/O.
 */
void node_qemu_tail_line(FILE *f, enum node_qemu_tail_kind kind, const char *line, size_t len,
			 node_qemu_time_map_fn *map, void *arg);

/*
 * A guest CLOCK_MONOTONIC time on the host's time base. The offset is measured at boot,
 * around every stall (a stopped guest's clock stops) and by node_qemu_clock_sync();
 * a time maps with the last offset measured at or before it.
 */
int64_t node_qemu_guest_to_host(struct run *r, int node, int64_t guest_ns);

/* Where the guest kernel and initramfs are looked for by default: $FL_VM_DIR, else
 * <dir of the faultline binary>/../vm (build/vm after "make vm-image"). */
int node_qemu_image_dir(char *buf, size_t len);

#endif
