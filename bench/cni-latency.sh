#!/usr/bin/env bash
# ./trellis bench cni-latency [--pods N] [--version-runs N]
# Starts a sandboxed node (own netns, ovsdb-server, ovs-vswitchd with the userspace datapath) with
# the API stand-in and the real agent (core-agent/bin/trellis-agent: host-local + ovs) inside it,
# then times CNI ADD of N pods and their DEL, each one spawn of the packaged cni/bin/trellis-cni
# with the CNI variables and the config on stdin, as a runtime calls it; and VERSION (the
# executable's own start-up). Writes docs/benchmarks.md; the last line printed reads
#   cni-latency pods=N add_p50_ms=.. add_p99_ms=.. del_p50_ms=.. del_p99_ms=.. version_p50_ms=..
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
mvn -B -q -ntp -DskipTests install -pl bench -am >&2
exec java -Xmx512m -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  io.trellis.bench.CniLatencyBench --report docs/benchmarks.md "$@"
