#!/usr/bin/env bash
# ./trellis bench policy-label-latency [--pods N] [--changes C] [--writers W] [--lab-dir DIR]
# Brings up a one-node `./trellis lab` (own lab dir, default /tmp/trellis-bench-policy-lab; --network-policy
# ovs) with a few real pods on node-1 and N pods in all (default 10,000; the others "phantom" pods of nodes
# that are no lab nodes, written straight to the API stand-in by W threads, default 4), policies whose
# address group on node-1 holds every phantom address; then C label changes of each kind (default 100):
# a pod entering / leaving a policy's targets, a pod entering / leaving a policy's peers, each timed from
# the API write until node-1's bridge shows the flow update. The lab is taken down afterwards, also on failure.
# Writes docs/benchmarks.md; the last line printed reads
#   policy-label-latency pods=N ... applied_to_p50_ms=.. applied_to_p99_ms=.. peer_p50_ms=.. peer_p99_ms=.. ...
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
mvn -B -q -ntp -DskipTests install -pl bench,lab -am >&2
exec java -Xmx512m -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  io.trellis.bench.PolicyLabelLatencyBench --report docs/benchmarks.md "$@"
