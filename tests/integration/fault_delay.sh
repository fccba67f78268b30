#!/usr/bin/env bash
# delay needs sch_netem. Without it (this project's CI kernel) `faultline check` and
# `faultline run` must refuse the scenario with one clear line and exit 3 before
# building anything; the effect itself can then not be tested, which is said as a skip.
source "$FL_TOP/tests/integration/lib.sh"
cat >"$FL_WORK/fault_delay.scn" <<'EOF'
scenario fault_delay
duration 3s
network lan 198.18.5.0/24
node a on lan
node b on lan
at 1s delay b.lan 100ms jitter 10ms for 1s
EOF
if unshare -n tc qdisc add dev lo root netem delay 1ms 2>/dev/null; then
	skip "this kernel has sch_netem: the refusal cannot be tested, and the delay effect test is not written yet"
fi
rc=0
faultline check "$FL_WORK/fault_delay.scn" 2>"$FL_WORK/check.err" || rc=$?
cat "$FL_WORK/check.err"
[ $rc = 3 ] || fail "check exited $rc, wanted 3"
grep -q 'fault_delay.scn:6:7: delay needs sch_netem' "$FL_WORK/check.err" || fail "check: no clear message"
rc=0
faultline run --run-dir "$FL_WORK/delay-runs" "$FL_WORK/fault_delay.scn" 2>"$FL_WORK/run.err" || rc=$?
cat "$FL_WORK/run.err"
[ $rc = 3 ] || fail "run exited $rc, wanted 3"
grep -q 'delay needs sch_netem' "$FL_WORK/run.err" || fail "run: no clear message"
[ ! -e "$FL_WORK/delay-runs" ] || fail "run built something (a run directory exists)"
echo "refused as it must be; skipped: no sch_netem here, the delay effect cannot be measured"
echo pass
