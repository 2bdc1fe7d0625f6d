#!/usr/bin/env bash
# Brokers for the bus contract suite (internal/platform/bus). Source this
# file from .ci/run, then call the functions; each starts its service only
# when nothing answers on its port, installing the Debian package first when
# the binary is missing. The NATS and Redis suites start private servers from
# the same binaries; RabbitMQ is used as the machine's service.

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# wait_port HOST PORT SECONDS: wait until the port answers, or fail.
wait_port() {
  local i
  for ((i = 0; i < $3 * 4; i++)); do
    port_open "$1" "$2" && return 0
    sleep 0.25
  done
  echo "nothing answers on $1:$2 after $3 s" >&2
  return 1
}

# apt_install BINARY PACKAGE: install PACKAGE unless BINARY is already there.
apt_install() {
  command -v "$1" >/dev/null 2>&1 && return 0
  [ -x "$1" ] && return 0
  echo "installing $2" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

ensure_nats() {
  port_open 127.0.0.1 4222 && return 0
  apt_install /usr/sbin/nats-server nats-server
  mkdir -p /var/lib/nats-server
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  wait_port 127.0.0.1 4222 30
}

ensure_rabbitmq() {
  port_open 127.0.0.1 5672 && return 0
  apt_install rabbitmq-server rabbitmq-server
  rabbitmq-server -detached
  wait_port 127.0.0.1 5672 120
}

ensure_redis() {
  port_open 127.0.0.1 6379 && return 0
  apt_install redis-server redis-server
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_port 127.0.0.1 6379 30
}

# ensure_nginx: the split-mode end-to-end test runs its own nginx from the
# gateway template; only the binary is needed. The package's own service is
# stopped if its install started one (it would hold port 80 for nothing).
ensure_nginx() {
  if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    apt_install nginx nginx
    /usr/sbin/nginx -s stop >/dev/null 2>&1 || true
  fi
}
