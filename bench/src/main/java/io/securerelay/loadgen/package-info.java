/**
 * The load generator and benchmark suite: {@link io.securerelay.loadgen.Main} runs scenarios
 * (throughput, latency, idle connections, churn, end-to-end encrypted sessions) against the relay
 * on Payara Micro and, in the same run, against a minimal Node {@code ws} relay and a direct TLS
 * echo. Clients are {@code java.net.http.WebSocket}; latency goes into HdrHistogram; only
 * loopback addresses are ever targets.
 */
package io.securerelay.loadgen;
