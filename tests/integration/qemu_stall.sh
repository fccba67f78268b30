#!/usr/bin/env bash
# stall on a guest: QMP stop at 2 s, cont 3 s later. The guest stops answering pings for
# that long (replies are lost or come late) and answers again after; events.jsonl has
# QEMU's STOP and RESUME next to the timeline's apply and revert. Then a `hog g1 for
# 6s` (real-time CPU hogs inside the guest, fl-agent's) starves the guest kernel's
# RCU grace-period thread: with rcu_cpu_stall_timeout at 3 s (set by a service) the
# kernel's own stall detector speaks, and the console reader counts it
# (kernel-warnings-rcu-stall); the QMP stop before it made the kernel say nothing.
# runner: exclusive
#   the hog must starve the guest kernel past its 3 s RCU stall timeout: beside other
#   tests (-j 4, 2026-12-02) the detector stayed silent twice; alone it spoke each time,
#   3.1 s into the hog (so the hog lasts 6 s: a late start inside the guest still leaves
#   the warning room before the hog ends)
. "$FL_TOP/tests/integration/lib.sh"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
need_guest_image

f=$(scn guest-stall <<'S'
scenario guest-stall
duration 14s
network lan 198.18.0.0/24
node g1 qemu on lan
node h1 on lan
service h1 exec "busybox ping -i 0.2 -c 35 -W 1 198.18.0.1"
service g1 exec "sh -c 'echo 3 >/sys/module/rcupdate/parameters/rcu_cpu_stall_timeout; sleep 60'" name tune
at 2s stall g1 for 3s
at 6.5s hog g1 for 6s
expect kernel-warnings-rcu-stall >= 1
S
)
check "faultline run" faultline run --run-dir "$FL_WORK/runs-stall" "$f"
run="$FL_WORK/runs-stall/latest"
ev="$run/events.jsonl"
tail -4 "$run/h1.exec.out"
stop=$(grep -m1 '"ev":"qmp","event":"STOP"' "$ev" | sed 's/.*"t_ns":\([0-9]*\).*/\1/')
resume=$(grep -m1 '"ev":"qmp","event":"RESUME"' "$ev" | sed 's/.*"t_ns":\([0-9]*\).*/\1/')
[ -n "$stop" ] && [ -n "$resume" ] || fail "no STOP/RESUME from QEMU"
ms=$(((resume - stop) / 1000000))
echo "guest stopped for $ms ms"
[ $ms -ge 2900 ] && [ $ms -le 3200 ] || fail "stall lasted $ms ms, wanted 3000"
grep -q '"fault":"stall","target":"g1"' "$ev" || fail "no timeline stall event"
# Replies to pings sent during the stall are late by up to 3 s: seq numbers with a
# time above 1000 ms, or lost ones. Pings after the stall are answered promptly.
late=$(awk -F'time=' '/bytes from/ { split($2, a, " "); if (a[1] + 0 > 1000) n++ } END { print n + 0 }' \
	"$run/h1.exec.out")
recv=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' "$run/h1.exec.out")
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$run/h1.exec.out")
echo "sent $sent, received $recv, late (> 1 s) $late"
[ -n "$recv" ] && [ "$recv" -gt 0 ] || fail "the guest never answered"
[ $((sent - recv + late)) -ge 5 ] || fail "the stall did not show in the pings"
tail -3 "$run/h1.exec.out" | grep -q 'round-trip' || true
grep 'bytes from' "$run/h1.exec.out" | tail -3 | awk -F'time=' '{ split($2, a, " "); if (a[1] + 0 > 500) bad = 1 } END { exit bad }' ||
	fail "the guest did not answer promptly after the stall"
# the hog: the kernel's own RCU stall warning, after the hog began and not before
hog=$(grep -m1 '"ev":"apply".*"fault":"hog"' "$ev" | sed 's/.*"t_ns":\([0-9]*\).*/\1/')
[ -n "$hog" ] || fail "no hog applied"
grep '"ev":"kernel-warning"' "$ev" | cut -c1-200
grep -q '"src":"g1","ev":"kernel-warning","class":"rcu-stall","line":"[^"]*rcu: INFO: rcu_preempt' "$ev" ||
	fail "the guest kernel reported no RCU stall"
early=$(grep '"ev":"kernel-warning"' "$ev" | sed 's/.*"t_ns":\([0-9]*\).*/\1/' | awk -v h="$hog" '$1 < h' | wc -l)
[ "$early" = 0 ] || fail "$early kernel warnings before the hog"
echo "ok"
