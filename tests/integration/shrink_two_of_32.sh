#!/usr/bin/env bash
# faultline shrink on a schedule of 32 firings where the failure needs exactly two:
# each of two clients has a path of its own to a server of its own (c1 -> web1 on
# network a, c2 -> web2 on b), and `outage` counts a gap only when no request of
# either client succeeds, so it goes above 200 ms only while web1.a is black-holed
# AND web2.b is down (300 ms of overlap). Thirty decoys do not: short faults on a
# spare network nobody uses, and 50 ms cuts on the paths that never meet each other or
# the two culprits. Every candidate runs through the real binary in labs of its own,
# two at a time, twice each (a candidate fails only when both runs fail).
# Checks: exactly those two firings are left; the written scenario has only those two
# `at` lines, lists the 32 firings before and the 2 after in its header, and fails
# the same expectation when run; every run printed its outcome. Then: a schedule that
# does not fail is exit 1 after one run, bad options are exit 2.
. "${FL_TOP:?run me through tests/integration/run}/tests/integration/lib.sh"
decoys() { # at T TARGET for D, sorted by T; $1 selects the early (<= 585ms) or late half
	{
		for i in 0 1 2 3 4 5 6 7 8 9; do echo "$((50 + i * 140)) blackhole d1.spare 80"; done
		for i in 0 1 2 3 4 5; do echo "$((75 + i * 200)) link down d2.spare 60"; done
		for i in 0 1 2 3; do echo "$((100 + i * 300)) loss d1.spare 50% 100"; done
		for x in "40 web1.a" "150 web2.b" "250 c1.a" "350 c2.b" "1200 web1.a" \
			"1275 web2.b" "1350 c1.a" "1425 c2.b" "1240 d2.spare" "495 d2.spare"; do
			echo "${x% *} blackhole ${x#* } 50"
		done
	} | sort -n | awk -v half="$1" '(half == "early") == ($1 <= 585) {
		d = $NF; $NF = ""; t = $1; $1 = ""; printf "at %dms%sfor %dms\n", t, $0, d }'
}
f=$(scn two_of_32 <<SCN
scenario two-of-32
duration 1500ms
seed 1
network a     198.18.0.0/24
network b     198.18.1.0/24
network spare 198.18.2.0/24
node web1 on a=198.18.0.10
node web2 on b=198.18.1.10
node c1   on a
node c2   on b
node d1   on spare
node d2   on spare
service web1 web
service web2 web
service c1 load http://198.18.0.10/ rate 50/s timeout 200ms
service c2 load http://198.18.1.10/ rate 50/s timeout 200ms
$(decoys early)
at 600ms blackhole web1.a for 450ms
$(decoys late | head -4)
at 750ms link down web2.b for 450ms
$(decoys late | tail -n +5)
expect outage < 200ms
SCN
)
cd "$FL_WORK"
faultline run --dry-run "$f" >dry.txt || fail "dry run: $(cat dry.txt)"
grep -q '^two-of-32: seed 1, 32 firings$' dry.txt || fail "the schedule is not 32 firings"
# the culprits' numbers in the schedule (sorted by time)
a=$(sed -n 's/^ *0\.600s  #\([0-9]*\) *blackhole web1\.a .*/\1/p' dry.txt)
b=$(sed -n 's/^ *0\.750s  #\([0-9]*\) *link down web2\.b .*/\1/p' dry.txt)
[ -n "$a" ] && [ -n "$b" ] || fail "the culprits are not in the schedule: $(cat dry.txt)"

t0=$(date +%s)
rc=0
faultline shrink "$f" --tries 1 --jobs 2 --run-dir runs -o min.scn >out.txt 2>&1 || rc=$?
echo "shrink: exit $rc, $(($(date +%s) - t0)) s"
cat out.txt
[ "$rc" = 0 ] || fail "shrink exited $rc"
grep -q '^two-of-32 (seed 1): 32 firings -> 2; ' out.txt || fail "the summary does not say 32 -> 2"
grep -Eq "^  #$a +at 600ms blackhole web1\\.a for 450ms\$" out.txt &&
	grep -Eq "^  #$b +at 750ms link down web2\\.b for 450ms\$" out.txt ||
	fail "the summary does not name #$a and #$b"
