package io.confgate.admission.bench;

import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.BalancingPolicy;
import io.confgate.admission.Decision;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.Ticker;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.core.AdmissionEngines;
import io.confgate.admission.event.OccupancyEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jxmpp.jid.EntityBareJid;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of one placement decision in a conference that already holds {@code joins} members (30 in the
 * main room, the rest visitors spread over 8 nodes), for each balancing policy. Every measured decision
 * is a new member, so it takes the full path: limit check, node choice, pending redirect. Time advances
 * 0.6 ms per decision, so with the 60 s join latency about 100,000 redirects are pending in steady state,
 * as in a room receiving a thousand or so joins a second.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DecisionBenchmark {

    @Param({"10000", "100000", "1000000"})
    public int joins;

    @Param({"PACK", "SPREAD"})
    public BalancingPolicy policy;

    private AdmissionEngine engine;
    private EntityBareJid room;
    private final AtomicLong nextMember = new AtomicLong();
    private final AtomicLong nanos = new AtomicLong();
    private static final long STEP_NANOS = 600_000;

    @Setup(Level.Trial)
    public void setUp() {
        List<VisitorNode> nodes = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            // Room for the largest audience without overflow, so the measured path is the normal one.
            nodes.add(VisitorNode.conventional("v" + i, "meet.jitsi", 1_000_000));
        }
        AdmissionConfig config = AdmissionConfig.builder().enabled(true)
                .maxParticipants(30)
                .maxVisitorsPerNode(250)
                .vnodeJoinLatency(Duration.ofSeconds(60))
                .balancing(policy)
                .nodes(nodes)
                .build();
        Ticker ticker = nanos::get;
        engine = AdmissionEngines.builder(config).ticker(ticker).build();
        room = JoinRequest.parseRoom("townhall@conference.meet.jitsi");
        for (int i = 0; i < joins; i++) {
            Decision d = engine.decide(JoinRequest.builder(room).sessionId("pre" + i).build());
            if (d instanceof Decision.Visitor v) {
                engine.report(new OccupancyEvent.VisitorJoined(room, v.node().id(), d.memberKey()));
            } else {
                engine.report(OccupancyEvent.MainJoined.of(room, d.memberKey()));
            }
        }
    }

    @Benchmark
    public Decision decide() {
        nanos.addAndGet(STEP_NANOS);
        return engine.decide(JoinRequest.builder(room).sessionId("m" + nextMember.incrementAndGet()).build());
    }
}
