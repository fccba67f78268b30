#!/usr/bin/env bash
# faultline run --shard K/N and faultline merge: four small scenarios run once as one
# invocation and once as shards 1/3, 2/3, 3/3 one after another; the merged JSON and
# JUnit hold the same scenarios in the same order with the same verdicts, testcases and
# failure types as the single run (measured figures differ between two runs of a lab,
# so those are compared with the shards' own: byte for byte). Alongside, explore over
# seeds 1-3 as one and as shards 1/2, 2/2, and a matrix of three columns as one and as
# shards 1/2, 2/2. Then what merge refuses: a missing shard,
# one given twice, a shard of other work.
. "${FL_TOP:?run me through tests/integration/run}/tests/integration/lib.sh"
command -v jq >/dev/null || skip "jq not installed"
command -v xmllint >/dev/null || skip "xmllint not installed"
lab() { # NAME EXPECT-AND-TIMELINE-LINES...
	local name=$1
	shift
	scn "$name" <<SCN
scenario $name
duration 2s
network net 198.18.0.0/24
node web on net=198.18.0.10
node client on net
service web web
service client load http://198.18.0.10/ rate 50/s timeout 300ms
$(printf '%s\n' "$@")
SCN
}
a=$(lab steady 'expect success >= 99%')
b=$(lab cut 'at 500ms link down web.net for 1s' 'expect success >= 99%')
c=$(lab repro 'at 500ms link down web.net for 1s' 'expect success >= 99% fails')
d=$(lab mixed 'at 500ms link down web.net for 1s' 'expect success >= 99%' 'expect requests >= 10')
# the columns' verdicts lie far from the threshold: a 100 ms cut once measured 800 ms of
# outage beside the other tests (cause not found); a 3 s cut cannot measure under 2 s
mx=$(lab mx 'param down "100ms"' 'at 300ms link down web.net for ${down}' 'expect outage < 2s')
sed -i 's/^duration 2s$/duration 4s/' "$mx"
x=$(lab rnd 'seed 1' 'random 1800/h from 300ms until 1500ms link down web.net for 400ms' \
	'expect success >= 99%')
cd "$FL_WORK"

# explore and matrix, one and sharded, beside the runs below (labs of their own)
(
	faultline explore -q "$x" --seeds 1-3 --jobs 3 --run-dir runs-x --json x1.json --junit x1.xml
	echo $? >x1.rc
	for k in 1 2; do
		faultline explore -q "$x" --seeds 1-3 --shard $k/2 --jobs 2 --run-dir runs-x$k \
			--json xs$k.json --junit xs$k.xml
		echo $? >xs$k.rc
	done
	# matrix: three columns, as one and as shards 1/2 (columns 1, 3), 2/2 (column 2)
	faultline matrix --set down=100ms --set down=3s --set down=200ms --run-dir runs-m \
		--json mx1.json "$mx"
	echo $? >mx1.rc
	for k in 1 2; do
		faultline matrix --shard $k/2 --set down=100ms --set down=3s --set down=200ms \
			--run-dir runs-m$k --json ms$k.json "$mx"
		echo $? >ms$k.rc
	done
) >bg.txt 2>&1 &
xpid=$!
trap 'kill $xpid 2>/dev/null' EXIT

rc=0
faultline run -q --jobs 4 --run-dir runs-1 --json one.json --junit one.xml "$a" "$b" "$c" "$d" \
	>one.txt 2>&1 || rc=$?
cat one.txt
[ "$rc" = 1 ] || fail "single run: exit $rc, wanted 1"
for k in 1 2 3; do
	r=0
	faultline run --jobs 2 --shard $k/3 --run-dir runs-s$k --json s$k.json --junit s$k.xml \
		"$a" "$b" "$c" "$d" >s$k.txt 2>&1 || r=$?
	cat s$k.txt
	echo "shard $k/3: exit $r"
	echo $r >s$k.rc
done
[ "$(cat s1.rc s2.rc s3.rc | tr '\n' ' ')" = "1 1 0 " ] || fail "shard exits $(cat s?.rc)"
grep -q '^shard 1/3: 2 of 4 files$' s1.txt || fail "shard 1/3 line"
jq -e '.shard == {"k":1,"n":3} and .command == "run" and .total == 4 and
       ([.items[].index] == [0, 3]) and .items[1].result.scenario == "mixed"' s1.json \
	>/dev/null || fail "shard report 1/3"
jq -e '[.items[].index] == [1]' s2.json >/dev/null || fail "shard 2/3"

mrc=0
faultline merge --json m.json --junit m.xml s3.json s1.json s2.json >merge.txt 2>&1 || mrc=$?
cat merge.txt
[ "$mrc" = 1 ] || fail "merge: exit $mrc, wanted 1 (the worst of the runs, as the single run)"
grep -q '^4 scenarios, 2 passed, 2 failed (1 of the passed reproduced' merge.txt ||
	fail "merge: no final table across the scenarios"
xmllint --noout --schema "$FL_TOP/tests/data/junit/junit.xsd" m.xml || fail "merged JUnit invalid"

# against the single run: the same suites, testcases, verdicts; figures masked
norm() { # JUnit without what two runs of a lab measure differently
	sed -e 's/measured [^,"<]*/measured X/g' -e 's/run directory: [^<]*/run directory: D/' "$1"
}
diff <(norm one.xml) <(norm m.xml) || fail "merged JUnit is not the single run's"
shape() { # the JSON's verdicts and the paths of every member, values of figures aside
	jq -c '[.[] | {scenario, seed, params, passed, verdict,
	         e: [.expectations[] | {text, status, wanted, as_wanted}]}], [paths | map(tostring) | join(".")]' "$1"
}
diff <(shape one.json) <(shape m.json) || fail "merged JSON is not shaped as the single run's"
jq -e '[.[].scenario] == ["steady", "cut", "repro", "mixed"] and
       [.[].verdict] == ["pass", "fail", "reproduced", "fail"]' m.json >/dev/null ||
	fail "merged JSON: order or verdicts"
