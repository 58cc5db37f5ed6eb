package io.confgate.admission.bench;

import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.Decision;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.Ticker;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.core.AdmissionEngines;
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
 * The decision as the HTTP benchmark ({@code run-wrk.sh}) drives it: new members spread round-robin over
 * {@code rooms} rooms, 30 main seats each and then visitors, at {@code rate} requests a second on the
 * injected clock. No member ever joins, so every place is held for the full 60 s join latency: the
 * engine starts out holding a minute's worth (1.5 million places at 25,000 a second), the steady state
 * of a long run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ManyRoomsBenchmark {

    @Param({"1000"})
    public int rooms;

    @Param({"25000"})
    public int rate;

    private AdmissionEngine engine;
    private EntityBareJid[] roomJids;
    private final AtomicLong nextMember = new AtomicLong();
    private final AtomicLong nanos = new AtomicLong();
    private long stepNanos;

    @Setup(Level.Trial)
    public void setUp() {
        List<VisitorNode> nodes = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            nodes.add(VisitorNode.conventional("v" + i, "meet.jitsi", 10_000_000));
        }
        AdmissionConfig config = AdmissionConfig.builder().enabled(true).maxParticipants(30)
                .vnodeJoinLatency(Duration.ofSeconds(60)).nodes(nodes).build();
        Ticker ticker = nanos::get;
        engine = AdmissionEngines.builder(config).ticker(ticker).build();
        roomJids = new EntityBareJid[rooms];
        for (int r = 0; r < rooms; r++) {
            roomJids[r] = JoinRequest.parseRoom("room" + r + "@conference.meet.jitsi");
        }
        stepNanos = 1_000_000_000L / rate;
        for (int i = 0; i < rate * 60; i++) {
            decide();
        }
    }

    @Benchmark
    public Decision decide() {
        long member = nextMember.incrementAndGet();
        nanos.addAndGet(stepNanos);
        return engine.decide(JoinRequest.builder(roomJids[(int) (member % rooms)]).sessionId("s" + member).build());
    }
}
