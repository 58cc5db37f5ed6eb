package io.confgate.admission.server;

import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.EngineTotals;
import io.confgate.admission.NodeLoad;
import io.confgate.admission.NodeState;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The engine's figures for {@code /metrics}, all from one reading per scrape ({@link AdmissionEngine#totals()}
 * and {@link AdmissionEngine#nodeLoads()} once each), so the gauges of one scrape agree with each other:
 * rooms, members, held seats and redirects, visitors, hands, tickets, each bound, and every node's load.
 */
final class EngineCollector implements MultiCollector {
    private static final List<String> NAMES = List.of("admission_rooms", "admission_main_members",
            "admission_reserved_seats", "admission_pending_redirects", "admission_visitors", "admission_hands",
            "admission_tickets", "admission_promotion_tracked_visitors", "admission_limit", "admission_node_load",
            "admission_node_state", "admission_node_visitors",
            "admission_node_capacity", "admission_node_overflow", "admission_links_waiting", "admission_seats_given_up",
            "admission_store_writes", "admission_store_write_failures", "admission_store_dropped",
            "admission_store_recoveries");

    private final AdmissionEngine engine;

    EngineCollector(AdmissionEngine engine) {
        this.engine = engine;
    }

    @Override
    public MetricSnapshots collect() {
        EngineTotals t = engine.totals();
        List<NodeLoad> loads = engine.nodeLoads();
        AdmissionConfig c = engine.config();
        List<io.prometheus.metrics.model.snapshots.MetricSnapshot> all = new java.util.ArrayList<>(List.of(
                gauge("admission_rooms", "Conferences tracked", t.rooms()),
                gauge("admission_main_members", "Counted members in main rooms", t.mainMembers()),
                gauge("admission_reserved_seats", "Main seats held for members not joined yet", t.reservedSeats()),
                gauge("admission_pending_redirects", "Redirects to visitor nodes not yet confirmed by a join",
                        t.pendingRedirects()),
                gauge("admission_visitors", "Visitors joined on nodes", t.visitors()),
                gauge("admission_hands", "Hands kept: pending, or decided and remembered for status polls", t.hands()),
                gauge("admission_tickets", "Promotion tickets known", t.tickets()),
                gauge("admission_promotion_tracked_visitors", "Visitors whose raise-hand count of the last minute"
                        + " is kept", t.trackedVisitors()),
                gauge("admission_links_waiting", "Conferences whose node link waits for members answered main"
                        + " (admission.link.seat-grace)", t.waitingLinks()),
                CounterSnapshot.builder().name("admission_seats_given_up").help("Main seats given up because a node"
                        + " link was made before their holders joined (the grace ran out)")
                        .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(t.seatsGivenUp()).build())
                        .build(),
                GaugeSnapshot.builder().name("admission_limit").help("Server-wide bounds (past one: 503/429)")
                        .dataPoint(limit("max-rooms", c.maxRooms()))
                        .dataPoint(limit("max-held-places", c.maxHeldPlaces()))
                        .dataPoint(limit("max-hands", c.promotion().maxHands()))
                        .dataPoint(limit("max-tickets", c.promotion().maxTickets()))
                        .dataPoint(limit("max-tracked-visitors", c.promotion().maxTrackedVisitors())).build(),
                perNode("admission_node_load", "Visitors on a node plus redirects to it not yet confirmed", loads,
                        NodeLoad::load),
                nodeStates(loads),
                perNode("admission_node_visitors", "Visitors joined on a node", loads, NodeLoad::joined),
                perNode("admission_node_capacity", "Configured capacity of a node", loads, NodeLoad::capacity),
                overflow(loads)));
        engine.storeStats().ifPresent(store -> {
            all.add(counter("admission_store_writes", "Store commits written", store.writes()));
            all.add(counter("admission_store_write_failures", "Store writes that failed (retried at the next"
                    + " interval)", store.writeFailures()));
            all.add(CounterSnapshot.builder().name("admission_store_dropped").help("Stored rooms, or parts of rooms,"
                            + " that could not be read at start and were left out (each named in a WARN)")
                    .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(Labels.of("what", "room"))
                            .value(store.roomsDropped()).build())
                    .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(Labels.of("what", "part"))
                            .value(store.itemsDropped()).build()).build());
            all.add(counter("admission_store_recoveries", "Starts that went on with less than was last written (a"
                    + " damaged or missing store file, kept aside and named in an ERROR)", store.recoveries()));
        });
        return new MetricSnapshots(all);
    }

    private static CounterSnapshot counter(String name, String help, double value) {
        return CounterSnapshot.builder().name(name).help(help)
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(value).build()).build();
    }

    @Override
    public List<String> getPrometheusNames() {
        return NAMES;
    }

    private static GaugeSnapshot gauge(String name, String help, double value) {
        return GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).build()).build();
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot limit(String name, double value) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("limit", name)).value(value).build();
    }

    private static GaugeSnapshot perNode(String name, String help, List<NodeLoad> loads, ToDoubleFunction<NodeLoad> value) {
        GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(name).help(help);
        for (NodeLoad l : loads) {
            gauge.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("node", l.nodeId()))
                    .value(value.applyAsDouble(l)).build());
        }
        return gauge.build();
    }

    /** 1 for each node's state, 0 for the others: a fixed set of series, none created when a state changes. */
    private static GaugeSnapshot nodeStates(List<NodeLoad> loads) {
        GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name("admission_node_state")
                .help("A node's state (up, draining, down): 1 for the current one");
        for (NodeLoad l : loads) {
            for (NodeState state : NodeState.values()) {
                gauge.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .labels(Labels.of("node", l.nodeId(), "state", state.name().toLowerCase(Locale.ROOT)))
                        .value(l.state() == state ? 1 : 0).build());
            }
        }
        return gauge.build();
    }

    private static CounterSnapshot overflow(List<NodeLoad> loads) {
        CounterSnapshot.Builder counter = CounterSnapshot.builder().name("admission_node_overflow")
                .help("Placements onto a node while every healthy node was at capacity");
        for (NodeLoad l : loads) {
            counter.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(Labels.of("node", l.nodeId()))
                    .value(l.overflowed()).build());
        }
        return counter.build();
    }
}
