#!/usr/bin/env bash
# fl-lb against HAProxy 2.6 (TCP mode) and keepalived (VRRPv3), same lab, same backends,
# same client: throughput and p99 (fl-load --concurrency, new connection per request and
# keep-alive), then failover time (SIGKILL of the master, 100 ms adverts) until the VIP
# is on the backup. Prints one markdown section; lab chatter goes to stderr.
set -u
FL_WORK=$BENCH_WORK
export FL_WORK
. "$FL_TOP/tests/integration/lb/lib.sh" || exit 1
for b in fl-lb fl-web fl-load; do [ -x "$FL_BIN/$b" ] || skip "$b not built"; done
command -v haproxy >/dev/null || skip "haproxy not installed"
command -v keepalived >/dev/null || skip "keepalived not installed"
lab_init
exec 3>&1 1>&2 # the section goes to fd 3
runs=5 secs=5 conc=50 kills=5
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
VIP=198.18.0.100

lab_node w1 11; lab_node w2 12; lab_node lb 2; lab_node c 50
lab_bg w1 "$FL_BIN/fl-web" --listen 198.18.0.11:80 --name w1
lab_bg w2 "$FL_BIN/fl-web" --listen 198.18.0.12:80 --name w2
lab_bg lb "$FL_BIN/fl-lb" --listen 198.18.0.2:80 --backend w1=198.18.0.11:80 \
	--backend w2=198.18.0.12:80 --maxconn 10000 --name lb
declare -A PID; PID[fl-lb]=$!
# The same with one thread, like HAProxy's nbthread 1, on port 83.
lab_bg lb "$FL_BIN/fl-lb" --listen 198.18.0.2:83 --backend w1=198.18.0.11:80 \
	--backend w2=198.18.0.12:80 --maxconn 10000 --threads 1 --name lb1t
PID[fl-lb-1t]=$!
cat >"$FL_WORK/haproxy.cfg" <<CFG
global
	maxconn 8000
	pidfile $FL_WORK/haproxy.pid
defaults
	mode tcp
	timeout connect 1s
	timeout client 30s
	timeout server 30s
frontend fe
	bind 198.18.0.2:81
	default_backend be
backend be
	balance roundrobin
	server w1 198.18.0.11:80 check inter 200 fall 2 rise 2
	server w2 198.18.0.12:80 check inter 200 fall 2 rise 2
CFG
lab_bg lb haproxy -db -f "$FL_WORK/haproxy.cfg"
PID[haproxy]=$!
# The same with one thread, like fl-lb, on port 82.
sed -e 's/^global$/global\n\tnbthread 1/' -e 's/:81$/:82/' \
	-e "s|haproxy.pid|haproxy1.pid|" "$FL_WORK/haproxy.cfg" >"$FL_WORK/haproxy1.cfg"
lab_bg lb haproxy -db -f "$FL_WORK/haproxy1.cfg"
PID[haproxy-1t]=$!
# The client closes first, so its namespace collects TIME_WAIT sockets: let it reuse them
# and use the whole port range (these sysctls are per namespace: ours, not the host's).
ip netns exec "$(lab_ns c)" sysctl -q -w net.ipv4.tcp_tw_reuse=1 \
	net.ipv4.ip_local_port_range="1024 65535"
sleep 1
ip netns exec "$(lab_ns c)" curl -s -o /dev/null --max-time 2 http://198.18.0.2:81/ ||
	{ echo "haproxy does not answer"; exit 1; }

load() { # load PORT [--keepalive]: prints "rps p99_us ok requests"
	local port=$1 line
	shift
	line=$(ip netns exec "$(lab_ns c)" "$FL_BIN/fl-load" --url "http://198.18.0.2:$port/" \
		--concurrency $conc --duration $((secs * 1000)) --timeout 2000 "$@" \
		--out "$FL_WORK/req.csv" 2>&1 >/dev/null | grep '^fl-load:')
	echo "$(echo "$line" | sed 's/.*rps=\([0-9.]*\).*/\1/') \
$(echo "$line" | sed 's/.* p99_us=\([0-9]*\).*/\1/') \
$(echo "$line" | sed 's/.* ok=\([0-9]*\).*/\1/') \
$(echo "$line" | sed 's/.*requests=\([0-9]*\).*/\1/')"
}

