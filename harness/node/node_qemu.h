/*
 * node_qemu.h - the qemu node kind: a QEMU guest booted from the bundled image (or the
 * scenario's kernel/initrd), one virtio-net NIC per network on a non-persistent tap in
 * the lab namespace, QMP and the fl-agent channel on unix sockets in the run directory.
 *
 * node_qemu_build() (declared in node.h, called by lab_build() for every qemu node) boots
 * the guests: its first call in a run starts every qemu node of the scenario, so they
 * boot in parallel; each call then waits for its own guest's agent, configures the
 * guest's interfaces (renamed after their networks, so NODE.NET means what it means for
 * netns nodes) and collects the guest facts below.
 *
 * Everything else here acts on a built guest and returns 0 / -1 with errno; the guest
 * is found by (run, node). Guest processes, files and pids are the guest's own.
 *
 * Once booted, a guest's agent and QMP sockets are watched on the run's event loop:
 * exits of spawned processes go to the exit function and to events.jsonl
 * ("guest-exit"), QMP events (STOP, RESUME, SHUTDOWN, ...) to events.jsonl ("qmp"),
 * and QEMU going away mid-run to events.jsonl ("guest-gone").
 */
#ifndef FL_NODE_QEMU_H
#define FL_NODE_QEMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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

/* The facts of @node (NULL when it is no booted guest). */
const struct node_qemu_facts *node_qemu_facts(struct run *r, int node);

/* Is @node of this run a booted guest? */
bool node_qemu_is_guest(struct run *r, int node);

/* stall: QMP stop (@stop) or cont. */
int node_qemu_stall(struct run *r, int node, bool stop);
/*
 * The same as a struct flt_svc_ops guest_stall hook: @ctx is ignored and @node is
 * looked up among the guests of the run in progress (a process runs one at a time).
 */
int node_qemu_stall_hook(void *ctx, int node, bool stop);
/* carrier: QMP set_link on the NIC of network @net (the guest sees the carrier go). */
int node_qemu_set_link(struct run *r, int node, int net, bool up);

/*
 * node_qemu_spawn - start @argv in the guest, stdout/stderr to the guest files
 * @out_path/@err_path (NULL: /dev/null). Returns the guest pid, or -1 with errno.
 * Its exit is recorded as a "guest-exit" event in events.jsonl.
 */
pid_t node_qemu_spawn(struct run *r, int node, char *const argv[], const char *out_path,
		      const char *err_path);
/*
 * Called from the run's event loop when a process node_qemu_spawn() started exits
 * (@status: exit code, or 128 + signal). One function per guest; NULL to stop.
 */
typedef void node_qemu_exit_fn(void *arg, int node, pid_t pid, int status);
int node_qemu_set_exit_fn(struct run *r, int node, node_qemu_exit_fn *fn, void *arg);

/* Signal the process group of guest pid @pid. */
int node_qemu_signal(struct run *r, int node, pid_t pid, int signo);
/* Exit status of guest pid @pid once it exited (code, or 128 + signal); -1 before. */
int node_qemu_exit_status(struct run *r, int node, pid_t pid);
/* Run @argv in the guest and wait (10 s at most); output into @out; returns its status. */
int node_qemu_run(struct run *r, int node, char *const argv[], char *out, size_t len);
/* Read guest file @path into @buf (NUL-terminated); returns its length. */
int node_qemu_read(struct run *r, int node, const char *path, char *buf, size_t len);
/*
 * node_qemu_read_at - read guest file @path from byte @offset into @buf (NUL-terminated;
 * the agent sends 64 KiB at most, fewer at the end of the file). Returns the length, or
 * -1 with errno; EAGAIN at once while the guest is stalled (nothing in it can answer).
 */
int node_qemu_read_at(struct run *r, int node, const char *path, int64_t offset, char *buf,
		      size_t len);

/*
 * Files a guest service writes (stdout, stderr, --events, requests.csv) live in the
 * guest; the guest has no view of the host's run directory. node_qemu_guest_path() maps
 * a run-directory path to its guest twin (/run/fl/<basename>); when the guest stops,
 * every file in its /run/fl is copied back into the run directory under the same name
 * (guest resumed first if stalled; 5 s and 16 MiB at most). node_qemu_fetch() copies
 * one file at any time. Both return 0 / -1 with errno.
 */
int node_qemu_guest_path(const char *host_path, char *buf, size_t len);
int node_qemu_fetch(struct run *r, int node, const char *guest_path, const char *host_path);

/*
 * A guest CLOCK_MONOTONIC time on the host's time base. The offset is measured at boot,
 * around every stall (a stopped guest's clock stops) and by node_qemu_clock_sync();
 * a time maps with the last offset measured at or before it.
 */
int64_t node_qemu_guest_to_host(struct run *r, int node, int64_t guest_ns);
/* Measure the offset again (one agent ping); 0, or -1 with errno (EAGAIN: stalled). */
int node_qemu_clock_sync(struct run *r, int node);

/* QEMU's pid (for the report and tests), or -1. */
pid_t node_qemu_pid(struct run *r, int node);

/* Where the guest kernel and initramfs are looked for by default: $FL_VM_DIR, else
 * <dir of the faultline binary>/../vm (build/vm after "make vm-image"). */
int node_qemu_image_dir(char *buf, size_t len);

#endif
