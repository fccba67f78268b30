/*
 * node_qemu.c - the qemu node kind's build and teardown: taps in the lab namespace, the
 * QEMU command line, the QEMU process, boot detection, the guest's interfaces, and the
 * kind's table entry. Each guest hangs on its lab (lab_node_state_set) from the moment
 * it exists until its teardown entry frees it: nothing here is process-wide.
 *
 * Safety invariants (DESIGN.md section 2):
 * - Taps are made with TUNSETIFF by a thread inside the lab namespace, so they exist
 *   only there; they are not persistent, so they vanish with the last fd (ours and
 *   QEMU's), kill -9 included.
 * - QEMU gets its NICs only as "-netdev tap,fd=N" and is started with -nodefaults, so
 *   there is no user-mode network and no default NIC. It runs in the lab namespace,
 *   its own process group, with PR_SET_PDEATHSIG(SIGKILL).
 * - It is stopped by pid: QMP quit, then SIGKILL.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"
#include "jsonl.h"
#include "lab.h"
#include "node.h"
#include "node_chan.h"
#include "node_qemu_int.h"
#include "qmp.h"
#include "run.h"
#include "scn.h"
#include "sockpath.h"

#define BOOT_TIMEOUT_MS 60000
#define QMP_TIMEOUT_MS 5000
#define QUIT_WAIT_NS (500 * 1000000LL) /* QEMU exits this soon after "quit" */
#define DEFAULT_MEMORY (256ull << 20)
#define ARGS_MAX 96

struct guest *guest_find(struct run *r, int node)
{
	struct lab *lab = r ? run_lab(r) : NULL;
	struct guest *g = lab && node >= 0 && node_kind_of(lab, node) == &node_qemu_kind
				  ? lab_node_state(lab, node)
				  : NULL;

	if (!g)
		errno = ENOENT;
	return g;
}

struct guest *guest_ready(struct run *r, int node)
{
	struct guest *g = guest_find(r, node);

	if (g && !g->ready) {
		errno = EAGAIN;
		return NULL;
	}
	return g;
}

int node_qemu_image_dir(char *buf, size_t len)
{
	const char *env = getenv("FL_VM_DIR");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env)
		return snprintf(buf, len, "%s", env) < (int)len ? 0 : -1;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -1;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	return snprintf(buf, len, "%s/../vm", exe) < (int)len ? 0 : -1;
}

/*
 * KVM is used only when it really runs guests: /dev/kvm opening is not enough (a nested
 * host may hand out VMs whose vCPUs never run). We ask for the CPUID leaf 1 ECX bit 0
 * (SSE3) that QEMU's default CPU model needs; a host without it cannot run the guest.
 */
static bool kvm_usable(void)
{
	const char *env = getenv("FL_QEMU_ACCEL");
	struct kvm_cpuid2 *c;
	bool ok = false;
	int kvm, vm;

	if (env && *env)
		return !strcmp(env, "kvm");
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return false;
	vm = ioctl(kvm, KVM_GET_API_VERSION, 0) == KVM_API_VERSION ? ioctl(kvm, KVM_CREATE_VM, 0)
								  : -1;
	c = calloc(1, sizeof(*c) + 128 * sizeof(c->entries[0]));
	if (vm >= 0 && c) {
		c->nent = 128;
		if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c) == 0)
			for (unsigned i = 0; i < c->nent; i++)
				if (c->entries[i].function == 1 && (c->entries[i].ecx & 1))
					ok = true;
	}
	free(c);
	if (vm >= 0)
		close(vm);
	close(kvm);
	return ok;
}

/* ---- the QEMU command line ---- */

struct qargv {
	char *argv[ARGS_MAX + 1];
	int argc;
	char store[16384];
	size_t used;
};

