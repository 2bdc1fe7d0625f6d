#!/usr/bin/env bash
# Runs the Locust mix (bench/locust/locustfile.py) headless against a fresh
# Alexandria, prints Locust's statistics and fails on any request error or
# on any 5xx the platform counted (alexandria_http_requests_total, summed
# over every process's /metrics: the impatient clients' cancelled requests
# must show as 499, never as 5xx).
#
#   LOAD_MODE        single (default): one all-in-one process;
#                    split: every target in its own process on PostgreSQL and
#                    NATS, behind nginx rendered from deploy/nginx (as
#                    test/e2e/split_test.go runs it)
#   LOAD_DB          sqlite (default) or postgres (single mode; split is
#                    always PostgreSQL). PostgreSQL: a new database at
#                    LOAD_POSTGRES_URL (default the local server's `test`
#                    server, user postgres), dropped afterwards
#   LOAD_USERS       simulated users (default 20)
#   LOAD_SPAWN_RATE  users started per second (default 2)
#   LOAD_DURATION    how long Locust runs (default 60s; Locust's -t syntax)
#   LOAD_OUT         where the CSVs and logs are kept (default: a new
#                    directory under /tmp, printed at the end)
#   SOAK_DURATION    when set: a soak run of that length (overrides
#                    LOAD_DURATION) sampling RSS, goroutines, open files and
#                    DB connections every SOAK_INTERVAL seconds (default 30)
#                    into soak.csv, with a summary flagging growth
#   LOAD_CHAOS       broker (split mode only): stop the run's NATS server
#                    LOAD_CHAOS_AFTER seconds into the Locust run (default
#                    20) for LOAD_CHAOS_OUTAGE seconds (default 30), start it
#                    again on the same store, and after the run check that
#                    every outbox drained, nothing was dead-lettered and
#                    search holds exactly the items catalog lists as
#                    published; writes must keep succeeding (the outbox).
#                    LOAD_SETTLE_SECONDS defaults to the outage + 30 then
#                    (read models lag by the outage)
#   ALEXANDRIA_BIN   the binary (default bin/alexandria; `make load` builds it)
#   LOCUST           the Locust command (default Debian's: /usr/bin/python3 -m locust)
#
# Exit status: 0 when Locust saw no failure and no process counted a 5xx
# (and, with LOAD_CHAOS, the events check passed).
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
MODE=${LOAD_MODE:-single}
DB=${LOAD_DB:-sqlite}
USERS=${LOAD_USERS:-20}
RATE=${LOAD_SPAWN_RATE:-2}
DURATION=${LOAD_DURATION:-60s}
BIN=${ALEXANDRIA_BIN:-$ROOT/bin/alexandria}
LOCUST=${LOCUST:-/usr/bin/python3 -m locust}
PY=/usr/bin/python3
PG_ADMIN_URL=${LOAD_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
if [[ -n "${SOAK_DURATION:-}" ]]; then
	DURATION=$SOAK_DURATION
fi
[[ $MODE == split ]] && DB=postgres
CHAOS=${LOAD_CHAOS:-}
CHAOS_AFTER=${LOAD_CHAOS_AFTER:-20}
CHAOS_OUTAGE=${LOAD_CHAOS_OUTAGE:-30}
if [[ -n $CHAOS && ( $CHAOS != broker || $MODE != split ) ]]; then
	echo "load: LOAD_CHAOS=broker is the one chaos option, and it needs LOAD_MODE=split" >&2
	exit 2
fi

OUT=${LOAD_OUT:-$(mktemp -d /tmp/alexandria-load.XXXXXX)}
mkdir -p "$OUT/logs"
WORK=$(mktemp -d /tmp/alexandria-load-work.XXXXXX)

export ALEXANDRIA_ADMIN_EMAIL=${ALEXANDRIA_ADMIN_EMAIL:-admin@load.example.org}
export ALEXANDRIA_ADMIN_PASSWORD=${ALEXANDRIA_ADMIN_PASSWORD:-load test administrator passphrase $RANDOM$RANDOM}
export LOAD_USERS=$USERS
export LOAD_RUN_ID=${LOAD_RUN_ID:-$(date +%H%M%S)}

PIDS=()
PGDB=""
SAMPLER=""
CHAOS_PID=""

cleanup() {
	set +e
	if [[ -n $CHAOS_PID ]] && kill -0 "$CHAOS_PID" 2>/dev/null; then
		kill "$CHAOS_PID" 2>/dev/null
		wait "$CHAOS_PID" 2>/dev/null
	fi
	if [[ -n $SAMPLER ]] && kill -0 "$SAMPLER" 2>/dev/null; then
		kill "$SAMPLER" 2>/dev/null
		wait "$SAMPLER" 2>/dev/null
	fi
	local i
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		kill -TERM "${PIDS[i]}" 2>/dev/null
	done
	for pid in "${PIDS[@]}"; do
		for _ in $(seq 1 300); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	# The broker last, after the processes that use it (the chaos run may
	# have restarted it: its pid is in a file).
	if [[ -s $WORK/nats.pid ]]; then
		local npid
		npid=$(cat "$WORK/nats.pid")
		kill -TERM "$npid" 2>/dev/null
		for _ in $(seq 1 100); do
			kill -0 "$npid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$npid" 2>/dev/null
	fi
	if [[ -n $PGDB ]]; then
		psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" >/dev/null 2>&1
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_http() { # url what
	for _ in $(seq 1 600); do
		if curl -fsS -o /dev/null "$1" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "load: $2 did not answer $1 within 60 s" >&2
	return 1
}

[[ -x $BIN ]] || { echo "load: $BIN missing (make build)" >&2; exit 2; }
$PY -c 'import locust' 2>/dev/null || { echo "load: Locust missing: apt-get install python3-locust" >&2; exit 2; }
# The /metrics parser the counts and the 5xx check rely on.
$PY -m unittest -q bench/locust/test_soak.py 2>"$OUT/test_soak.txt" || { cat "$OUT/test_soak.txt" >&2; echo "load: soak.py's tests fail" >&2; exit 2; }

# Every simulated user comes from 127.0.0.1: the per-address sign-in and
# sign-up limits are raised, or most users would rightly get 429.
COMMON=(
	"PATH=$PATH" "HOME=$HOME"
	"ALEXANDRIA_ADMIN_EMAIL=$ALEXANDRIA_ADMIN_EMAIL" "ALEXANDRIA_ADMIN_PASSWORD=$ALEXANDRIA_ADMIN_PASSWORD"
	"ALEXANDRIA_LOG_FORMAT=json"
	"ALEXANDRIA_IDENTITY_LOGIN_RATE_PER_ADDRESS=1000000"
	"ALEXANDRIA_IDENTITY_SIGNUP_RATE_PER_ADDRESS=1000000"
)
if [[ $DB == postgres ]]; then
	PGDB="load_$(date +%s)_$RANDOM"
	psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $PGDB" >/dev/null
	PG_URL=$($PY -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$PG_ADMIN_URL" "$PGDB")
	COMMON+=("ALEXANDRIA_DATABASE_URL=$PG_URL")
fi

OPS=() # name=http://ops-listener
start_target() { # name target port env...
	local name=$1 target=$2 port=$3
	shift 3
	local ops
	ops=$(free_port)
	env -i "${COMMON[@]}" "ALEXANDRIA_HTTP_ADDR=127.0.0.1:$port" "ALEXANDRIA_HTTP_OPS_ADDR=127.0.0.1:$ops" \
		"ALEXANDRIA_DATA_DIR=$WORK/data-$name" "$@" \
		"$BIN" serve -target="$target" >"$OUT/logs/$name.out" 2>"$OUT/logs/$name.log" &
	PIDS+=($!)
	OPS+=("$name=http://127.0.0.1:$ops")
	# Readiness on the operations listener: the public port's /readyz
	# answers 503 while starting, and that would count as a 5xx.
	wait_http "http://127.0.0.1:$ops/readyz" "$name"
}

if [[ $MODE == single ]]; then
	port=$(free_port)
	start_target all all "$port"
	URL="http://127.0.0.1:$port"
elif [[ $MODE == split ]]; then
	command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || { echo "load: nginx missing" >&2; exit 2; }
	NGINX=$(command -v nginx || echo /usr/sbin/nginx)
	NATS=$(command -v nats-server || echo /usr/sbin/nats-server)
	natsport=$(free_port)
	# A private JetStream server (own port and store): the chaos run stops
	# and starts it; its pid is kept in $WORK/nats.pid.
	start_nats() {
		"$NATS" -a 127.0.0.1 -p "$natsport" -js -sd "$WORK/nats" >>"$OUT/logs/nats.log" 2>&1 &
		echo $! >"$WORK/nats.pid"
		for _ in $(seq 1 100); do
			(exec 3<>"/dev/tcp/127.0.0.1/$natsport") 2>/dev/null && return 0
			sleep 0.1
		done
		echo "load: nats-server did not listen on $natsport" >&2
		return 1
	}
	stop_nats() {
		local pid
		pid=$(cat "$WORK/nats.pid")
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		: >"$WORK/nats.pid"
	}
	start_nats
	TARGETS=(identity catalog storage processing search feeds engagement analytics notify web)
	declare -A PORT
	for t in "${TARGETS[@]}"; do PORT[$t]=$(free_port); done
	SPLIT=(
		"ALEXANDRIA_BUS_URL=nats://127.0.0.1:$natsport" "ALEXANDRIA_HTTP_TRUST_FORWARDED_FOR=true"
		"ALEXANDRIA_BLOB_URL=file://$WORK/blobs?create_dir=true"
		"ALEXANDRIA_IDENTITY_URL=http://127.0.0.1:${PORT[identity]}"
		"ALEXANDRIA_STORAGE_CATALOG_URL=http://127.0.0.1:${PORT[catalog]}"
		"ALEXANDRIA_FEEDS_CONTENT_URL=http://127.0.0.1:${PORT[storage]}"
		"ALEXANDRIA_FEEDS_ANALYTICS_URL=http://127.0.0.1:${PORT[analytics]}"
		"ALEXANDRIA_FEEDS_ENGAGEMENT_URL=http://127.0.0.1:${PORT[engagement]}"
		"ALEXANDRIA_SEARCH_STORAGE_URL=http://127.0.0.1:${PORT[storage]}"
		"ALEXANDRIA_ENGAGEMENT_CATALOG_URL=http://127.0.0.1:${PORT[catalog]}"
		"ALEXANDRIA_SERVICE_KEY=load-split-service-key-$RANDOM$RANDOM"
	)
	for t in "${TARGETS[@]}"; do
		start_target "$t" "$t" "${PORT[$t]}" "${SPLIT[@]}"
	done
	gw=$(free_port)
	mkdir -p "$WORK/nginx"
	conf=$(sed -e "s/\${LISTEN_PORT}/127.0.0.1:$gw/g" deploy/nginx/alexandria.conf.template)
	for t in "${TARGETS[@]}"; do
		conf=${conf//"\${${t^^}_UPSTREAM}"/127.0.0.1:${PORT[$t]}}
	done
	if grep -qE '\$\{[A-Z_]+\}' <<<"$conf"; then
		echo "load: gateway template variable left unset: $(grep -oE '\$\{[A-Z_]+\}' <<<"$conf" | head -1)" >&2
		exit 2
	fi
	printf '%s\n' "$conf" >"$WORK/nginx/alexandria.conf"
	user=""
	[[ $(id -u) == 0 ]] && user="user root;"
	cat >"$WORK/nginx/nginx.conf" <<EOF
$user
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $OUT/logs/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    include $WORK/nginx/alexandria.conf;
}
EOF
	"$NGINX" -t -q -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx"
	"$NGINX" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" >"$OUT/logs/nginx-access.txt" 2>&1 &
	PIDS+=($!)
	URL="http://127.0.0.1:$gw"
	wait_http "$URL/livez" gateway
else
	echo "load: LOAD_MODE must be single or split" >&2
	exit 2
fi

echo "load: $MODE mode, $DB, $USERS users (+$RATE/s) for $DURATION at $URL; load average $(cut -d' ' -f1-3 /proc/loadavg)"
OPS_URLS=()
for o in "${OPS[@]}"; do OPS_URLS+=("${o#*=}"); done

if [[ -n "${SOAK_DURATION:-}" ]]; then
	$PY bench/locust/soak.py sample --interval "${SOAK_INTERVAL:-30}" --out "$OUT/soak.csv" "${OPS[@]}" &
	SAMPLER=$!
fi

# The broker outage, in the background while Locust runs: stopped
# CHAOS_AFTER s in, started again CHAOS_OUTAGE s later; the outbox backlog
# (every process summed) is sampled meanwhile into chaos.txt.
broker_chaos() {
	sleep "$CHAOS_AFTER"
	echo "load: chaos: broker stopped at $(date -u +%T) for ${CHAOS_OUTAGE}s (backlog before: $($PY bench/locust/soak.py backlog "${OPS[@]}"))"
	stop_nats
	local t0=$SECONDS peak=0 b
	while ((SECONDS - t0 < CHAOS_OUTAGE)); do
		b=$($PY bench/locust/soak.py backlog "${OPS[@]}")
		[[ $b =~ ^[0-9]+$ ]] && ((b > peak)) && peak=$b
		sleep 2
	done
	start_nats
	local t1=$SECONDS
	echo "load: chaos: broker started again at $(date -u +%T); outbox backlog peaked at $peak events while it was down"
	for _ in $(seq 1 60); do
		b=$($PY bench/locust/soak.py backlog "${OPS[@]}")
		[[ $b == 0 ]] && { echo "load: chaos: outbox backlog 0 $((SECONDS - t1)) s after the broker returned"; return 0; }
		sleep 1
	done
	echo "load: chaos: outbox backlog still $b 60 s after the broker returned"
}
if [[ $CHAOS == broker ]]; then
	# Consumers' read models (engagement's, search's) lag by the outage: an
	# item published while the broker is down is unknown to engagement until
	# it returns (a rightful 404 on its stats). Locust engages with an item
	# LOAD_SETTLE_SECONDS after it was published: longer than the outage.
	export LOAD_SETTLE_SECONDS=${LOAD_SETTLE_SECONDS:-$((CHAOS_OUTAGE + 30))}
	broker_chaos > >(tee "$OUT/chaos.txt") 2>&1 &
	CHAOS_PID=$!
fi

status=0
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
# shellcheck disable=SC2086 # LOCUST is a command line
$LOCUST -f bench/locust/locustfile.py --headless --host "$URL" -u "$USERS" -r "$RATE" -t "$DURATION" \
	--stop-timeout 15 --csv "$OUT/stats" --only-summary --loglevel WARNING --exit-code-on-error 1 \
	2>&1 | tee "$OUT/locust.txt" || status=$?
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

if [[ -n $SAMPLER ]]; then
	kill "$SAMPLER" 2>/dev/null
	wait "$SAMPLER" 2>/dev/null || true
	SAMPLER=""
	$PY bench/locust/soak.py summary "$OUT/soak.csv" | tee "$OUT/soak-summary.txt" || status=1
fi

# What the platform counted, every process together.
$PY bench/locust/soak.py http-status "${OPS[@]}" | tee "$OUT/http-status.txt" || status=1
$PY bench/locust/soak.py p95 "$OUT/stats_stats.csv" | tee -a "$OUT/http-status.txt"

if [[ -n $CHAOS_PID ]]; then
	wait "$CHAOS_PID" || true
	CHAOS_PID=""
	[[ -s $WORK/nats.pid ]] || { echo "load: chaos: the broker was not running at the end" >&2; status=1; }
	# Nothing lost: the outboxes drain, nothing is dead-lettered, and search
	# (fed only by catalog's events) holds exactly what catalog publishes.
	$PY bench/locust/soak.py events-check --gateway "$URL" "${OPS[@]}" | tee "$OUT/events-check.txt" || status=1
fi

errors=$(cat "$OUT"/logs/*.log | grep -c '"level":"ERROR"' || true)
echo "load: $errors ERROR lines in the platform's logs (kept in $OUT/logs)"
echo "load: load average at start ${LOAD_START}, at end ${LOAD_END}"
echo "load: results in $OUT"
if [[ $status -ne 0 ]]; then
	echo "load: FAILED (request errors, 5xx or, with LOAD_CHAOS, events lost)" >&2
fi
exit $status
