#!/bin/sh
# Runs Go native fuzz targets, each for a bounded time, on a shared machine.
# `make fuzz` calls it (and .ci/run, as a gate); docs/reliability.md
# ("Fuzzing") explains the choices and gives the timings.
#
#   test/fuzz/run.sh ./internal/storage:FuzzRange ./internal/notify:FuzzUnsubscribeToken ...
#
# Each package's instrumented test binary is built once (go test -c -fuzz:
# every dependency is compiled with coverage instrumentation, which the
# build cache keeps) into FUZZ_BIN_DIR, and every target is then run from
# that binary in the package's directory (pkg.test -test.fuzz=^Target$
# -test.fuzzcachedir=$GOCACHE/fuzz/<import path>, what go test -fuzz itself
# runs), so no target relinks. The binaries are kept: go test -c leaves a
# binary whose build ID is current as it is, so a package that did not
# change is not even linked again.
#
# Environment:
#   GO              the go command (default go)
#   FUZZTIME        -fuzztime of each target (default 6s)
#   FUZZ_PARALLEL   fuzzing workers per target (default 2: this machine has 2 cores)
#   FUZZ_KILL_AFTER seconds after which one target's run is killed as hung,
#                   on top of FUZZTIME (default 120: start-up and the baseline
#                   pass over the corpus)
#   FUZZ_BUDGET     seconds for the whole fuzzing phase (default 240); a target
#                   that would start after it is reported and the run fails
#   FUZZ_BIN_DIR    where the instrumented binaries are kept (default
#                   ~/.cache/alexandria/fuzz/<checksum of this checkout's path>)
#   FUZZ_BUILD_TIMEOUT seconds for building the instrumented test binaries
#                   (default 1800: a first build instruments every dependency,
#                   SQLite's translated C included; later runs hit the cache)
#
# Outcomes of one target:
#   ok        the target fuzzed for FUZZTIME without a finding
#   FINDING   a failing input (written to <pkg>/testdata/fuzz/<Target>/), a
#             panic, or a failed check: the run fails
#   HUNG      killed after FUZZTIME + FUZZ_KILL_AFTER: the run fails
#   deadline  the binary failed with only "context deadline exceeded" at the
#             end of -fuzztime and wrote no failing input. That is Go's fuzzing
#             coordinator racing its own -fuzztime deadline against workers
#             starved of CPU (go.dev/issue/75804, fixed in Go 1.27, present in
#             the go1.26.8 of go.mod), not a property of the code under test:
#             the seed corpus is replayed (-test.run '^Target$') and, if it
#             passes, the target counts as fuzzed; the run does not fail.
set -u

GO=${GO:-go}
FUZZTIME=${FUZZTIME:-6s}
FUZZ_PARALLEL=${FUZZ_PARALLEL:-2}
FUZZ_KILL_AFTER=${FUZZ_KILL_AFTER:-120}
FUZZ_BUDGET=${FUZZ_BUDGET:-240}
FUZZ_BUILD_TIMEOUT=${FUZZ_BUILD_TIMEOUT:-1800}

[ $# -gt 0 ] || { echo "usage: $0 ./pkg:FuzzTarget ..." >&2; exit 2; }

# Seconds in FUZZTIME ("8s", "2m", "1m30s"); a count ("500x") gets the kill
# allowance alone.
seconds() {
	case $1 in
	*x) echo 0 ;;
	*) echo "$1" | awk '{ s = 0; n = $0
		if (match(n, /[0-9]+h/)) s += 3600 * substr(n, RSTART, RLENGTH - 1)
		if (match(n, /[0-9]+m/)) s += 60 * substr(n, RSTART, RLENGTH - 1)
		if (match(n, /[0-9]+s/)) s += substr(n, RSTART, RLENGTH - 1)
		print s }' ;;
	esac
}
limit=$(( $(seconds "$FUZZTIME") + FUZZ_KILL_AFTER ))

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
bindir=${FUZZ_BIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/alexandria/fuzz/$(pwd | cksum | cut -d' ' -f1)}
mkdir -p "$bindir" || exit 1