static int qa(struct qargv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int qa(struct qargv *a, const char *fmt, ...)
{
	size_t room = sizeof(a->store) - a->used;
	va_list ap;
	int n;

	if (a->argc >= ARGS_MAX) {
		errno = E2BIG;
		return -1;
	}
	va_start(ap, fmt);
	n = vsnprintf(a->store + a->used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		errno = E2BIG;
		return -1;
	}
	a->argv[a->argc++] = a->store + a->used;
	a->argv[a->argc] = NULL;
	a->used += (size_t)n + 1;
	return 0;
}

/* Deterministic MAC of node @node on network @net: locally administered 02:66:... */
static void guest_mac(int node, int net, char *buf, size_t len)
{
	snprintf(buf, len, "02:66:%02x:%02x:%02x:01", (node >> 8) & 0xff, node & 0xff, net & 0xff);
}

/* The path QEMU is to listen on for @path: @path itself when it fits in sun_path, else
 * through the run directory QEMU holds at GUEST_DIR_FD (qemu_child). @buf is PATH_MAX. */
static const char *qemu_sock(char *buf, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (sockpath_fits(path) || !slash)
		return path;
	snprintf(buf, PATH_MAX, "/proc/self/fd/%d/%s", GUEST_DIR_FD, slash + 1);
	return buf;
}

static int qemu_argv_nics(struct qargv *a, const struct guest *g, bool microvm)
{
	int rc = 0;

	for (int i = 0; i < g->n_nics; i++) {
		char mac[20];

		guest_mac(g->node, g->nic_net[i], mac, sizeof(mac));
		/* fds 3.. in the child are the taps, in this order */
		rc |= qa(a, "-netdev") | qa(a, "tap,id=n%d,fd=%d", g->nic_net[i], 3 + i);
		rc |= qa(a, "-device") |
		      qa(a, "%s,netdev=n%d,id=nic%d,mac=%s",
			 microvm ? "virtio-net-device" : "virtio-net-pci", g->nic_net[i],
			 g->nic_net[i], mac);
	}
	return rc;
}

/*
 * The kernel and initramfs of node @nd: `kernel` unset or "" is the default image
 * (@vm/vmlinuz, @vm/initrd.img); a value with a '/' is a path; any other value is a
 * release that `make vm-image KERNEL=RELEASE` built beside it, in @vm/kernels/RELEASE/.
 * `initrd PATH` overrides the initramfs in every case. Returns the release, or NULL.
 */
static const char *guest_image(const struct scn_node *nd, const char *vm, char *kernel,
			       char *initrd, size_t len)
{
	const char *rel = nd->kernel && *nd->kernel && !strchr(nd->kernel, '/') ? nd->kernel : NULL;

	if (rel) {
		snprintf(kernel, len, "%s/kernels/%s/vmlinuz", vm, rel);
		snprintf(initrd, len, "%s/kernels/%s/initrd.img", vm, rel);
	} else {
		snprintf(kernel, len, "%s", nd->kernel && *nd->kernel ? nd->kernel : "");
		if (!*kernel)
			snprintf(kernel, len, "%s/vmlinuz", vm);
		snprintf(initrd, len, "%s/initrd.img", vm);
	}
	if (nd->initrd)
		snprintf(initrd, len, "%s", nd->initrd);
	return rel;
}

/*
 * The host's TSC rate in kHz, timed against CLOCK_MONOTONIC_RAW over 20 ms; 0 if it
 * cannot be read. Under TCG a guest's RDTSC is the host's, so this is the guest's TSC
 * rate too. A microvm guest needs it: it has no HPET or ACPI PM timer, so when its
 * kernel's PIT calibration fails (often under TCG, the PIT loop is timed by a slow
 * emulator) nothing else can calibrate the TSC and the boot stops at "tsc: Unable to
 * calibrate against PIT". tsc_early_khz= hands the kernel the rate instead.
 */
static unsigned long host_tsc_khz(void)
{
#if defined(__x86_64__) || defined(__i386__)
	struct timespec t0, t1;
	unsigned long long c0, c1;
	int64_t ns;

	clock_gettime(CLOCK_MONOTONIC_RAW, &t0);
	c0 = __builtin_ia32_rdtsc();
	do {
		clock_gettime(CLOCK_MONOTONIC_RAW, &t1);
		ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
	} while (ns < 20000000);
	c1 = __builtin_ia32_rdtsc();
	return c1 > c0 ? (unsigned long)((c1 - c0) * 1000000ull / (unsigned long long)ns) : 0;
#else
	return 0;
#endif
}

static int qemu_argv(struct qargv *a, const struct guest *g, const char *vm, bool kvm)
{
	const struct scn_node *nd = &run_scn(g->r)->nodes[g->node];
	unsigned long long mem = nd->memory ? nd->memory : DEFAULT_MEMORY;
	char kernel[PATH_MAX + 64], initrd[PATH_MAX + 64], tsc[48] = "";
	int rc = 0;

	guest_image(nd, vm, kernel, initrd, sizeof(kernel));
	if (nd->microvm && !kvm) {
		unsigned long khz = host_tsc_khz();

		if (khz)
			snprintf(tsc, sizeof(tsc), " tsc_early_khz=%lu", khz);
	}

	rc |= qa(a, "qemu-system-x86_64") | qa(a, "-accel") | qa(a, kvm ? "kvm" : "tcg");
	if (kvm)
		rc |= qa(a, "-cpu") | qa(a, "host");
	/* microvm: no PCI, virtio-mmio devices that ACPI enumerates (the cloud kernel has
	 * no virtio_mmio.device= support), the PIT and PIC its boot needs, the RTC that
	 * fl-lb's outside clock reads; the default is QEMU's own (pc), no -M at all */
	if (nd->microvm)
		rc |= qa(a, "-M") | qa(a, "microvm,acpi=on,pit=on,pic=on,rtc=on");
	rc |= qa(a, "-nodefaults") | qa(a, "-no-user-config") | qa(a, "-display") | qa(a, "none");
	rc |= qa(a, "-no-reboot") | qa(a, "-m") | qa(a, "%lluM", mem >> 20);
	rc |= qa(a, "-smp") | qa(a, "%d", nd->cpus ? nd->cpus : 1);
	rc |= qa(a, "-kernel") | qa(a, "%s", kernel) | qa(a, "-initrd") | qa(a, "%s", initrd);
	/* quiet keeps the boot's chatter off the serial console (slow under TCG);
	 * loglevel=5 still lets warnings through, which node_qemu_console.c reads */
	rc |= qa(a, "-append") |
	      qa(a, "console=ttyS0 panic=-1 quiet loglevel=5 fl.name=%s%s%s%s", nd->name, tsc,
		 nd->append && *nd->append ? " " : "", nd->append ? nd->append : "");
	rc |= qa(a, "-serial") | qa(a, "file:%s", g->console_path);
	char qmp[PATH_MAX], agent[PATH_MAX];
	rc |= qa(a, "-qmp") | qa(a, "unix:%s,server=on,wait=off", qemu_sock(qmp, g->qmp_path));
	rc |= qa(a, "-chardev") |
	      qa(a, "socket,id=agent,path=%s,server=on,wait=off", qemu_sock(agent, g->agent_path));
	rc |= qa(a, "-device") |
	      qa(a, "%s,id=vser", nd->microvm ? "virtio-serial-device" : "virtio-serial-pci");
	rc |= qa(a, "-device") | qa(a, "virtserialport,bus=vser.0,chardev=agent,name=fl.agent");
	rc |= qemu_argv_nics(a, g, nd->microvm);
	return rc ? -1 : 0;
}

/* ---- the process ---- */

/* The run directory at GUEST_DIR_FD, open across exec, when qemu_sock() needs it. */
static int qemu_dir_fd(const struct guest *g)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(g->qmp_path, '/');
	int fd;

	if (!slash || (sockpath_fits(g->qmp_path) && sockpath_fits(g->agent_path)))
		return 0;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - g->qmp_path), g->qmp_path);
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fd == GUEST_DIR_FD) /* dup2 onto itself would keep O_CLOEXEC */
		return fcntl(fd, F_SETFD, 0);
	if (dup2(fd, GUEST_DIR_FD) < 0)
		return -1;
	close(fd);
	return 0;
}

