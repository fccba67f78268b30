#!/usr/bin/env bash
# stall, kill/restart and mtu by their effects, on one 3-node segment:
# - c's ticker (a line every 100 ms with /proc/uptime) stops for the 2 s stall and goes
#   on after the thaw;
# - b's ticker is killed at 4.5 s with `for 1s`: it stops, and the restart at 5.5 s
#   writes again (it appends to a file of its own, so both lives are kept);
# - mtu 1000 on c.lan from 1 s to 3 s: a 1200-byte ping from a to c is lost during it
#   while a 500-byte one passes, and both pass after the revert.
# runner: weight 2
#   its checks are windows of a second or less on what its services do: half the
#   slots, so fewer neighbours
source "$FL_TOP/tests/integration/lib.sh"
log="$FL_WORK/b.ticks"
cat >"$FL_WORK/fault_stall.scn" <<EOF
scenario fault_stall
duration 7s
network lan 198.18.5.0/24
node a on lan
node b on lan
node c on lan
service c exec "while true; do read t x </proc/uptime; echo tick \$t; busybox usleep 100000; done"
service b exec "while true; do read t x </proc/uptime; echo tick \$t >>$log; busybox usleep 100000; done" name ticker
service a exec "for i in \$(seq 60); do read t x </proc/uptime; busybox ping -c1 -W1 -s 1200 198.18.5.3 >/dev/null 2>&1 && echo big-ok \$t || echo big-lost \$t; busybox ping -c1 -W1 -s 500 198.18.5.3 >/dev/null 2>&1 && echo small-ok \$t || echo small-lost \$t; busybox usleep 50000; done"
at 1s mtu c.lan 1000 for 2s
at 3500ms stall c for 2s
at 4500ms kill b ticker for 1s
EOF
faultline run -q --run-dir "$FL_WORK/runs" "$FL_WORK/fault_stall.scn" || fail "run exited $?"
d="$FL_WORK/runs/latest"
grep -o '"ev":"[a-z-]*","id":[0-9]*,"fault":"[a-z ]*"' "$d/events.jsonl"
grep -q 'failed' "$d/events.jsonl" && fail "a fault failed to apply or revert"
gaps() { awk 'NR > 1 && $2 - p > 0.5 { printf "%.2f\n", $2 - p } { p = $2 }' "$1"; }
g=$(gaps "$d/c.exec.out")
echo "stall: c's ticker gaps: $g"
[ "$(echo "$g" | grep -c .)" = 1 ] || fail "stall: wanted one gap in c's ticker"
[ "$(echo "$g >= 1.8 && $g <= 2.6" | bc)" = 1 ] || fail "stall: gap $g s, wanted about 2 s"
g=$(gaps "$log")
echo "kill: b's ticker gaps: $g"
[ "$(echo "$g" | grep -c .)" = 1 ] || fail "kill: wanted one gap in b's ticker"
[ "$(echo "$g >= 0.8 && $g <= 1.6" | bc)" = 1 ] || fail "kill: gap $g s, wanted about 1 s"
n() { grep -c "^$1" "$d/a.exec.out" || true; }
echo "mtu: big-lost $(n big-lost) big-ok $(n big-ok) small-lost $(n small-lost)"
[ "$(n big-lost)" -ge 1 ] || fail "mtu: no big ping was lost"
# the kernel answers ICMP even for a frozen node: no small ping may be lost at all
[ "$(n small-lost)" = 0 ] || fail "mtu: small pings were lost"
grep '^big' "$d/a.exec.out" | tail -1 | grep -q big-ok || fail "mtu: big pings still lost after the revert"
echo pass
