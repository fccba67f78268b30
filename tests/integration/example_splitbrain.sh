#!/usr/bin/env bash
# scenarios/examples/split-brain.scn, unchanged, through the real binary: heartbeat
# flaps on the private network, a 3 s stall of lb1, backend black holes.
#   --set ha=vrrp  plain VRRP: both load balancers claim the VIP; the run must fail,
#                  and on split-brain measured on the wire (> 0), whatever else fails.
#   ha safe        (the file's default): no split-brain; the run must pass.
# runner: weight 2
#   several labs at once (or heartbeats every 100 ms that a starved CPU turns into
#   split-brain)
. "${FL_TOP:?run me through tests/integration/run}/tests/integration/lib.sh"
command -v jq >/dev/null || skip "jq not installed"
scn=$FL_TOP/scenarios/examples/split-brain.scn

# Both runs at once, each in its own lab: they share nothing but the CPUs.
faultline run --run-dir runs --json safe.json "$scn" >safe.txt 2>&1 &
safe_pid=$!
rc=0
faultline run --run-dir runs --set ha=vrrp --json vrrp.json --svg vrrp.svg "$scn" >vrrp.txt 2>&1 || rc=$?
safe_rc=0
wait $safe_pid || safe_rc=$?
cat vrrp.txt
[ "$rc" = 1 ] || fail "ha vrrp: exit $rc, wanted 1 (an expectation failed)"
jq -e '.params.ha == "vrrp" and .passed == false and
       (.expectations[] | select(.metric == "split-brain") | .passed == false and .value > 0) and
       .metrics."split-brain" > 0 and .metrics."vip-moves" > 0' vrrp.json >/dev/null ||
	fail "ha vrrp: split-brain is not the failing expectation with a value > 0"
# Measured on the wire: both nodes announced the VIP (VRRP adverts or ARP).
ev=$(jq -r .run_dir vrrp.json)/events.jsonl
for n in lb1 lb2; do
	grep '"src":"wire"' "$ev" | grep -q "\"node\":\"$n\"" || fail "no wire claim by $n"
done
# The picture shows it in the alarm colour (a bar whose tooltip says split-brain).
grep -q 'fill="#d62828"><title>two or more nodes claim the VIP: split-brain</title>' vrrp.svg ||
	fail "ha vrrp: no split-brain drawn in the SVG"
echo "ha vrrp: split-brain $(jq '.metrics."split-brain"' vrrp.json) ms on the wire"

rc=$safe_rc
cat safe.txt
jq -e '.params.ha == "safe"' safe.json >/dev/null || fail "ha safe: no result"
echo "ha safe: split-brain $(jq '.metrics."split-brain"' safe.json) ms," \
	"outage $(jq '.metrics.outage' safe.json) ms, success $(jq '.metrics.success' safe.json)%"
jq -e '.metrics."split-brain" == 0' safe.json >/dev/null || fail "ha safe: split-brain"
[ "$rc" = 0 ] || fail "ha safe: exit $rc, wanted 0"
echo "example_splitbrain: ok"
