package io.confgate.admission.core;

import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.Decision;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.event.NodeLinkEvent;
import io.confgate.admission.event.NodeLinkListener;
import io.confgate.admission.testing.Concurrently;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jxmpp.jid.EntityBareJid;

/** Shared test material in the reference deployment's shape. */
final class Fixtures {
    static final EntityBareJid ROOM = JoinRequest.parseRoom("townhall@conference.meet.jitsi");

    private Fixtures() {
    }

    static List<VisitorNode> nodes(int count, int capacity) {
        List<VisitorNode> nodes = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            nodes.add(VisitorNode.conventional("v" + i, "meet.jitsi", capacity));
        }
        return nodes;
    }

    /** Reference deployment: visitors on, 8 nodes of 2000, max-participants 30. */
    static AdmissionConfig.Builder deployment() {
        return AdmissionConfig.builder().enabled(true).maxParticipants(30).nodes(nodes(8, 2000));
    }

    static JoinRequest join(EntityBareJid room, String session) {
        return JoinRequest.builder(room).sessionId(session).build();
    }

    static JoinRequest join(String session) {
        return join(ROOM, session);
    }

    /** Runs {@code task(i)} for i in [0, count) on {@code threads} threads released together. */
    static void concurrently(int threads, int count, Concurrently.IntTask task) throws Exception {
        Concurrently.run(threads, count, 2, task);
    }

    static String nodeOf(Decision d) {
        return ((Decision.Visitor) d).node().id();
    }

    /** Records node link events in order. */
    static final class LinkRecorder implements NodeLinkListener {
        final List<NodeLinkEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onNodeLink(NodeLinkEvent event) {
            events.add(event);
        }

        List<String> describe() {
            return events.stream().map(e -> (e instanceof NodeLinkEvent.Prepare ? "prepare "
                    : e instanceof NodeLinkEvent.Connect ? "connect " : "disconnect ")
                    + e.room().getLocalpart() + " " + e.node().id()).toList();
        }
    }
}