static void qemu_child(const struct guest *g, struct qargv *a, int lab_fd)
{
	pid_t parent = getppid();
	int log = open(g->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	sigset_t none;

	setpgid(0, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(126);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* QEMU needs no network of its own; keep it away from the host's anyway. */
	if (setns(lab_fd, CLONE_NEWNET) < 0 || log < 0 || null < 0)
		_exit(126);
	/* Taps to fds 3..: first out of the way (above any target), then into place. */
	int hi[GUEST_NICS_MAX];
	for (int i = 0; i < g->n_nics; i++)
		hi[i] = fcntl(g->tap_fd[i], F_DUPFD_CLOEXEC, 100);
	for (int i = 0; i < g->n_nics; i++)
		if (hi[i] < 0 || dup2(hi[i], 3 + i) < 0)
			_exit(126);
	if (qemu_dir_fd(g) < 0)
		_exit(126);
	dup2(null, 0);
	dup2(log, 1);
	dup2(log, 2);
	/* The QMP and agent sockets QEMU creates are the harness's alone: a socket needs
	 * write permission to connect, and with 077 only the run's user has it. */
	umask(077);
	execvp(a->argv[0], a->argv);
	_exit(127);
}

void guest_gone(struct guest *g, const char *why)
{
	if (!g->watched)
		return;
	g->watched = false;
	run_event_obj(g->r, ev_now_ns(), run_scn(g->r)->nodes[g->node].name, "guest-gone",
		      json_pack("{s:o}", "why", jsonl_str(why)));
}

void guest_error(struct guest *g, const char *what, int err, const char *text)
{
	run_event_obj(g->r, ev_now_ns(), run_scn(g->r)->nodes[g->node].name, "guest-error",
		      json_pack("{s:o,s:i,s:o}", "what", jsonl_str(what), "errno", err, "error",
				jsonl_str(text && *text ? text : strerror(err))));
}

static void on_qmp_gone(void *arg)
{
	guest_gone(arg, "QMP closed");
}

static void on_qmp_event(void *arg, const char *event, const char *data, int len)
{
	struct guest *g = arg;

	(void)data;
	(void)len;
	run_event_obj(g->r, ev_now_ns(), run_scn(g->r)->nodes[g->node].name, "qmp",
		      json_pack("{s:o}", "event", jsonl_str(event)));
}

/* From now on QMP events and the guest going away are news (events.jsonl). */
static void guest_watch(struct guest *g)
{
	qmp_set_event_fn(g->qmp, on_qmp_event, g);
	qmp_set_gone_fn(g->qmp, on_qmp_gone, g);
	(void)guest_console_watch(g); /* best effort: the run goes on without it */
	g->watched = true;
}

static int guest_spawn(struct lab *lab, struct guest *g, const char *vm)
{
	const char *name = run_scn(g->r)->nodes[g->node].name;
	static struct qargv a;
	bool kvm = kvm_usable();

	memset(&a, 0, sizeof(a));
	if (qemu_argv(&a, g, vm, kvm) < 0)
		return lab_fail(lab, "node %s: QEMU command line too long", name);
	snprintf(g->facts.accel, sizeof(g->facts.accel), "%s", kvm ? "kvm" : "tcg");
	g->t_start_ns = ev_now_ns();
	g->pid = fork();
	if (g->pid == 0)
		qemu_child(g, &a, lab_netns_fd(lab));
	if (g->pid < 0)
		return lab_fail(lab, "node %s: fork: %s", name, strerror(errno));
	run_event_obj(g->r, g->t_start_ns, name, "guest-start",
		      json_pack("{s:i,s:s}", "pid", (int)g->pid, "accel", g->facts.accel));
	return 0;
}

static int guest_paths(struct lab *lab, struct guest *g)
{
	const char *name = run_scn(g->r)->nodes[g->node].name;
	char f[64];
	int rc = 0;

	snprintf(f, sizeof(f), "%s.qmp", name);
	rc |= run_path(g->r, f, g->qmp_path, sizeof(g->qmp_path));
	snprintf(f, sizeof(f), "%s.agent", name);
	rc |= run_path(g->r, f, g->agent_path, sizeof(g->agent_path));
	snprintf(f, sizeof(f), "%s.console", name);
	rc |= run_path(g->r, f, g->console_path, sizeof(g->console_path));
	snprintf(f, sizeof(f), "%s.qemu.log", name);
	rc |= run_path(g->r, f, g->log_path, sizeof(g->log_path));
	if (rc)
		return lab_fail(lab, "node %s: run directory path too long for a unix socket "
				     "(use a shorter --run-dir)", name);
	return 0;
}

static struct guest *guest_new(struct lab *lab, struct run *r, int node)
{
	struct guest *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->r = r;
	g->lab = lab;
	g->node = node;
	g->pid = -1;
	g->next_id = 1;
	for (int i = 0; i < GUEST_NICS_MAX; i++)
		g->tap_fd[i] = -1;
	lab_node_state_set(lab, node, g);
	return g;
}

static void guest_forget(struct guest *g)
{
	lab_node_state_set(g->lab, g->node, NULL);
	guest_console_free(g);
	guest_tails_free(g);
	free(g->reply);
	free(g);
}

static void qemu_on_pidfd(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	(void)events;
	(void)arg;
	ev_fd_del(loop, fd);
}

static bool qemu_reaped(void *arg)
{
	struct guest *g = arg;
	int ws;

	return waitpid(g->pid, &ws, WNOHANG) != 0;
}

/* After "quit": wait on the loop (a pidfd wakes it) until QEMU exited, at most a while. */
static void qemu_wait_exit(struct guest *g)
{
	struct ev_loop *loop = run_loop(g->r);
	int fd = pidfd_open(g->pid, 0);

	if (fd < 0)
		return;
	if (ev_fd_add(loop, fd, EPOLLIN, qemu_on_pidfd, g) == 0) {
		ev_loop_run_until(loop, ev_now_ns() + QUIT_WAIT_NS, qemu_reaped, g);
		ev_fd_del(loop, fd);
	}
	close(fd);
}

/* Teardown: QMP quit, then SIGKILL by pid; close our tap fds (the taps go with them). */
static void guest_stop(void *arg)
{
	struct guest *g = arg;

	g->watched = false; /* what follows is ours, not news */
	memset(g->procs, 0, sizeof(g->procs)); /* their owners are gone */
	if (g->pid > 0 && g->ready && g->qmp) {
		/* A stalled guest cannot hand its files over: resume it first. */
		qmp_cmd(g->qmp, "cont", NULL, NULL, 0, 300);
		g->stalled = false;
		guest_fetch_all(g);
	}
	if (g->pid > 0) {
		int ws;

		if (g->qmp && qmp_cmd(g->qmp, "quit", NULL, NULL, 0, 300) == 0)
			qemu_wait_exit(g);
		if (kill(g->pid, SIGKILL) == 0 || errno != ESRCH)
			waitpid(g->pid, &ws, 0);
		g->pid = -1;
	}
	qmp_close(g->qmp);
	node_chan_free(g->agent);
	for (int i = 0; i < g->n_nics; i++)
		if (g->tap_fd[i] >= 0)
			close(g->tap_fd[i]);
	guest_forget(g);
}

static int guest_start(struct lab *lab, struct run *r, int node, const char *vm)
{
	struct guest *g = guest_new(lab, r, node);

	if (!g)
		return lab_fail(lab, "node %s: %s", run_scn(r)->nodes[node].name, strerror(errno));
	if (run_defer(r, guest_stop, g, "qemu guest") < 0) {
		guest_forget(g);
		return lab_fail(lab, "node %s: teardown: %s", run_scn(r)->nodes[node].name,
				strerror(errno));
	}
	if (guest_paths(lab, g) < 0 || guest_taps(lab, g) < 0)
		return -1;
	return guest_spawn(lab, g, vm);
}

/* The last lines of @path into @buf, on one line each separated by " | ". */
static void file_tail(const char *path, char *buf, size_t len, int lines)
{
	char tmp[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	off_t end;
	ssize_t n;
	int seen = 0;
	char *p;

	buf[0] = '\0';
	if (fd < 0)
		return;
	end = lseek(fd, 0, SEEK_END);
	n = pread(fd, tmp, sizeof(tmp) - 1, end > (off_t)sizeof(tmp) - 1 ? end - (off_t)sizeof(tmp) + 1 : 0);
	close(fd);
	if (n <= 0)
		return;
	tmp[n] = '\0';
	while (n > 0 && (tmp[n - 1] == '\n' || tmp[n - 1] == '\r'))
		tmp[--n] = '\0';
	for (p = tmp + n; p > tmp; p--)
		if (p[-1] == '\n' && ++seen == lines)
			break;
	for (char *q = p; *q; q++)
		if (*q == '\n')
			*q = '|';
		else if (*q == '\r')
			*q = ' ';
	n = (ssize_t)strlen(p);
	if ((size_t)n >= len)
		n = (ssize_t)len - 1;
	memcpy(buf, p, (size_t)n);
	buf[n] = '\0';
}

/* The console's "Kernel panic - ..." line into @buf ("" when none). */
static void console_panic(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	char line[512];

	buf[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "Kernel panic");

		if (p) {
			p[strcspn(p, "\r\n")] = '\0';
			snprintf(buf, len, "%.*s; ", (int)(len > 3 ? len - 3 : 0), p);
			break;
		}
	}
	fclose(f);
}

static int boot_failed(struct lab *lab, struct guest *g)
{
	const char *name = run_scn(g->r)->nodes[g->node].name;
	char con[1200], log[400], panic[300];
	int e = errno;

	console_panic(g->console_path, panic, sizeof(panic));
	file_tail(g->console_path, con, sizeof(con), 8);
	file_tail(g->log_path, log, sizeof(log), 3);
	errno = e;
	return lab_fail(lab, "node %s: guest did not boot: %s%s; qemu: %s; console: %s", name,
			panic, g->err[0] ? g->err : strerror(errno), log[0] ? log : "-",
			con[0] ? con : "(empty)");
}

static int guest_ifaces(struct lab *lab, struct guest *g)
{
	const struct scn *s = run_scn(g->r);
	const struct scn_node *nd = &s->nodes[g->node];

	for (int i = 0; i < nd->n_ifaces; i++) {
		const struct scn_iface *f = &nd->ifaces[i];
		const struct scn_network *net = &s->networks[f->net];
		char mac[20], addr[40], mtu[16], gw[INET_ADDRSTRLEN] = "-", ip[INET_ADDRSTRLEN];
		struct agent_msg rep;
		uint32_t mask = net->plen ? htonl(~0u << (32 - net->plen)) : 0;

		guest_mac(g->node, f->net, mac, sizeof(mac));
		inet_ntop(AF_INET, &f->addr, ip, sizeof(ip));
		snprintf(addr, sizeof(addr), "%s/%d", ip, net->plen);
		snprintf(mtu, sizeof(mtu), "%d", net->mtu);
		if (nd->has_gateway &&
		    (nd->gateway.s_addr & mask) == (net->addr.s_addr & mask))
			inet_ntop(AF_INET, &nd->gateway, gw, sizeof(gw));
		const char *argv[] = { mac, net->name, addr, mtu, gw };
		if (guest_agent_call(g, "ifconf", 5, argv, NULL, &rep, 10000) < 0)
			return lab_fail(lab, "node %s: interface %s: %s", nd->name, net->name,
					g->err[0] ? g->err : strerror(errno));
	}
	if (nd->forward) {
		const char *argv[] = { "sysctl", "-w", "net.ipv4.ip_forward=1" };
		struct agent_msg rep;

		if (guest_agent_call(g, "run", 3, argv, NULL, &rep, 10000) < 0 || rep.argc < 1 ||
		    strcmp(rep.argv[0], "0"))
			return lab_fail(lab, "node %s: forwarding: %s", nd->name,
					g->err[0] ? g->err : "sysctl failed");
	}
	return 0;
}

/* The offset from the quickest of a few pings: host midpoint minus guest reading. */
static void guest_clock(struct guest *g)
{
	int64_t best_rtt = INT64_MAX;

	for (int i = 0; i < 5; i++) {
		struct agent_msg rep;
		int64_t t1 = ev_now_ns(), t2;

		if (guest_agent_call(g, "ping", 0, NULL, NULL, &rep, 1000) < 0 || rep.argc < 1)
			continue;
		t2 = ev_now_ns();
		if (t2 - t1 < best_rtt) {
			best_rtt = t2 - t1;
			g->facts.clock_offset_ns = t1 + (t2 - t1) / 2 - strtoll(rep.argv[0], NULL, 10);
		}
	}
}

/* One "guest-ready" event with the facts, so a run's record shows what was in effect. */
static void guest_facts_event(struct guest *g)
{
	const struct node_qemu_facts *f = &g->facts;

	/* kernel, cmdline and clocksource are the guest's words: jsonl_str takes any bytes */
	json_t *o =
	    json_pack("{s:I,s:s,s:s,s:o,s:o,s:o,s:i,s:i,s:I,s:I}", "boot_ms",
		      (json_int_t)f->boot_ms, "accel", f->accel, "machine",
		      run_scn(g->r)->nodes[g->node].microvm ? "microvm" : "pc", "kernel", jsonl_str(f->kernel), "cmdline",
		      jsonl_str(f->cmdline), "clocksource", jsonl_str(f->clocksource), "irq_ioapic",
		      f->irq_ioapic, "irq_xtpic", f->irq_xtpic, "irq_loc", (json_int_t)f->irq_loc,
		      "clock_offset_ns", (json_int_t)f->clock_offset_ns);

	run_event_obj(g->r, ev_now_ns(), run_scn(g->r)->nodes[g->node].name, "guest-ready", o);
}

static int guest_finish(struct lab *lab, struct guest *g)
{
	const char *name = run_scn(g->r)->nodes[g->node].name;
	int64_t deadline = g->t_start_ns + (int64_t)BOOT_TIMEOUT_MS * 1000000;

	g->qmp = qmp_open(run_loop(g->r), g->qmp_path, QMP_TIMEOUT_MS);
	if (!g->qmp) {
		snprintf(g->err, sizeof(g->err), "QMP %.300s: %s", g->qmp_path, strerror(errno));
		return boot_failed(lab, g);
	}
	if (guest_agent_connect(g, deadline) < 0 || guest_agent_wait_ready(g, deadline) < 0)
		return boot_failed(lab, g);
	g->facts.boot_ms = (ev_now_ns() - g->t_start_ns) / 1000000;
	guest_clock(g);
	if (guest_ifaces(lab, g) < 0)
		return -1;
	if (guest_facts_collect(g) < 0)
		return lab_fail(lab, "node %s: guest facts: %s", name, g->err);
	guest_facts_event(g);
	guest_watch(g);
	return 0;
}

/* Start every guest of the lab's scenario, so they boot side by side; then finish each. */
static int node_qemu_build(struct lab *lab)
{
	struct run *r = lab_run(lab);
	const struct scn *s = run_scn(r);
	char vm[PATH_MAX];

	if (node_qemu_image_dir(vm, sizeof(vm)) < 0)
		return lab_fail(lab, "guest image directory: %s", strerror(errno));
	for (int i = 0; i < s->n_nodes; i++) {
		const struct scn_node *nd = &s->nodes[i];
		char k[PATH_MAX + 64], rd[PATH_MAX + 64];
		const char *rel;

		if (node_kind_of(lab, i) != &node_qemu_kind)
			continue;
		rel = guest_image(nd, vm, k, rd, sizeof(k));
		if (rel && (access(k, R_OK) < 0 || access(rd, R_OK) < 0))
			return lab_fail(lab, "node %s: kernel %s is not built (make vm-image KERNEL=%s)",
					nd->name, rel, rel);
		if (access(k, R_OK) < 0)
			return lab_fail(lab, "node %s: no guest kernel at %s%s", nd->name, k,
					nd->kernel && *nd->kernel ? "" : " (make vm-image)");
		if (guest_start(lab, r, i, vm) < 0)
			return -1;
	}
	for (int i = 0; i < s->n_nodes; i++) {
		struct guest *g = node_kind_of(lab, i) == &node_qemu_kind ? guest_find(r, i) : NULL;

		if (g && guest_finish(lab, g) < 0)
			return -1;
	}
	return 0;
}

static int node_qemu_read_file(struct lab *lab, int node, const char *path, char *buf,
			       size_t len)
{
	struct guest *g = guest_find(lab_run(lab), node);

	return g ? guest_read(g, path, buf, len) : -1;
}

static void node_qemu_flush(struct lab *lab, int node)
{
	struct guest *g = guest_find(lab_run(lab), node);

	if (g && g->ready)
		guest_tail_flush(g);
}

const struct node_kind node_qemu_kind = {
	.name = "qemu",
	.scn_kind = SCN_NODE_QEMU,
	.build = node_qemu_build,
	.spawn = guest_spawn_proc,
	.pid_space = "guest",
	.iface_inside = true,
	.signal = guest_signal,
	.forget = guest_forget_proc,
	.stall = guest_stall,
	.link_set = guest_link_set,
	.hog = guest_hog,
	.run = guest_run,
	.pty_open = guest_pty_open,
	.pty_write = guest_pty_write,
	.pty_resize = guest_pty_resize,
	.pty_close = guest_pty_close,
	.read = node_qemu_read_file,
	.flush = node_qemu_flush,
};
