package io.confgate.admission.core.internal;

import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.Decision;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.MemberKind;
import io.confgate.admission.NodeState;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.event.OccupancyEvent;
import io.confgate.admission.focus.FocusAdmission;
import io.confgate.admission.link.LinkStats;
import io.confgate.admission.link.NodeLinker;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link FocusAdmission}: each call site is one engine call, and node events go to the linker too. */
public final class DefaultFocusAdmission implements FocusAdmission {
    private static final Logger log = LoggerFactory.getLogger(DefaultFocusAdmission.class);

    private final AdmissionEngine engine;
    private final NodeLinker linker;
    private final ScheduledExecutorService maintenance;

    public DefaultFocusAdmission(AdmissionEngine engine, NodeLinker linker, Duration maintenanceInterval) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.linker = Objects.requireNonNull(linker, "linker");
        if (maintenanceInterval.isZero()) {
            this.maintenance = null;
        } else {
            this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "admission-maintenance");
                t.setDaemon(true);
                return t;
            });
            long millis = maintenanceInterval.toMillis();
            maintenance.scheduleWithFixedDelay(() -> {
                try {
                    engine.cleanUp();
                } catch (Throwable e) { // any Throwable would end the schedule for good
                    log.error("Admission maintenance failed; trying again: {}", e.toString());
                }
            }, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public Decision conferenceRequest(JoinRequest request) {
        return engine.decide(request);
    }

    @Override
    public void mainMemberJoined(EntityBareJid room, Jid member, MemberKind kind) {
        engine.report(new OccupancyEvent.OccupantJoinedMain(room, member, kind, OptionalInt.empty()));
    }

    @Override
    public void mainMemberLeft(EntityBareJid room, Jid member) {
        engine.report(new OccupancyEvent.OccupantLeftMain(room, member, OptionalInt.empty()));
    }

    @Override
    public void visitorJoined(EntityBareJid room, String nodeId, Jid visitor) {
        engine.report(new OccupancyEvent.OccupantJoinedNode(room, nodeId, visitor));
    }

    @Override
    public void visitorLeft(EntityBareJid room, String nodeId, Jid visitor) {
        engine.report(new OccupancyEvent.VisitorLeft(room, nodeId, visitor.toString()));
    }

    @Override
    public void nodeRoomDestroyed(EntityBareJid room, String nodeId) {
        engine.report(new OccupancyEvent.NodeRoomDestroyed(room, nodeId));
        linker.nodeRoomEnded(room, nodeId);
    }

    @Override
    public void nodeConnection(String nodeId, boolean up) {
        VisitorNode node = engine.config().nodes().stream().filter(n -> n.id().equals(nodeId)).findFirst()
                .orElse(null);
        if (node == null) {
            log.warn("Connection {} for visitor node {}, which is not configured; ignored", up ? "up" : "down",
                    nodeId);
            return;
        }
        engine.setNodeState(nodeId, up ? node.initialState() : NodeState.DOWN);
        if (up) {
            linker.nodeUp(nodeId);
        }
    }

    @Override
    public void visitorsComponent(boolean available) {
        engine.setVisitorsAvailable(available);
    }

    @Override
    public void conferenceEnded(EntityBareJid room) {
        engine.report(new OccupancyEvent.RoomDestroyed(room));
    }

    @Override
    public AdmissionEngine engine() {
        return engine;
    }

    @Override
    public LinkStats links() {
        return linker.stats();
    }

    @Override
    public void close() {
        if (maintenance != null) {
            maintenance.shutdownNow();
        }
        linker.close();
        engine.close();
    }
}
