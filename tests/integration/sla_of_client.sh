#!/usr/bin/env bash
# expect ... of CLIENT: two fl-load clients on two nodes, one of them (b) cut off by a
# blackhole from 1 s to 3 s. 'of' judges each on its own requests: a's success holds,
# b's does not, and without 'of' both are mixed. The exit status is 1 (one failed),
# the JSON has a row per client and names each expectation's client, and each client
# wrote its own log. A bad 'of' is refused by faultline check with its position.
. "${FL_TOP:?run me through tests/integration/run}/tests/integration/lib.sh"
command -v jq >/dev/null || skip "jq not installed"
f=$(scn of_client <<'EOF2'
scenario of_client
duration 4s
network lan 198.18.7.0/24
node w on lan
node a on lan
node b on lan
service w web
service a load http://198.18.7.1/ rate 50/s timeout 300ms
service b load http://198.18.7.1/ rate 50/s timeout 300ms
at 1s blackhole b.lan for 2s
expect success >= 99% of a
expect success >= 99% of b
expect success >= 99% of a during faults
expect outage >= 1500ms of b.load during faults
expect success >= 60%
EOF2
)
rc=0
faultline run --run-dir runs --json o.json --svg o.svg "$f" >out.txt 2>err.txt || rc=$?
cat out.txt err.txt
[ "$rc" = 1 ] || fail "exit $rc, wanted 1 (success of b fails)"
jq -e '[.expectations[].passed] == [true, false, true, true, true] and
       [.expectations[].client] == ["a.load", "b.load", "a.load", "b.load", null] and
       (.clients | keys) == ["a.load", "b.load"] and
       .clients."a.load".log == "requests-a.csv" and .clients."b.load".logged == true and
       .clients."a.load".metrics.success == 100 and
       .clients."a.load".metrics.requests >= 190 and
       .clients."b.load".metrics.success < 60 and
       .clients."b.load".metrics_during_faults.success < 10 and
       .metrics.requests == .clients."a.load".metrics.requests + .clients."b.load".metrics.requests' \
	o.json >/dev/null || fail "o.json: $(jq -c '{expectations: [.expectations[] | [.text, .passed, .value]], clients}' o.json)"
[ -s runs/latest/requests-a.csv ] && [ -s runs/latest/requests-b.csv ] || fail "one log per client"
grep -Eq "^  b\.load +[0-9]+ +[0-9.]+% " out.txt || fail "no row for b.load in the summary: $(cat out.txt)"
grep -q '>requests per client' o.svg || fail "no client rows in the SVG"
sed 's/of a$/of w/' "$f" >bad.scn
rc=0
faultline check bad.scn 2>check.txt || rc=$?
[ "$rc" = 2 ] || fail "check of a bad 'of': exit $rc, wanted 2"
grep -qx 'bad.scn:11:26: node .w. has no client service (clients: a.load, b.load)' check.txt ||
	fail "check message: $(cat check.txt)"
echo "sla_of_client: ok"
