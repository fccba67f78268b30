#!/usr/bin/env bash
# The wire observer on a live lab, with no load balancer at all: node a takes the VIP
# and announces it with gratuitous ARP, a is killed at 2 s, node b takes the VIP at
# about 2.2 s. Checks what the wire saw (events.jsonl), the verdicts, and the reports
# (JSON read back with jq, JUnit against the schema, SVG well-formed).
set -eu
command -v busybox >/dev/null || { echo "skipped: busybox not installed"; exit 77; }
cat >garp.scn <<'SCN'
scenario obs-garp
duration 4s
network public 198.18.0.0/24
node a on public
node b on public
node c on public
service a exec "ip addr add 198.18.0.100/32 dev public; busybox arping -U -c 2 -w 2 -I public 198.18.0.100; sleep 30" name vip
service b exec "sleep 2.2; ip addr add 198.18.0.100/32 dev public; busybox arping -U -c 3 -w 3 -I public 198.18.0.100; sleep 30" name vip
at 2s kill a vip
expect failover < 1s
expect vip-moves == 1
# no VRRP advert tells the interval: claims hold 3 x 1 s, so a's last GARP (1 s)
# overlaps b's first (2.2 s) by about 1.8 s
expect split-brain > 1s
expect split-brain < 2500ms
SCN
rc=0
faultline run --run-dir runs --json r.json --junit r.xml --svg r.svg garp.scn >out.txt || rc=$?
cat out.txt
[ "$rc" = 0 ] || { echo "exit $rc, wanted 0"; exit 1; }
ev=runs/latest/events.jsonl
grep -q '"src":"wire","ev":"arp".*"node":"a","op":"garp"' "$ev"
grep -q '"src":"wire","ev":"arp".*"node":"b","op":"garp"' "$ev"
! grep '"src":"wire"' "$ev" | grep -q '"node":"c"'
jq -e '.passed and .metrics."vip-moves" == 1 and .metrics.failover > 150 and
       .metrics.failover < 1000 and (.faults | length) == 1' r.json >/dev/null
xmllint --noout --schema "$FL_TOP/tests/data/junit/junit.xsd" r.xml
xmllint --noout r.svg
grep -q 'VIP 198.18.0.100 owner' r.svg
echo "obs_garp: ok"