grep -q '^target: outage < 200ms$' out.txt || fail "no target line"
# every run has its line, every decided candidate too, and they agree in number
runs=$(grep -Ec '^  cand [0-9]+ +try 1/1 ' out.txt)
said=$(sed -n 's/.*, \([0-9]*\) runs (tries 1, need 1).*/\1/p' out.txt)
[ "$runs" -gt 10 ] && [ "$runs" = "$said" ] || fail "$runs run lines, the summary says $said runs"
grep -q '^cand 2 (no firing, 0 firings): holds' out.txt || fail "no firing at all was not tried"
grep -q '^cand 1 (every firing, 32 firings): FAILS, 1 of 1 runs failed' out.txt ||
	fail "the baseline did not fail"

# the result: a scenario with the two firings only, before/after in its header
[ "$(grep -c '^at ' min.scn)" = 2 ] || fail "min.scn: not two 'at' lines: $(grep '^at ' min.scn)"
grep -qx 'at 600ms blackhole web1.a for 450ms' min.scn &&
	grep -qx 'at 750ms link down web2.b for 450ms' min.scn || fail "min.scn: wrong firings"
grep -q '^# Firings before (32):$' min.scn && grep -q '^# Firings after (2):$' min.scn ||
	fail "min.scn: no before/after in the header"
[ "$(grep -Ec '^#   #[0-9]+ +at ' min.scn)" = 34 ] || fail "min.scn: header does not list 32 + 2"
grep -Eq '^(random|every) ' min.scn && fail "min.scn: timeline statements left"
# the candidates' files and runs stayed in the work directory
ls -d runs/shrink-two-of-32-* >/dev/null 2>&1 || fail "no work directory"
[ "$(ls runs/shrink-two-of-32-*/cand-*.scn | wc -l)" -ge 10 ] || fail "candidate files missing"

# the result, shrunk again with two tries: it fails twice as a whole and stays as it is
rc=0
faultline shrink min.scn --tries 2 --jobs 2 --run-dir runs -o min2.scn >again.txt 2>&1 || rc=$?
cat again.txt
[ "$rc" = 0 ] || fail "shrink of min.scn exited $rc"
grep -q '^cand 1 (every firing, 2 firings): FAILS, 2 of 2 runs failed' again.txt ||
	fail "min.scn does not fail the target twice"
grep -Eq '^cand [0-9]+ \(.*\): holds, 0 of 1 runs failed$' again.txt ||
	fail "a candidate that held once was run again (need 2 of 2)"
grep -q '^two-of-32 (seed 1): 2 firings -> 2; ' again.txt || fail "min.scn did not stay 2 firings"
[ "$(grep '^at ' min2.scn)" = "$(grep '^at ' min.scn)" ] || fail "min2.scn differs from min.scn"

# nothing to shrink: without the link down the outage holds; one run says so
grep -v '^at 750ms link down' "$f" >holds.scn
rc=0
faultline shrink holds.scn --tries 1 --jobs 2 --run-dir runs -o none.scn >h.txt 2>&1 || rc=$?
cat h.txt
[ "$rc" = 1 ] || fail "shrink of a passing schedule: exit $rc, wanted 1"
grep -q 'nothing to shrink' h.txt || fail "no 'nothing to shrink'"
[ -e none.scn ] && fail "a passing schedule wrote a result"

for bad in "--tries 0" "--tries 2 --need 3" "--expect nosuch" "--json x.json" "--dry-run"; do
	rc=0
	faultline shrink "$f" $bad >/dev/null 2>bad.txt || rc=$?
	[ "$rc" = 2 ] || fail "shrink $bad: exit $rc, wanted 2 ($(cat bad.txt))"
done
echo "shrink_two_of_32: ok"
