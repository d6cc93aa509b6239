#!/usr/bin/env bash
# Starts PostgreSQL and Redis when they are installed and not listening. Sourced by
# scripts/test.sh and scripts/start.sh; never assumes a service it did not check.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ensure_redis() {
  local port="${REDIS_PORT:-6379}"
  listening "$port" && return 0
  if command -v redis-server >/dev/null; then
    echo "services: starting redis-server on $port"
    mkdir -p /tmp/motcua-redis
    redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
      --dir /tmp/motcua-redis --logfile /tmp/motcua-redis/redis.log
    for _ in $(seq 1 50); do listening "$port" && return 0; sleep 0.1; done
  fi
  echo "services: Redis is not listening on $port and could not be started" >&2
  return 1
}

ensure_postgres() {
  listening 5432 && return 0
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    local v; v=$(ls /etc/postgresql | sort -V | tail -1)
    echo "services: starting PostgreSQL $v"
    pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
    for _ in $(seq 1 100); do listening 5432 && return 0; sleep 0.1; done
  fi
  echo "services: PostgreSQL is not listening on 5432 and could not be started" >&2
  return 1
}
