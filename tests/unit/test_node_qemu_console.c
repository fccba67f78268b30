/*
 * test_node_qemu_console.c - the classes of a guest kernel's complaints, from lines as
 * Linux 6.1 prints them on its console (copied from real consoles of this kernel where
 * one came up here: the TSC line; the others as the kernel's format strings make
 * them), and lines that look close but are no trouble.
 */
#include <CUnit/CUnit.h>

#include "node_qemu_int.h"

void register_node_qemu_console_suite(void);

static void test_kw_classes(void)
{
	static const struct {
		const char *line;
		enum obs_kw k;
	} cases[] = {
	    {"[   48.113260] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [hog:219]",
	     OBS_KW_SOFT_LOCKUP},
	    {"[   12.0] NMI watchdog: Watchdog detected hard LOCKUP on cpu 1", OBS_KW_HARD_LOCKUP},
	    {"[   30.5] rcu: INFO: rcu_preempt self-detected stall on CPU", OBS_KW_RCU_STALL},
	    {"[   30.5] rcu: INFO: rcu_sched detected stalls on CPUs/tasks:", OBS_KW_RCU_STALL},
	    {"[  242.1] INFO: task kworker/0:1:12 blocked for more than 120 seconds.",
	     OBS_KW_HUNG_TASK},
	    {"[    3.2] WARNING: CPU: 0 PID: 1 at drivers/net/virtio_net.c:1234 x+0x1/0x2",
	     OBS_KW_WARNING},
	    {"[    9.9] BUG: kernel NULL pointer dereference, address: 0000000000000008",
	     OBS_KW_BUG},
	    {"[    9.9] Oops: 0002 [#1] PREEMPT SMP NOPTI", OBS_KW_BUG},
	    {"[    9.9] general protection fault, probably for non-canonical address", OBS_KW_BUG},
	    {"[    9.9] Kernel panic - not syncing: Attempted to kill init!", OBS_KW_BUG},
	    {"[    0.000000] tsc: Marking TSC unstable due to could not calculate TSC khz",
	     OBS_KW_CLOCKSOURCE},
	    {"[   61.0] clocksource: timekeeping watchdog on CPU0: Marking clocksource 'tsc' as "
	     "unstable because the skew is too large:",
	     OBS_KW_CLOCKSOURCE},
	    {"[  100.0] NETDEV WATCHDOG: eth0 (virtio_net): transmit queue 0 timed out",
	     OBS_KW_NETDEV_WATCHDOG},
	    {"[    5.0] irq 11: nobody cared (try booting with the \"irqpoll\" option)",
	     OBS_KW_IRQ_NOBODY},
	    /* no trouble */
	    {"[    0.000000] Linux version 6.1.0-57-cloud-amd64", 0},
	    {"[    0.1] clocksource: Switched to clocksource tsc", 0},
	    {"[    0.2] rcu: Preemptible hierarchical RCU implementation.", 0},
	    {"fl-init: ready 1.49s", 0},
	    {"", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum obs_kw k = guest_kw_classify(cases[i].line);
		if (k != cases[i].k)
			printf("\n  %s: got %d, want %d\n", cases[i].line, k, cases[i].k);
		CU_ASSERT_EQUAL(k, cases[i].k);
	}
	/* every class has a name that comes back to it, and a metric of the same name */
	for (int k = 1; k < OBS_KW__MAX; k++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(obs_kw_name((enum obs_kw)k));
		CU_ASSERT_EQUAL(obs_kw_find(obs_kw_name((enum obs_kw)k)), k);
	}
	CU_ASSERT_EQUAL(obs_kw_find("lockup"), 0);
}

void register_node_qemu_console_suite(void)
{
	CU_pSuite s = CU_add_suite("node_qemu_console", NULL, NULL);

	CU_add_test(s, "kw_classes", test_kw_classes);
}
