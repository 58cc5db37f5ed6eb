#!/usr/bin/env bash
# Decision-engine microbenchmarks (JMH). Never part of the test suite.
#   benchmarks/run-jmh.sh            full run: 1 and 2 threads, throughput and sampled latency, -prof gc
#   benchmarks/run-jmh.sh -p joins=10000   extra JMH options are passed through
# Results: benchmarks/results/jmh-<threads>t.json and the console output.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl benchmarks -am package -DskipTests
mkdir -p benchmarks/results
for threads in 1 2; do
  java -Xms4g -Xmx4g -jar benchmarks/target/benchmarks.jar DecisionBenchmark \
    -f 1 -wi 2 -w 2s -i 3 -r 3s -t "$threads" -prof gc \
    -rf json -rff "benchmarks/results/jmh-${threads}t.json" "$@"
done
