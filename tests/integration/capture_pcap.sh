#!/usr/bin/env bash
# Capture: one run with three networks. 'public' is captured by --pcap, 'back' by its
# own 'capture back max 4k' (stops at the cap), 'side' by 'capture side max 4k ring 2'
# (turns). Node a announces a VIP with gratuitous ARP (which the wire observer reports
# frame by frame), c pings a on every network, and c.public is blackholed from 1.5 s
# to 2.5 s. Then tshark reads every file; its counts must agree with the run's own
# (the capture's "end" events and the wire observer's ARP events), each fault note
# must sit on the first frame after the fault, and the capped files must stay under
# their cap. The reports (JSON, text) must say the same. A second, short run without
# --pcap captures only its 'capture' network, and puts a note no frame followed on an
# empty frame.
set -eu
. "$FL_TOP/tests/integration/lib.sh"
command -v tshark >/dev/null || skip "tshark not installed"
command -v busybox >/dev/null || skip "busybox not installed"
cd "$FL_WORK"
f=$(scn cap <<'SCN'
scenario capture-pcap
duration 4s
network public 198.18.0.0/24
network back 198.18.1.0/24
network side 198.18.2.0/24
capture back max 4k
capture side max 4k ring 2
node a on public back side
node b on public
node c on public back side
service a exec "sleep 0.5; ip addr add 198.18.0.100/32 dev public; busybox arping -U -c 3 -w 3 -I public 198.18.0.100; sleep 30" name vip
service c exec "busybox ping -i 0.1 198.18.0.1 >/dev/null" name ping
service c exec "busybox ping -i 0.05 -s 1000 198.18.1.1 >/dev/null" name ping2
service c exec "busybox ping -i 0.05 -s 1000 198.18.2.1 >/dev/null" name ping3
at 1500ms blackhole c.public for 1s
SCN
)

# bad options are refused before anything is built
rc=0
faultline run --pcap --pcap-max 1k "$f" >/dev/null 2>err.txt || rc=$?
[ "$rc" = 2 ] || fail "--pcap-max 1k: exit $rc, wanted 2"
rc=0
faultline run --pcap-max 1M "$f" >/dev/null 2>err.txt || rc=$?
[ "$rc" = 2 ] && grep -q -- '--pcap-max needs --pcap' err.txt || fail "--pcap-max alone: exit $rc"

rc=0
faultline run --pcap --run-dir runs --json r.json "$f" >out.txt 2>&1 || rc=$?
cat out.txt
[ "$rc" = 0 ] || fail "run: exit $rc"
d=runs/latest
ev=$d/events.jsonl
ls "$d"

end() { jq -c "select(.src == \"capture\" and .ev == \"end\" and .net == \"$1\")" "$ev"; }

# every file reads without error (one tshark each: it takes about 0.6 s to start),
# and holds exactly what the capture says it wrote
for p in "$d"/capture-*.pcapng; do
	tshark -n -r "$p" -T fields -E separator=/t -e frame.number -e frame.time_epoch \
		-e frame.interface_name -e arp.src.proto_ipv4 -e frame.comment >"$p.tsv" 2>ts.err ||
		fail "tshark cannot read $p: $(cat ts.err)"
	! grep -qi 'cut short\|corrupt\|damaged\|isn.t a capture' ts.err || fail "$p: $(cat ts.err)"
done
pub=$d/capture-public.pcapng.tsv
for net in public back; do
	n=$(wc -l <"$d/capture-$net.pcapng.tsv")
	[ "$n" -gt 0 ] || fail "$net: no frames"
	[ "$(end $net | jq .frames)" = "$n" ] || fail "$net: tshark counts $n, the capture said $(end $net)"
	[ "$(end $net | jq .dropped)" = 0 ] || fail "$net: frames dropped: $(end $net)"
done
# each port is an interface named after its node
[ "$(cut -f3 "$pub" | sort -u | tr '\n' ' ')" = "a b c " ] || fail "public: interfaces are not a b c"

# the wire observer and the capture saw the same gratuitous ARPs for the VIP
wire=$(jq -c 'select(.src == "wire" and .ev == "arp" and .ip == "198.18.0.100" and .net == "public")' "$ev" | wc -l)
cap=$(cut -f4 "$pub" | grep -c -x '198.18.0.100' || true)
echo "VIP ARP frames: wire observer $wire, capture $cap"
[ "$wire" -ge 3 ] || fail "the wire observer saw $wire VIP ARP frames, wanted >= 3"
[ "$wire" = "$cap" ] || fail "VIP ARP frames: wire observer $wire, capture $cap"