# against the shards: every figure, byte for byte (the same writers)
jq -c '.[]' m.json >m.lines
jq -c --slurp '[.[].items[]] | sort_by(.index) | .[].result' s1.json s2.json s3.json >s.lines
diff s.lines m.lines || fail "merged JSON results differ from the shards'"
suites() { awk '/<testsuite /{p=1} p{print} /<\/testsuite>/{p=0}' "$@"; }
suites s1.xml | awk '/<testsuite /{n++} n==1' >want.xml
suites s2.xml s3.xml >>want.xml
suites s1.xml | awk '/<testsuite /{n++} n==2' >>want.xml
diff want.xml <(suites m.xml) || fail "merged JUnit suites differ from the shards'"
grep -q '<testsuites name="faultline" tests="5" failures="2" errors="0" time="8.000">' m.xml ||
	fail "merged JUnit totals: $(grep '<testsuites' m.xml)"
cmp <(head -2 one.xml) <(head -2 m.xml) || fail "JUnit totals differ from the single run's"

# what merge refuses, with exit 2
r=0
faultline merge --json bad.json s1.json s3.json >bad.txt 2>&1 || r=$?
[ "$r" = 2 ] && grep -q 'shard missing: 2/3 (2 of 3 given)' bad.txt || fail "missing shard: $r $(cat bad.txt)"
r=0
faultline merge --json bad.json s1.json s2.json s3.json s2.json >bad.txt 2>&1 || r=$?
[ "$r" = 2 ] && grep -q 'shard 2/3 given twice: s2.json and s2.json' bad.txt ||
	fail "shard twice: $r $(cat bad.txt)"
jq '.plan.files |= reverse' s2.json >other.json
r=0
faultline merge --json bad.json s1.json other.json s3.json >bad.txt 2>&1 || r=$?
[ "$r" = 2 ] && grep -q 'are shards of different work' bad.txt || fail "other work: $r $(cat bad.txt)"
[ ! -e bad.json ] || fail "merge wrote a report from shards it refused"

wait $xpid
trap - EXIT
cat bg.txt
r=0
faultline merge --json xm.json --junit xm.xml xs2.json xs1.json >xm.txt 2>&1 || r=$?
cat xm.txt
[ "$r" = "$(cat xs1.rc xs2.rc | sort -n | tail -1)" ] || fail "explore merge: exit $r"
jq -e '[.items[].result.seed] == [1, 3]' xs1.json >/dev/null || fail "explore shard 1/2: seeds"
# a random fault's verdict can differ between two runs under load (its apply may come
# late): the seeds' verdicts are compared with the shards', the rest with the single's
xshape() {
	jq -c '{scenario, first_seed, last_seed, ran, seeds: [.runs[].seed],
	        metrics: (.metrics | keys), n: [.metrics[].seeds]}' "$1"
}
diff <(xshape x1.json) <(xshape xm.json) || fail "merged explore is not shaped as the single's"
jq -c --slurp '[.[].items[]] | sort_by(.index) | .[] | [.result.seed, .exit, .result.verdict]' \
	xs1.json xs2.json >xw.lines
jq -c '.runs[] | [.seed, .exit, .verdict]' xm.json >xg.lines
diff xw.lines xg.lines || fail "merged explore runs differ from the shards'"
jq -e --slurp '([.[1:][].items[].result.metrics.success] | [min, max]) as $mm |
	.[0].metrics.success.min == $mm[0] and .[0].metrics.success.max == $mm[1] and
	.[0].failed == ([.[1:][].items[] | select(.result.verdict != "pass")] | length)' \
	xm.json xs1.json xs2.json >/dev/null || fail "merged explore statistics are not the shards'"
suites xs1.xml | awk '/<testsuite /{n++} n==1' >xwant.xml
suites xs2.xml >>xwant.xml
suites xs1.xml | awk '/<testsuite /{n++} n==2' >>xwant.xml
diff xwant.xml <(suites xm.xml) || fail "merged explore JUnit suites differ from the shards'"
names() { grep -o '<test\(suite\|case\) name="[^"]*"' "$1"; }
diff <(names x1.xml) <(names xm.xml) || fail "merged explore JUnit: other suites or testcases"

[ "$(cat mx1.rc ms1.rc ms2.rc | tr '\n' ' ')" = "1 0 1 " ] ||
	fail "matrix exits (one, 1/2, 2/2): $(cat mx1.rc ms1.rc ms2.rc)"
grep -q '^shard 1/2: 2 of 3 columns$' bg.txt || fail "matrix shard line"
r=0
faultline merge --json mm.json ms1.json ms2.json >mm.txt 2>&1 || r=$?
cat mm.txt
[ "$r" = 1 ] || fail "matrix merge: exit $r"
mshape() { jq -c '{scenario, param, exit_status, v: [.columns[] | {value, exit_status,
	r: .result.verdict, p: .result.params}]}' "$1"; }
diff <(mshape mx1.json) <(mshape mm.json) || fail "merged matrix is not the single matrix's"
diff <(jq -c --slurp '[.[].items[]] | sort_by(.index) | .[].column' ms1.json ms2.json) \
	<(jq -c '.columns[]' mm.json) || fail "merged matrix columns differ from the shards'"
r=0
faultline merge --json mm.json --junit mm.xml ms1.json ms2.json >/dev/null 2>&1 || r=$?
[ "$r" = 2 ] || fail "merge --junit of a matrix: exit $r, wanted 2"
echo "run_shards: ok"
