#!/usr/bin/env bash
# ./trellis bench service-scale [--services N] [--endpoints E] [--changes C] [--writers W] [--burst]
#                               [--backend ovs|iptables|both]
# For each backend (default both, one after the other) starts a sandboxed node with the API stand-in and
# the real agent: ovs = own netns, ovsdb-server, ovs-vswitchd with the userspace datapath, serviceProxy: ovs;
# iptables = a netns without OVS, podInterface: linux-bridge, serviceProxy: iptables. E endpoint pods with
# a TCP server and a client pod; writes N Services with an E-endpoint EndpointSlice each (agent stopped;
# --burst: agent running), starts the agent on an emptied data plane (OVS restarted; the Service chains
# removed) and times until the last Service answers a connection from the client pod; then C
# single-endpoint removals, each timed until the data plane reflects it; the agent's heap after GC and RSS.
# Defaults: 10000 x 10, 100 changes, 4 writers, both backends.
# Writes docs/benchmarks.md (one section, a column per backend); the last lines printed read
#   service-scale backend=B services=N endpoints=E last_answer_s=.. writes_s=.. change_p50_ms=.. ...
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
mvn -B -q -ntp -DskipTests install -pl bench -am >&2
# The API stand-in holds 20,000 objects: more heap and the full JIT than its default (128 MiB, C1 only).
# The agents run with the launcher's default heap (512 MiB); TRELLIS_BENCH_AGENT_JAVA_OPTS adds options.
exec java -Xmx1g "-Dtrellis.e2e.apiStandInJvmOptions=-Xmx1g -XX:+UseSerialGC" \
  "-Dtrellis.bench.agentJavaOptions=${TRELLIS_BENCH_AGENT_JAVA_OPTS:-}" -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  io.trellis.bench.ServiceScaleBench --report docs/benchmarks.md "$@"
