#!/usr/bin/env bash
# bandwidth 20mbit, proven by real TCP transfers from fl-web on b to curl on a:
#   1..6 s    bandwidth a.lan 20mbit in   (a's lab-side port: what a receives)
#   7..12 s   bandwidth b.lan 20mbit out  (b's own interface: what b sends)
#   after     no fault: full speed
# Each shaped download (5 MB, about 2 s at the rate) must run within 10% of 20 Mbit/s.
# tbf counts whole frames: curl's payload rate times 1514/1448 (a full frame over its
# payload: MSS 1448 with TCP timestamps, 66 bytes of Ethernet, IP and TCP headers) is
# the rate on the wire, which is what is compared; both are printed. The download
# after the reverts must run at more than 5x the rate. b's qdisc is tbf during its fault
# and gone after it; events.jsonl has both applies and reverts with their parameters.
# Composition: a second bandwidth on a.lan at 2 s (both ways) overlaps the first on
# its lab side: its apply fails with EBUSY and takes back the half it had put on a's
# own interface, so a has no tbf left afterwards.
# runner: weight 2
#   its checks are windows of a second or less on what its services do: half the
#   slots, so fewer neighbours
source "$FL_TOP/tests/integration/lib.sh"
command -v curl >/dev/null || skip "curl not installed"
command -v tc >/dev/null || skip "tc (iproute2) not installed"
unshare -n tc qdisc add dev lo root tbf rate 1mbit burst 16k limit 64k 2>/dev/null ||
	skip "this kernel has no sch_tbf"
rate=20000000
cat >"$FL_WORK/client.sh" <<'EOF'
# at T: wait until T seconds after this script started
start=$(date +%s%N)
at() { while [ $(date +%s%N) -lt $((start + $1 * 1000000)) ]; do sleep 0.02; done; }
get() { curl -s -o /dev/null --max-time 8 -w "$1 %{speed_download} %{size_download}\n" "http://198.18.6.2/bytes/$2"; }
at 1500; get in 5000000
at 7500; get out 5000000
at 13000; get after 50000000
EOF
cat >"$FL_WORK/fault_bandwidth.scn" <<EOF
scenario fault_bandwidth
duration 16s
network lan 198.18.6.0/24
node a on lan
node b on lan
service b web
service a exec "sh $FL_WORK/client.sh" name get
service b exec "sleep 9; tc qdisc show dev lan; sleep 5; echo after; tc qdisc show dev lan" name qdisc
service a exec "sleep 14; tc qdisc show dev lan" name qdisc
at 1s bandwidth a.lan 20mbit in for 5s
at 2s bandwidth a.lan 1mbit for 1s
at 7s bandwidth b.lan 20mbit out for 5s
EOF
faultline run -q --run-dir "$FL_WORK/runs" "$FL_WORK/fault_bandwidth.scn" || fail "run exited $?"
d="$FL_WORK/runs/latest"
cat "$d/a.get.out" "$d/b.qdisc.out"
for phase in in out after; do
	read -r bps size < <(sed -n "s/^$phase \([0-9.]*\) \([0-9]*\)$/\1 \2/p" "$d/a.get.out")
	[ -n "${bps:-}" ] || fail "no $phase transfer"
	bits=$(awk -v b="$bps" 'BEGIN { printf "%.0f", b * 8 }')
	wire=$(awk -v b="$bits" 'BEGIN { printf "%.0f", b * 1514 / 1448 }')
	echo "$phase: $size bytes, payload $bits bit/s ($(awk -v b="$bits" -v r=$rate 'BEGIN { printf "%.3f", b / r }') of 20mbit), on the wire $wire bit/s ($(awk -v b="$wire" -v r=$rate 'BEGIN { printf "%.3f", b / r }'))"
	if [ $phase = after ]; then
		[ "$bits" -gt $((rate * 5)) ] || fail "after the reverts: $bits bit/s, not above 5x the rate"
	else
		[ "$size" = 5000000 ] || fail "$phase: transfer incomplete ($size bytes)"
		[ "$wire" -ge $((rate * 9 / 10)) ] && [ "$wire" -le $((rate * 11 / 10)) ] ||
			fail "$phase: $wire bit/s on the wire is not within 10% of $rate"
	fi
	bps=
done
grep -q 'qdisc tbf .* rate 20Mbit' <(sed -n '1,/^after/p' "$d/b.qdisc.out") || fail "b.lan has no tbf during its fault"
! grep -q tbf <(sed -n '/^after/,$p' "$d/b.qdisc.out") || fail "b.lan keeps its tbf after the revert"
grep -q '"ev":"apply".*"fault":"bandwidth","target":"a.lan".*"rate_bps":20000000,"dir":"in"' "$d/events.jsonl" || fail "no apply event for a.lan"
grep -q '"ev":"apply".*"fault":"bandwidth","target":"b.lan".*"rate_bps":20000000,"dir":"out"' "$d/events.jsonl" || fail "no apply event for b.lan"
[ "$(grep -c '"ev":"revert".*"fault":"bandwidth"' "$d/events.jsonl")" = 2 ] || fail "not two revert events"
grep -q '"ev":"apply-failed".*"fault":"bandwidth","target":"a.lan".*"rate_bps":1000000,"dir":"both","error":"a bandwidth is already applied there"' "$d/events.jsonl" ||
	fail "the overlapping bandwidth did not fail with EBUSY"
cat "$d/a.qdisc.out"
! grep -q tbf "$d/a.qdisc.out" || fail "a.lan keeps a tbf: the failed apply did not take back its half"
echo pass
