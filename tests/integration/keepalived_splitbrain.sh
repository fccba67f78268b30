#!/usr/bin/env bash
# The split-brain scenario of scenarios/examples/split-brain.scn with keepalived in
# place of fl-lb: on each load-balancer node a keepalived (VRRPv3, 100 ms adverts, its
# heartbeat on the private network, our own config and pid files in the work dir) moves
# the VIP, and an HAProxy sends the VIP's traffic to two fl-web backends; fl-load is the
# client. Both are `exec` services, run in the foreground so that faultline owns them.
#
# keepalived is told not to treat the heartbeat link as its service link
# (dont_track_primary, as in the incident: the pair lost its heartbeat but both still
# served the clients), so each heartbeat cut makes lb2 master while lb1 stays master:
# a real split-brain. faultline knows nothing of keepalived; the test asserts that it
# measures that split-brain from the wire alone (VRRP adverts and gratuitous ARPs,
# which keepalived repeats every second as master: vrrp_garp_master_refresh). The wire
# value is a lower bound: cut off from the heartbeat, lb1 shows itself on the wire only
# by its GARP each second, and each announcement holds a claim for 3 adverts (300 ms);
# measured: about 2 s, where both held the VIP for most of the 6 s of cuts and the stall.
# runner: weight 2
#   several labs at once (or heartbeats every 100 ms that a starved CPU turns into
#   split-brain)
. "${FL_TOP:?run me through tests/integration/run}/tests/integration/lib.sh"
command -v keepalived >/dev/null || skip "keepalived not installed"
command -v haproxy >/dev/null || skip "haproxy not installed"
command -v jq >/dev/null || skip "jq not installed"
W=$FL_WORK
VIP=198.18.0.100

ka_conf() { # NAME PRIORITY
	cat >"$W/$1.conf" <<CONF
global_defs {
	router_id fl-$1
	vrrp_version 3
	vrrp_garp_master_delay 0
	vrrp_garp_master_refresh 1
	script_user root
	enable_script_security
}
vrrp_instance fl {
	state BACKUP
	interface private
	dont_track_primary
	virtual_router_id 51
	priority $2
	advert_int 0.1
	virtual_ipaddress {
		$VIP/24 dev public
	}
}
CONF
}
ka_conf ka1 150
ka_conf ka2 100
cat >"$W/haproxy.cfg" <<CONF
defaults
	mode http
	timeout connect 300ms
	timeout client 5s
	timeout server 2s
	retries 1
	option redispatch
frontend www
	bind :80
	default_backend webs
backend webs
	option httpchk GET /
	server web1 198.18.1.11:80 check inter 200 fall 2 rise 2
	server web2 198.18.1.12:80 check inter 200 fall 2 rise 2
CONF
ka() { # the keepalived command line of NAME
	echo "keepalived -n -l -D -P -f $W/$1.conf -p $W/$1.pid -r $W/$1-vrrp.pid -c $W/$1-chk.pid"
}
cat >"$W/ka-split-brain.scn" <<SCN
scenario keepalived-split-brain
description "split-brain.scn with keepalived + HAProxy as the HA pair"
duration 40s
seed 42

network public  198.18.0.0/24
network private 198.18.1.0/24

node lb1    on public private
node lb2    on public private
node web1   on private=198.18.1.11
node web2   on private=198.18.1.12
node client on public

service web1 web
service web2 web
service lb1 exec "$(ka ka1)" name keepalived
service lb2 exec "$(ka ka2)" name keepalived
service lb1 exec "haproxy -db -f $W/haproxy.cfg" name haproxy
service lb2 exec "haproxy -db -f $W/haproxy.cfg" name haproxy
service client load http://$VIP/ rate 100/s timeout 1s

at 5s  flap lb1.private down 1s up 1s count 6
at 20s stall lb1 for 3s
random 360/h from 25s until 38s blackhole any(web1,web2).private for 1s..3s

expect split-brain == 0s
expect outage <= 1s
expect success >= 95%
SCN
rc=0
faultline run --run-dir runs --json ka.json --svg ka.svg "$W/ka-split-brain.scn" >out.txt 2>&1 ||
	rc=$?
cat out.txt
[ "$rc" = 1 ] || fail "exit $rc, wanted 1 (split-brain > 0)"
# faultline stopped them all (the runner's snapshot does not list these programs)
pgrep -af "$W/(ka[12]|haproxy)\\." && fail "keepalived or haproxy left running"
dir=$(jq -r .run_dir ka.json)
# keepalived really ran in both nodes and held the VIP: its own words.
for n in lb1 lb2; do
	grep -q 'Entering MASTER STATE' "$dir/$n.keepalived.out" "$dir/$n.keepalived.err" ||
		fail "keepalived in $n never became master"
done
grep -q '"src":"lb1","ev":"exit","svc":"keepalived".*"expected":true' "$dir/events.jsonl" ||
	fail "keepalived in lb1 did not run to the end"
jq -e '(.expectations[] | select(.metric == "split-brain") | .passed == false and .value > 0)
       and .metrics."vip-moves" > 0' ka.json >/dev/null ||
	fail "no split-brain measured on the wire: $(jq -c .metrics ka.json)"
echo "keepalived: split-brain $(jq '.metrics."split-brain"' ka.json) ms on the wire," \
	"vip-moves $(jq '.metrics."vip-moves"' ka.json), success $(jq '.metrics.success' ka.json)%"
echo "keepalived_splitbrain: ok"
