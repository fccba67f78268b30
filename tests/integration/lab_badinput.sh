# Bad input exits 2 with file:line:col before anything is built; a program a scenario
# `requires` that is not installed, exit 3 the same way; a user who is not root gets
# one clear line and exit 3.
. "$FL_TOP/tests/integration/lib.sh"
f=$(scn lab_bad <<EOF
scenario lab-bad
duration 1s
network lan 198.18.0.0/24
node a on lann
EOF
)
runs="$FL_WORK/runs-bad"
rc=0; err=$(faultline run --run-dir "$runs" "$f" 2>&1) || rc=$?
[ $rc = 2 ] || fail "bad scenario: exit $rc, wanted 2 ($err)"
echo "$err" | grep -q "lab_bad.scn:4:[0-9]*: " || fail "no file:line:col in: $err"
[ -e "$runs" ] && fail "a run directory was made for a bad scenario"
rc=0; faultline run --no-such-option "$f" 2>/dev/null || rc=$?
[ $rc = 2 ] || fail "unknown option: exit $rc, wanted 2"
rc=0; faultline run 2>/dev/null || rc=$?
[ $rc = 2 ] || fail "no file: exit $rc, wanted 2"
faultline run --help | grep -q "usage: faultline run" || fail "--help says no usage"

req=$(scn lab_req <<EOF
scenario lab-req
duration 1s
requires sh fl-not-installed-anywhere
network lan 198.18.0.0/24
node a on lan
EOF
)
for cmd in check run; do
	rc=0
	if [ $cmd = check ]; then err=$(faultline check "$req" 2>&1) || rc=$?
	else err=$(faultline run --run-dir "$runs" "$req" 2>&1) || rc=$?; fi
	[ $rc = 3 ] || fail "requires, $cmd: exit $rc, wanted 3 ($err)"
	echo "$err" | grep -q "lab_req.scn:3:13: requires 'fl-not-installed-anywhere', which is not installed" ||
		fail "requires, $cmd: no clear line: $err"
done
[ -e "$runs" ] && fail "a run directory was made for a scenario missing a program"

good=$(scn lab_good <<EOF
scenario lab-good
duration 1s
network lan 198.18.0.0/24
node a on lan
EOF
)
command -v setpriv >/dev/null || skip "setpriv not installed (non-root check)"
chmod 755 "$FL_WORK" && chmod 644 "$good"
rc=0
err=$(cd / && setpriv --reuid=65534 --regid=65534 --clear-groups \
	faultline run --run-dir "$FL_WORK/runs-user" "$good" 2>&1) || rc=$?
[ $rc = 3 ] || fail "non-root: exit $rc, wanted 3 ($err)"
[ "$(echo "$err" | wc -l)" = 1 ] || fail "non-root: more than one line: $err"
echo "$err" | grep -q root || fail "non-root: the line does not say root is needed: $err"
echo ok