# Phase 1: build each package's instrumented test binary once, into $bindir.
pkgs=$(for t in "$@"; do echo "${t%%:*}"; done | sort -u)
fuzzcache=$("$GO" env GOCACHE)/fuzz
began=$(date +%s)
builds=""
for pkg in $pkgs; do
	bin=$bindir/$(echo "$pkg" | tr -c 'A-Za-z0-9_\n' _).test
	echo "==> build $pkg (instrumented for fuzzing)"
	t0=$(date +%s)
	if ! timeout -k 10 "$FUZZ_BUILD_TIMEOUT" "$GO" test -c -fuzz . -o "$bin" "$pkg"; then
		echo "FAIL: building $pkg for fuzzing failed or took more than ${FUZZ_BUILD_TIMEOUT}s" >&2
		exit 1
	fi
	builds="$builds $pkg $(( $(date +%s) - t0 ))s;"
done
echo "==> built $(echo "$pkgs" | wc -l) packages in $(( $(date +%s) - began ))s:$builds"

# Phase 2: fuzz each target.
began=$(date +%s)
failed=0 deadline_races=0 summary=""
for t in "$@"; do
	pkg=${t%%:*} name=${t##*:}
	spent=$(( $(date +%s) - began ))
	if [ "$spent" -ge "$FUZZ_BUDGET" ]; then
		summary="$summary
  NOT RUN  $name (budget of ${FUZZ_BUDGET}s spent)"
		failed=1
		continue
	fi
	bin=$bindir/$(echo "$pkg" | tr -c 'A-Za-z0-9_\n' _).test
	pkgdir=$("$GO" list -f '{{.Dir}}' "$pkg")
	importpath=$("$GO" list -f '{{.ImportPath}}' "$pkg")
	dir=$pkgdir/testdata/fuzz/$name
	before=$(ls "$dir" 2>/dev/null | wc -l)
	echo "==> $name ($pkg, $FUZZTIME, -parallel $FUZZ_PARALLEL)"
	t0=$(date +%s)
	# What go test -fuzz runs: the binary in the package's directory (its
	# testdata), the shared generated corpus under GOCACHE.
	(cd "$pkgdir" && timeout -k 10 "$limit" "$bin" -test.run='^$' -test.fuzz="^$name\$" -test.fuzztime="$FUZZTIME" \
		-test.parallel="$FUZZ_PARALLEL" -test.fuzzcachedir="$fuzzcache/$importpath" -test.paniconexit0 \
		-test.timeout=0) >"$tmp/out" 2>&1
	rc=$?
	took=$(( $(date +%s) - t0 ))
	cat "$tmp/out"
	after=$(ls "$dir" 2>/dev/null | wc -l)
	execs=$(grep -o 'execs: [0-9]*' "$tmp/out" | tail -n 1 | cut -d' ' -f2)
	outcome="ok"
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		outcome="HUNG (killed after ${limit}s)"
		failed=1
	elif [ "$rc" -ne 0 ]; then
		# Lines of the failure report other than the coordinator's own.
		other=$(sed -n '/^--- FAIL/,$p' "$tmp/out" | grep -v -e '^--- FAIL' -e '^ *context deadline exceeded$' \
			-e '^FAIL' -e '^exit status' -e '^ok ' | grep -c .)
		if [ "$after" -eq "$before" ] && grep -q '^ *context deadline exceeded$' "$tmp/out" && [ "$other" -eq 0 ] &&
			! grep -q -e 'Failing input written' -e '^panic:' "$tmp/out"; then
			if (cd "$pkgdir" && "$bin" -test.run="^$name\$" -test.paniconexit0) >"$tmp/seed" 2>&1; then
				outcome="ok (go.dev/issue/75804: coordinator deadline race, no failing input; seed corpus replayed)"
				deadline_races=$((deadline_races + 1))
			else
				cat "$tmp/seed"
				outcome="FINDING (seed corpus fails)"
				failed=1
			fi
		else
			outcome="FINDING"
			failed=1
		fi
	fi
	summary="$summary
  $outcome  $name  ${took}s  execs ${execs:-?}"
done
echo "==> fuzzing: $(( $(date +%s) - began ))s for $# targets (budget ${FUZZ_BUDGET}s), $deadline_races coordinator deadline race(s)$summary"
if [ "$failed" -ne 0 ]; then
	echo "FAIL: see the targets above; a failing input is in <pkg>/testdata/fuzz/<Target>/ (commit it with the fix)" >&2
	exit 1
fi
