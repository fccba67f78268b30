#!/usr/bin/env bash
# The short fl-lb soak: scripts/soak-lb for 40 s (tests/data/soak/lb-soak.scn: an fl-lb
# pair in ha safe, backends killed, frozen and blackholed in turn, the master's VRRP on
# the private link cut and restored). The pair's descriptors, sockets and memory after
# the faults must be what they were before, every failed request must fall in a fault,
# every fault on a backend must be seen by both load balancers, and the run's own
# expectations (no split-brain, no bad body or status, no VIP move) must hold. The
# 30-minute version is `scripts/bench soak` (BENCHMARKS.md).
# runner: weight 2
#   40 s of an fl-lb pair with 100 ms adverts; every failed request must fall in a fault
. "$FL_TOP/tests/integration/lib.sh"
[ -x "$FL_BIN/fl-lb" ] || skip "fl-lb not built"
"$FL_TOP/scripts/soak-lb" --duration 40s --every 1 --dir "$FL_WORK/soak" || fail "soak"