# the fault notes: each on the first frame at or after its fault, so the frame before
# it is older than the fault (1 ms: the two clock reads that map the run's clock onto
# the file's), and within a second of it (c pings every 100 ms)
awk -F'\t' '$5 != "" { print $2 "\t" $5 }' "$pub" >notes.txt
cat notes.txt
grep -q 'faultline: apply #1 blackhole c.public (t=+1.5' notes.txt || fail "no apply note"
grep -q 'faultline: revert #1 blackhole c.public (t=+2.5' notes.txt || fail "no revert note"
python3 - "$ev" "$pub" <<'PY' || fail "fault notes not on the first frame after the fault"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
start = next(e for e in ev if e["src"] == "capture" and e["ev"] == "start" and e["net"] == "public")
frames = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
ok = True
for e in ev:
    if e["src"] != "timeline" or e["ev"] not in ("apply", "revert"):
        continue
    real = (e["t_ns"] - start["t_ns"] + start["real_ns"]) / 1e9
    i = next((i for i, f in enumerate(frames) if f"faultline: {e['ev']} #{e['id']} " in f[4]), None)
    if i is None or i == 0:
        print(f"{e['ev']} #{e['id']}: no note, or on the first frame")
        ok = False
        continue
    lag, before = float(frames[i][1]) - real, float(frames[i - 1][1]) - real
    print(f"{e['ev']} #{e['id']}: note {lag * 1000:.3f} ms after the fault, "
          f"the frame before {before * 1000:.3f} ms")
    ok = ok and -0.001 <= lag <= 1 and before < 0.001
sys.exit(0 if ok else 1)
PY

# the cap: back stopped at 4 KiB, side turned and kept 2 files of at most 4 KiB
for p in "$d"/capture-back.pcapng "$d"/capture-side.*.pcapng; do
	[ "$(stat -c %s "$p")" -le 4096 ] || fail "$p is $(stat -c %s "$p") bytes, over the 4096 cap"
done
end back | jq -e '.cap_reached and .not_written > 0 and .max == 4096 and .ring == 0' >/dev/null ||
	fail "back: cap not reported: $(end back)"
end side | jq -e '.cap_reached and .ring == 2 and (.files | length) == 2' >/dev/null ||
	fail "side: ring not reported: $(end side)"
[ "$(ls "$d"/capture-side.*.pcapng | wc -l)" = 2 ] || fail "side: not 2 files"
end side | jq -r '.files[]' | while read -r p; do [ -f "$d/$p" ] || fail "side: no $p"; done
end public | jq -e '.cap_reached == false and .max == 0' >/dev/null || fail "public: a cap?"

# the reports
jq -e '(.captures | length) == 3 and
       (.captures[] | select(.net == "back") | .cap_reached and .files == ["capture-back.pcapng"])' \
	r.json >/dev/null || fail "JSON report: captures"
grep -q "capture back: capture-back.pcapng, [0-9]* frames, 0 dropped, cap 4096 bytes reached, [0-9]* not written" out.txt ||
	fail "text report: no capture line for back"
grep -q "capture side: capture-side\.[0-9]*\.pcapng capture-side\.[0-9]*\.pcapng, .*ring of 2 files" out.txt ||
	fail "text report: no capture line for side"
# without --pcap only what the scenario captures; a fault no frame follows (the one
# port is down from then on) is noted on an empty frame at the fault's own time
f2=$(scn solo <<'SCN'
scenario capture-solo
duration 1s
network solo 198.18.3.0/24
network other 198.18.4.0/24
capture solo
node x on solo other
at 300ms link down x.solo
SCN
)
rc=0
faultline run --run-dir runs2 "$f2" >out2.txt 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "solo run: exit $rc: $(cat out2.txt)"
[ "$(cd runs2/latest && ls capture-*)" = capture-solo.pcapng ] || fail "solo: $(ls runs2/latest)"
tshark -n -r runs2/latest/capture-solo.pcapng -Y 'frame.comment contains "apply #1"' -T fields \
	-e frame.time_epoch -e frame.len >note2.txt 2>ts.err || fail "solo: $(cat ts.err)"
python3 - runs2/latest/events.jsonl note2.txt <<'PY' || fail "solo: the note is not on an empty frame at the fault"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
start = next(e for e in ev if e["src"] == "capture" and e["ev"] == "start")
apply = next(e for e in ev if e["src"] == "timeline" and e["ev"] == "apply")
t, n = open(sys.argv[2]).read().split()
lag = float(t) - (apply["t_ns"] - start["t_ns"] + start["real_ns"]) / 1e9
print(f"solo: note on a frame of {n} bytes, {lag * 1000:.3f} ms after the fault")
sys.exit(0 if n == "0" and abs(lag) < 0.001 else 1)
PY
echo "capture_pcap: ok"
