#!/usr/bin/env bash
# A/B of the relay's designs for its hot path, in one run, against the same Node generator
# (bench/node/load.js, which is not the limit here: its own ceiling, the direct TLS echo, is
# measured first) and the Node ws relay as the baseline:
#
#   echo          bench/node/wss-echo.js: the generator's ceiling (no routing at all)
#   node          bench/node/ws-relay.js: the Node ws relay (same protocol and routing)
#   relay         relay.war as built, bench settings (public-API batched flushes, container hooks on)
#   relay-nohooks the same with relay.container-hooks=false (public API only)
#   relay-plain   the same with relay.container-hooks=false and relay.batch-flushes=false (Tyrus alone)
#   relay-old     (with --old-war WAR) an older relay.war, e.g. one built before a change
#   relay-payara7 (with --payara7) the same relay.war on Payara Micro 7.2026.11 (Tyrus 2.2.2), on the
#                 newest JDK in /usr/lib/jvm (it needs Java 21+); its container hooks stay off there
#                 (untested versions), so this is its public-API behaviour
#
# Each target: started, warmed up (--warmup s of the same load), measured (--seconds s) at each
# pair count, stopped; relay CPU is the target process' user+system time over the whole load run,
# per frame relayed (sent frames, warm-up included). Only loopback. Prints a Markdown table.
#
#   bench/ab-relay.sh [--pairs "10 100"] [--size 1024] [--window 32] [--warmup 15] [--seconds 10]
#                     [--targets "echo node relay relay-nohooks relay-plain"] [--old-war PATH]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
pairs="10 100" size=1024 window=32 warmup=15 seconds=10 old_war=""
targets="echo node relay relay-nohooks relay-plain"
while [[ $# -gt 0 ]]; do
  case $1 in
    --pairs) pairs=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --window) window=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --targets) targets=$2; shift 2 ;;
    --old-war) old_war=$2; targets="$targets relay-old"; shift 2 ;;
    --payara7) targets="$targets relay-payara7"; shift ;;
    *) echo "ab-relay: unknown option $1" >&2; exit 2 ;;
  esac
done
certs=$top/certs/generated
work=$(mktemp -d /tmp/ab-relay.XXXXXX)
pid=""
cleanup() { [[ -z $pid ]] || { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }; }
trap 'cleanup; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { # user+system clock ticks of a process and its children so far
  local p=$1 t=0 c
  for c in $p $(pgrep -P "$p" 2>/dev/null); do
    [[ -r /proc/$c/stat ]] && t=$((t + $(awk '{print $14 + $15}' "/proc/$c/stat")))
  done
  echo "$t"
}
wait_port() { for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done; return 1; }

(cd "$top/bench/node" && [[ -d node_modules ]] || npm install --silent --no-audit --no-fund >/dev/null)
bash "$top/certs/generate.sh" >/dev/null
(cd "$top" && mvn -q -B -DskipTests clean package -pl relay-war -am -P'!fuzz-short') >&2  # clean: no stale classes in the WAR

start() { # target port -> sets pid
  local t=$1 port=$2 props=$work/$t.properties
  case $t in
    echo) node "$top/bench/node/wss-echo.js" --port "$port" --pfx "$certs/relay.p12" --passfile "$certs/relay.pass" \
            > "$work/$t.log" 2>&1 & pid=$! ;;
    node) node "$top/bench/node/ws-relay.js" --port "$port" --pfx "$certs/relay.p12" --passfile "$certs/relay.pass" \
            > "$work/$t.log" 2>&1 & pid=$! ;;
    relay*)
      cp "$top/bench/relay-bench.properties" "$props"
      case $t in
        relay-nohooks) echo "relay.container-hooks=false" >> "$props" ;;
        relay-plain) printf '%s\n' "relay.container-hooks=false" "relay.batch-flushes=false" >> "$props" ;;
      esac
      local war_env=()
      [[ $t != relay-old ]] || war_env=(RELAY_WAR="$old_war")
      if [[ $t = relay-payara7 ]]; then
        local jdk
        jdk=$(ls -d /usr/lib/jvm/*2[1-9]* /usr/lib/jvm/*-2[1-9]-* 2>/dev/null | sort -V | tail -1)
        [[ -x $jdk/bin/java ]] || { echo "ab-relay: --payara7 needs a JDK 21+ in /usr/lib/jvm" >&2; exit 1; }
        mvn -q -B dependency:get -Dartifact=fish.payara.extras:payara-micro:7.2026.11 -Dtransitive=false >&2
        war_env=(RELAY_JAVA="$jdk/bin/java"
                 RELAY_MICRO="$HOME/.m2/repository/fish/payara/extras/payara-micro/7.2026.11/payara-micro-7.2026.11.jar")
      fi
      env ${war_env[@]+"${war_env[@]}"} RELAY_PORT="$port" RELAY_HTTP_PORT="$(free_port)" \
          RELAY_ROOTDIR="$work/payara-$t" RELAY_PROPERTIES="$props" \
          setsid bash "$top/secure-relay" relay > "$work/$t.log" 2>&1 & pid=$!
      for _ in $(seq 1 900); do grep -q "relay ready" "$work/$t.log" && break; sleep 0.2; done
      grep -q "relay ready" "$work/$t.log" || { echo "ab-relay: $t did not start:" >&2; tail -20 "$work/$t.log" >&2; exit 1; } ;;
  esac
  wait_port "$port"
}

printf '| target | pairs | frames/s | p99 ms | lost | relay CPU µs/frame | generator CPU µs/frame | load avg |\n'
printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n'
for t in $targets; do
  port=$(free_port)
  start "$t" "$port"
  java_pid=$pid
  [[ $t != relay* ]] || java_pid=$(pgrep -f -- "--sslport $port " | head -1)
  mode=relay; [[ $t != echo ]] || mode=echo
  for n in $pairs; do
    before=$(cpu_ticks "$java_pid")
    json=$(node "$top/bench/node/load.js" --url "wss://localhost:$port/relay" --ca "$certs/ca.pem" --mode "$mode" \
             --pairs "$n" --size "$size" --window "$window" --warmup "$warmup" --seconds "$seconds" 2> "$work/$t-$n.err" || true)
    after=$(cpu_ticks "$java_pid")
    python3 - "$t" "$n" "$json" "$before" "$after" "$(getconf CLK_TCK)" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import json, sys
t, n, raw, before, after, hz, load = sys.argv[1:8]
try:
    r = json.loads(raw.strip().splitlines()[-1])
except Exception:
    print(f"| {t} | {n} | failed | | | | | {load} |"); sys.exit(0)
sent = max(1, r.get("sent", 0))
relay_us = (int(after) - int(before)) / int(hz) * 1e6 / sent
gen_us = (r.get("cpuUserMs", 0) + r.get("cpuSystemMs", 0)) * 1000 / max(1, r.get("delivered", 1))
bad = r.get("lost", 0) + r.get("misrouted", 0) + r.get("outOfOrder", 0) + r.get("duplicates", 0)
print(f"| {t} | {n} | {r['framesPerSecond']:,.0f} | {r['p99us']/1000:.1f} | {bad} | {relay_us:.1f} | {gen_us:.1f} | {load} |")
PY
  done
  cleanup; pid=""
done
