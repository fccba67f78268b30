#!/usr/bin/env bash
# scenarios/examples/vrrp-firewall.scn, unchanged, through the real binary, once per
# mode: at 4 s `blackhole lb1.private match vrrp` drops VRRP (and only VRRP) to and from
# lb1 on the pair's heartbeat network, until the end (12 s).
#   --set ha=vrrp  two masters: lb2 takes the VIP after the master-down interval while
#                  lb1 stays master (their own state events, and split-brain > 5 s on
#                  the wire); the run fails on split-brain and only on it: every
#                  request succeeds, and lb1's health checks over lb1.private never fail.
#   ha safe        (the file's default): lb2 never claims under the fault, lb1 holds the VIP,
#                  so every request crossed lb1.private under the fault; the run passes.
# fault_match.sh proves the port and direction selectors on UDP/TCP flows; this is the
# proof of `match vrrp` on real VRRP. Both runs at once, each in its own lab (~14 s).
# runner: weight 2
#   several labs at once (or heartbeats every 100 ms that a starved CPU turns into
#   split-brain)
. "${FL_TOP:?run me through tests/integration/run}/tests/integration/lib.sh"
command -v jq >/dev/null || skip "jq not installed"
scn=$FL_TOP/scenarios/examples/vrrp-firewall.scn

faultline run --dry-run "$scn" | grep -qF 'blackhole lb1.private match vrrp  revert at end' ||
	fail "dry-run does not show the fault"
faultline run --run-dir runs-safe --json safe.json "$scn" >safe.txt 2>&1 &
safe_pid=$!
rc=0
faultline run --run-dir runs-vrrp --set ha=vrrp --json vrrp.json "$scn" >vrrp.txt 2>&1 || rc=$?
safe_rc=0
wait $safe_pid || safe_rc=$?

# ev DIR FILTER: the run's lines matching a jq filter, one JSON object each
ev() { jq -c "select($2)" "$(jq -r .run_dir "$1.json")/$3"; }
applied() { # applied MODE: the fault's apply event, with the selector
	ev "$1" '.ev == "apply" and .fault == "blackhole" and .target == "lb1.private" and
		 .match == "vrrp"' events.jsonl | grep -q . || fail "$1: no apply event with match vrrp"
}

cat vrrp.txt
[ "$rc" = 1 ] || fail "ha vrrp: exit $rc, wanted 1 (an expectation failed)"
applied vrrp
jq -e '.params.ha == "vrrp" and
       ([.expectations[] | select(.passed == false) | .metric] == ["split-brain"]) and
       .metrics."split-brain" > 5000 and .metrics.success >= 99' vrrp.json >/dev/null ||
	fail "ha vrrp: wanted split-brain > 5 s as the only failure, success >= 99%: $(jq -c .metrics vrrp.json)"
# Two masters by their own account: lb2 became master after the apply (master-down),
# lb1 never left master before its shutdown.
t_apply=$(ev vrrp '.ev == "apply"' events.jsonl | jq .t_ns)
ev vrrp ".ev == \"state\" and .to == \"master\" and .reason == \"master-down\" and
	 .t_ns > $t_apply" lb2.lb.events | grep -q . || fail "ha vrrp: lb2 did not become master"
! ev vrrp '.ev == "state" and .from == "master" and .reason != "shutdown"' lb1.lb.events |
	grep -q . || fail "ha vrrp: lb1 left master"
# Only VRRP was dropped: lb1 reached its backends over lb1.private all along.
! ev vrrp '.ev == "backend" and .state == "down"' lb1.lb.events | grep -q . ||
	fail "ha vrrp: lb1 marked a backend down (TCP over lb1.private dropped?)"
echo "ha vrrp: split-brain $(jq '.metrics."split-brain"' vrrp.json) ms," \
	"success $(jq .metrics.success vrrp.json)%, outage $(jq .metrics.outage vrrp.json) ms"

rc=$safe_rc
cat safe.txt
[ "$rc" = 0 ] || fail "ha safe: exit $rc, wanted 0"
applied safe
jq -e '.params.ha == "safe" and .metrics."split-brain" == 0 and .metrics."vip-moves" == 0 and
       .metrics.success >= 99' safe.json >/dev/null ||
	fail "ha safe: wanted no split-brain, no VIP move, success >= 99%: $(jq -c .metrics safe.json)"
# (from the fault on: before t0, on a loaded machine, lb2 may be master for a moment
# when lb1's first advert comes late, as any VRRP backup at startup)
t_apply=$(ev safe '.ev == "apply"' events.jsonl | jq .t_ns)
! ev safe ".ev == \"state\" and .to == \"master\" and .t_ns > $t_apply" lb2.lb.events |
	grep -q . || fail "ha safe: lb2 became master under the fault: $(ev safe '.ev == "state"' lb2.lb.events)"
echo "ha safe: split-brain $(jq '.metrics."split-brain"' safe.json) ms," \
	"success $(jq .metrics.success safe.json)%, outage $(jq .metrics.outage safe.json) ms"
echo "example_vrrp_firewall: ok"
