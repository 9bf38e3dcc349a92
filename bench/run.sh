#!/usr/bin/env bash
# Builds the webhook and the benchmarks, then runs one of them:
#
#   bench/run.sh [-Dbench.x=y ...] all                  # start + load: everything issue #12 measures
#   bench/run.sh [-Dbench.x=y ...] start                # fresh starts: ready, first admission after ready
#   bench/run.sh [-Dbench.x=y ...] load                 # load over TLS: bare floor vs webhook (default)
#   bench/run.sh [-Dbench.x=y ...] jvm                  # JVM flags compared: start time, throughput, RSS
#   bench/run.sh [-Dbench.x=y ...] profile              # JFR of the webhook under load, summarized
#   bench/run.sh jmh [JMH options, e.g. -prof gc]       # JMH of the pure admission path
#
# BENCH_SKIP_BUILD=1 reuses the jars of a previous build. See docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${BENCH_SKIP_BUILD:-}" != "1" ]]; then
  mvn -B -ntp -q install -DskipTests
  mvn -B -ntp -q -f bench/pom.xml package
fi

jvm_args=()
while [[ $# -gt 0 && "$1" == -D* ]]; do
  jvm_args+=("$1")
  shift
done

exec java ${jvm_args[@]+"${jvm_args[@]}"} -Dbench.webhookJar="$PWD/target/acr-cache-webhook.jar" \
  -jar bench/target/acr-cache-webhook-bench.jar "$@"
