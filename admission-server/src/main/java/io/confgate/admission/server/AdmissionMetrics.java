package io.confgate.admission.server;

import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.Decision;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.confgate.admission.Outcome;
import io.confgate.admission.Reason;
import io.confgate.admission.http.HttpObserver;
import io.confgate.admission.xmpp.XmppSignaling;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Prometheus metrics for admission: decisions by outcome and reason, per-node load and overflow, held
 * seats and redirects, and HTTP request latency. Node and room figures are read from the engine at
 * scrape time, so the hot path only increments one counter per decision.
 *
 * <p>Series are created on first use and their data points kept: a label look-up per request goes
 * through the client's map of series with a fresh key each time, which under load showed up as lock
 * contention on that map (BENCHMARKS.md).
 */
public final class AdmissionMetrics implements HttpObserver {
    private final PrometheusRegistry registry;
    private final AdmissionEngine engine;
    private final Counter decisions;
    private final Counter responses;
    private final CounterDataPoint ignoredTokens;
    private final CounterDataPoint stoppingAnswers;
    private final CounterDataPoint roomMismatches;
    private final Histogram latency;
    private final AtomicReferenceArray<CounterDataPoint> decisionPoints =
            new AtomicReferenceArray<>(Outcome.values().length * Reason.values().length);
    private final ConcurrentMap<String, EndpointPoints> endpointPoints = new ConcurrentHashMap<>();

