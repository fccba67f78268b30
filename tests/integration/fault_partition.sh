#!/usr/bin/env bash
# partition a / b on one segment with a third node c: during the fault a cannot reach
# b (nor b a), a still reaches c; after the revert a reaches b again. Probes: single
# pings logged per target with /proc/uptime.
source "$FL_TOP/tests/integration/lib.sh"
cat >"$FL_WORK/fault_partition.scn" <<'EOF'
scenario fault_partition
duration 6s
network lan 198.18.5.0/24
node a on lan
node b on lan
node c on lan
service a exec "for i in $(seq 50); do read t x </proc/uptime; busybox ping -c1 -W1 198.18.5.2 >/dev/null 2>&1 && echo b-ok $t || echo b-lost $t; busybox ping -c1 -W1 198.18.5.3 >/dev/null 2>&1 && echo c-ok $t || echo c-lost $t; busybox usleep 50000; done"
service b exec "for i in $(seq 50); do read t x </proc/uptime; busybox ping -c1 -W1 198.18.5.1 >/dev/null 2>&1 && echo a-ok $t || echo a-lost $t; busybox usleep 50000; done"
at 1s partition a / b for 2s
EOF
faultline run -q --run-dir "$FL_WORK/runs" "$FL_WORK/fault_partition.scn" || fail "run exited $?"
d="$FL_WORK/runs/latest"
n() { grep -c "^$1" "$2" || true; }
echo "a: b-lost $(n b-lost "$d/a.exec.out") b-ok $(n b-ok "$d/a.exec.out") c-lost $(n c-lost "$d/a.exec.out") c-ok $(n c-ok "$d/a.exec.out"); b: a-lost $(n a-lost "$d/b.exec.out")"
[ "$(n b-lost "$d/a.exec.out")" -ge 1 ] || fail "a still reached b during the partition"
[ "$(n a-lost "$d/b.exec.out")" -ge 1 ] || fail "b still reached a during the partition"
[ "$(n c-lost "$d/a.exec.out")" = 0 ] || fail "a lost c, which is outside the partition"
tail -1 "$d/a.exec.out" | grep -q '^c-ok' || fail "a cannot reach c at the end"
grep '^b-' "$d/a.exec.out" | tail -1 | grep -q '^b-ok' || fail "a cannot reach b after the revert"
echo pass