{
echo "## fl-lb vs HAProxy and keepalived"
echo
echo "Lab: namespaces client → LB → two fl-web backends on one bridge (veths, 198.18.0.0/24),"
echo "all on this machine (the client, the LB and the backends share the CPUs). fl-lb"
echo "(defaults: \`--threads\` = $(nproc) here; *fl-lb-1t*: \`--threads 1\`) and HAProxy"
echo "$(haproxy -v | head -1 | awk '{print $3}') (\`mode tcp\`, roundrobin, its default thread count = $(nproc) here;"
echo "*haproxy-1t*: the same with \`nbthread 1\`) listen in the same namespace on the same"
echo "backends."
echo "Client: \`fl-load --concurrency $conc --duration $((secs * 1000))\` (closed loop), median of"
echo "$runs runs (fl-lb and HAProxy runs interleaved); p99 over the ok requests. The client's"
echo "namespace has \`tcp_tw_reuse=1\` and ports 1024-65535 (it closes first and would"
echo "otherwise run out of ports within seconds, whatever the LB)."
echo
echo "*LB CPU*: the LB process's user + system time (all its threads, from"
echo "\`/proc/PID/stat\`) per 1000 requests, median over the runs: what the LB itself costs,"
echo "apart from the client and backends it shares the CPUs with."
echo
echo "| LB | connections | requests/s (median) | p99 (median) | LB CPU / 1000 req | all runs req/s | errors |"
echo "|---|---|---:|---:|---:|---|---:|"
} >&3
declare -A RPS P99 ERR CPU
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime, all threads
for mode in new keepalive; do
	ka=(); [ $mode = keepalive ] && ka=(--keepalive)
	for _ in $(seq $runs); do # interleaved, so both see the same machine noise
		for lbname in fl-lb fl-lb-1t haproxy haproxy-1t; do
			port=80; [ $lbname = haproxy ] && port=81; [ $lbname = haproxy-1t ] && port=82
			[ $lbname = fl-lb-1t ] && port=83
			c0=$(cpu_ticks "${PID[$lbname]}")
			read -r r p ok n < <(load $port "${ka[@]}")
			c1=$(cpu_ticks "${PID[$lbname]}")
			RPS[$mode$lbname]+="$r "; P99[$mode$lbname]+="$p "
			CPU[$mode$lbname]+="$(awk -v t=$((c1 - c0)) -v n="$n" -v hz="$(getconf CLK_TCK)" \
				'BEGIN { printf "%.1f", n ? t * 1000 / hz * 1000 / n : 0 }') "
			ERR[$mode$lbname]=$((${ERR[$mode$lbname]:-0} + n - ok))
		done
	done
	for lbname in fl-lb fl-lb-1t haproxy haproxy-1t; do
		printf '| %s | %s | %s | %s µs | %s ms | %s | %d |\n' $lbname \
			"$([ $mode = new ] && echo "new per request" || echo keep-alive)" \
			"$(printf '%s\n' ${RPS[$mode$lbname]} | median)" \
			"$(printf '%s\n' ${P99[$mode$lbname]} | median)" \
			"$(printf '%s\n' ${CPU[$mode$lbname]} | median)" \
			"${RPS[$mode$lbname]% }" "${ERR[$mode$lbname]}" >&3
	done
done

{
echo
echo "fl-lb / HAProxy with the same thread count, medians (req/s; LB CPU per request):"
for mode in new keepalive; do
	for pair in "fl-lb haproxy" "fl-lb-1t haproxy-1t"; do
		set -- $pair
		printf -- '- %s, %s vs %s: %s× req/s, %s× CPU\n' \
			"$([ $mode = new ] && echo "new per request" || echo keep-alive)" "$1" "$2" \
			"$(awk -v a="$(printf '%s\n' ${RPS[$mode$1]} | median)" \
				-v b="$(printf '%s\n' ${RPS[$mode$2]} | median)" 'BEGIN { printf "%.2f", a / b }')" \
			"$(awk -v a="$(printf '%s\n' ${CPU[$mode$1]} | median)" \
				-v b="$(printf '%s\n' ${CPU[$mode$2]} | median)" 'BEGIN { printf "%.2f", a / b }')"
	done
done
echo
} >&3