    private AdmissionMetrics(PrometheusRegistry registry, AdmissionEngine engine) {
        // (the engine's figures: EngineCollector, one consistent reading per scrape)
        this.registry = registry;
        this.engine = engine;
        this.decisions = Counter.builder().name("admission_decisions_total")
                .help("Placement decisions by outcome and reason").labelNames("outcome", "reason").withoutExemplars()
                .register(registry);
        this.responses = Counter.builder().name("admission_http_responses_total")
                .help("HTTP responses by endpoint and status").labelNames("endpoint", "status").withoutExemplars()
                .register(registry);
        this.latency = Histogram.builder().name("admission_http_request_duration_seconds")
                .help("Time to answer an HTTP request").unit(Unit.SECONDS).labelNames("endpoint")
                .classicOnly().withoutExemplars()
                .classicUpperBounds(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
                .register(registry);
        this.ignoredTokens = Counter.builder().name("admission_http_ignored_tokens_total")
                .help("Conference requests whose token failed verification, placed as an anonymous client's")
                .withoutExemplars().register(registry);
        this.stoppingAnswers = Counter.builder().name("admission_http_stopping_answers_total")
                .help("Conference requests answered not ready because the server was stopping (the client asks"
                        + " again)").withoutExemplars().register(registry);
        this.roomMismatches = Counter.builder().name("admission_http_room_mismatches_total")
                .help("Requests refused because their ?room= named another room than their body, or was spelled"
                        + " otherwise than a sharding proxy can hash it").withoutExemplars().register(registry);
        registry.register(new EngineCollector(engine));
    }

    /** Metrics for this engine in a registry of their own. */
    public static AdmissionMetrics create(AdmissionEngine engine) {
        return new AdmissionMetrics(new PrometheusRegistry(), Objects.requireNonNull(engine, "engine"));
    }

    /** Metrics for this engine registered in {@code registry} (e.g. the focus's own). */
    public static AdmissionMetrics create(AdmissionEngine engine, PrometheusRegistry registry) {
        return new AdmissionMetrics(Objects.requireNonNull(registry, "registry"), Objects.requireNonNull(engine));
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /**
     * Adds the XMPP edge's figures, read at scrape time: node links (join the node room, then connect-vnode;
     * or disconnect-vnode, then leave) by result, conference IQs, malformed stanzas, refused tokens, failed
     * component discoveries, and whether each connection is up.
     */
    public void registerXmpp(XmppSignaling xmpp) {
        Objects.requireNonNull(xmpp, "xmpp");
        CounterWithCallback.builder().name("admission_xmpp_vnode_links_total")
                .help("Node links (connect-vnode / disconnect-vnode with the node room): acknowledged, failed attempts,"
                        + " dropped after the last attempt, reset (disconnect-vnode first: the first link after a start,"
                        + " or a node room that ended while needed)")
                .labelNames("result")
                .callback(cb -> {
                    XmppSignaling.Stats s = xmpp.stats();
                    cb.call(s.vnodeLinksAcknowledged(), "acknowledged");
                    cb.call(s.vnodeLinkFailures(), "failed");
                    cb.call(s.vnodeLinksDropped(), "dropped");
                    cb.call(s.vnodeLinkResets(), "reset");
                }).register(registry);
        GaugeWithCallback.builder().name("admission_xmpp_vnode_links_connected")
                .help("Conference-node links connected now (connect-vnode answered)")
                .callback(cb -> cb.call(xmpp.stats().vnodeLinksConnected())).register(registry);
        xmppCounter(xmpp, "admission_xmpp_conference_iqs_total", "conference IQs answered",
                XmppSignaling.Stats::conferenceIqs);
        xmppCounter(xmpp, "admission_xmpp_malformed_stanzas_total", "conference IQs refused as malformed",
                XmppSignaling.Stats::malformedStanzas);
        xmppCounter(xmpp, "admission_xmpp_refused_tokens_total", "conference IQs refused for their token",
                XmppSignaling.Stats::refusedTokens);
        xmppCounter(xmpp, "admission_xmpp_session_conflicts_total", "XMPP sessions replaced by another login with the"
                + " same account and resource (another process uses them)", XmppSignaling.Stats::sessionConflicts);
        xmppCounter(xmpp, "admission_xmpp_component_discovery_failures_total",
                "disco#info lookups that did not find the visitors component",
                XmppSignaling.Stats::componentDiscoveryFailures);
        GaugeWithCallback.builder().name("admission_xmpp_connected")
                .help("1 while the XMPP connection (main or a node id) is up and logged in").labelNames("connection")
                .callback(cb -> xmpp.connectionNames()
                        .forEach(name -> cb.call(xmpp.isConnected(name) ? 1 : 0, name)))
                .register(registry);
        GaugeWithCallback.builder().name("admission_visitors_available")
                .help("1 while visitors can be redirected (the visitors component is known and the main connection up)")
                .callback(cb -> cb.call(engine.visitorsAvailable() ? 1 : 0))
                .register(registry);
    }

    private void xmppCounter(XmppSignaling xmpp, String name, String help,
                             java.util.function.ToLongFunction<XmppSignaling.Stats> value) {
        CounterWithCallback.builder().name(name).help(help)
                .callback(cb -> cb.call(value.applyAsLong(xmpp.stats()))).register(registry);
    }

    @Override
    public void decided(Decision decision) {
        int index = decision.outcome().ordinal() * Reason.values().length + decision.reason().ordinal();
        CounterDataPoint point = decisionPoints.get(index);
        if (point == null) {
            // Racing threads get the same series from the client; the array only saves the look-up.
            point = decisions.labelValues(decision.outcome().name(), decision.reason().name());
            decisionPoints.set(index, point);
        }
        point.inc();
    }

    @Override
    public void tokenIgnored() {
        ignoredTokens.inc();
    }

    @Override
    public void roomMismatch() {
        roomMismatches.inc();
    }

    @Override
    public void stopping() {
        stoppingAnswers.inc();
    }

    @Override
    public void responded(String endpoint, int status, long nanos) {
        EndpointPoints points = endpointPoints.get(endpoint);
        if (points == null) {
            points = endpointPoints.computeIfAbsent(endpoint, EndpointPoints::new);
        }
        points.status(status).inc();
        points.latency.observe(nanos / 1e9);
    }

    /** The data points of one endpoint: its latency and its response count per status code. */
    private final class EndpointPoints {
        private static final int STATUS_CODES = 600;
        private final String endpoint;
        private final DistributionDataPoint latency;
        private final AtomicReferenceArray<CounterDataPoint> byStatus = new AtomicReferenceArray<>(STATUS_CODES);

        EndpointPoints(String endpoint) {
            this.endpoint = endpoint;
            this.latency = AdmissionMetrics.this.latency.labelValues(endpoint);
        }

        CounterDataPoint status(int status) {
            if (status < 0 || status >= STATUS_CODES) {
                return responses.labelValues(endpoint, Integer.toString(status));
            }
            CounterDataPoint point = byStatus.get(status);
            if (point == null) {
                point = responses.labelValues(endpoint, Integer.toString(status));
                byStatus.set(status, point);
            }
            return point;
        }
    }
}