# Failover: two members, 100 ms adverts, priority 200 / 100; SIGKILL the master.
failover_fl() { failover_fl_mode vrrp; }
failover_safe() { failover_fl_mode safe; }
failover_fl_mode() {
	local p1 p2 t0
	for n in 1 2; do
		lab_bg lb$n "$FL_BIN/fl-lb" --listen $VIP:80 --backend w1=198.18.0.11:80 --ha "$1" \
			--vip $VIP/24 --vip-dev eth0 --vrid 52 --priority $((300 - n * 100)) \
			--advert 100 --heartbeat eth0 --name lb$n >/dev/null
		eval "p$n=\$!"
	done
	# (this runs in a command substitution: its children must not hold the pipe, and
	# must be killed here on every path)
	wait_for 8 has_vip lb1 $VIP || { kill -KILL "$p1" "$p2"; return 1; }
	sleep 1
	t0=$(now_ms)
	kill -KILL "$p1"
	wait_for 8 has_vip lb2 $VIP || { kill -KILL "$p2"; return 1; }
	echo $(($(now_ms) - t0))
	kill -KILL "$p2"; wait "$p1" "$p2" 2>/dev/null
	ip -n "$(lab_ns lb1)" addr flush dev eth0 to $VIP/32
}
ka_kill() {
	local n
	for n in 1 2; do kill -KILL "$(cat "$FL_WORK/ka$n-vrrp.pid")" 2>/dev/null; done
	kill -KILL "$k1" "$k2" 2>/dev/null
}
failover_ka() {
	local t0 n
	for n in 1 2; do
		cat >"$FL_WORK/ka$n.conf" <<CONF
global_defs {
	router_id bench-ka$n
	vrrp_version 3
	vrrp_garp_master_delay 0
}
vrrp_instance bench {
	state BACKUP
	interface eth0
	virtual_router_id 53
	priority $((300 - n * 100))
	advert_int 0.1
	virtual_ipaddress {
		$VIP/24 dev eth0
	}
}
CONF
		rm -f "$FL_WORK/ka$n-vrrp.pid"
		LAB_EXTRA_PIDFILES+=("$FL_WORK/ka$n-vrrp.pid")
		lab_bg lb$n keepalived -n -P -f "$FL_WORK/ka$n.conf" -p "$FL_WORK/ka$n.pid" \
			-r "$FL_WORK/ka$n-vrrp.pid" -c "$FL_WORK/ka$n-chk.pid" >/dev/null 2>&1
		eval "k$n=\$!"
	done
	wait_for 8 has_vip lb1 $VIP || { ka_kill; return 1; }
	sleep 1
	t0=$(now_ms)
	kill -KILL "$(cat "$FL_WORK/ka1-vrrp.pid")" "$k1" # the VRRP child, then its parent
	wait_for 8 has_vip lb2 $VIP || { ka_kill; return 1; }
	echo $(($(now_ms) - t0))
	kill -KILL "$(cat "$FL_WORK/ka2-vrrp.pid")" "$k2"; wait "$k1" "$k2" 2>/dev/null
	ip -n "$(lab_ns lb1)" addr flush dev eth0 to $VIP/32
}
lab_node lb1 3; lab_node lb2 4
{
echo
echo "Failover: two members on one network, 100 ms adverts, priorities 200/100, SIGKILL of"
echo "the master (keepalived: its VRRP process and its parent); time from the kill until"
echo "the VIP is on the backup's interface (\`ip addr\` polled every 10 ms), $kills runs."
echo "Master_Down_Interval for the priority-100 backup: 3 × 100 ms + 60.9 ms = 360.9 ms."
echo
echo "| LB | median | all runs (ms) | target |"
echo "|---|---:|---|---|"
} >&3
for impl in fl ka safe; do
	t=()
	for _ in $(seq $kills); do
		v=$(failover_$impl) || { echo "failover run failed ($impl)"; exit 1; }
		[ -n "$v" ] || { echo "failover run gave nothing ($impl)"; exit 1; }
		t+=("$v")
		sleep 0.5
	done
	name="fl-lb (ha vrrp)"; target="≤ 400 ms, ≤ keepalived"
	[ $impl = ka ] && name="keepalived $(keepalived --version 2>&1 | head -1 | awk '{print $2}')"
	[ $impl = safe ] && { name="fl-lb (ha safe)"; target="≤ 400 ms"; }
	printf '| %s | %s ms | %s | %s |\n' "$name" \
		"$(printf '%s\n' "${t[@]}" | median)" "${t[*]}" "$target" >&3
done
{
echo
echo "In *ha safe* only fl-lb answers ARP for the VIP (the kernel is told not to), so a"
echo "killed or frozen master is silent on the wire at once and the backup claims after the"
echo "plain RFC Master_Down_Interval (split-brain under flaps and stalls: tests/integration/lb_safe.sh)."
} >&3
