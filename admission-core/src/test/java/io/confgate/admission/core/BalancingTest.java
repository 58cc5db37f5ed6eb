package io.confgate.admission.core;

import static io.confgate.admission.core.Fixtures.ROOM;
import static io.confgate.admission.core.Fixtures.join;
import static io.confgate.admission.core.Fixtures.nodeOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.BalancingPolicy;
import io.confgate.admission.Decision;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.NoNodeFallback;
import io.confgate.admission.NodeLoad;
import io.confgate.admission.NodeState;
import io.confgate.admission.Reason;
import io.confgate.admission.VisitorNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.EntityBareJid;

class BalancingTest {
    private final FakeTicker ticker = new FakeTicker();

    private AdmissionEngine engine(AdmissionConfig config) {
        return AdmissionEngines.builder(config).ticker(ticker).build();
    }

    private static List<String> place(AdmissionEngine engine, EntityBareJid room, String prefix, int count) {
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            nodes.add(nodeOf(engine.decide(join(room, prefix + i))));
        }
        return nodes;
    }

    private static EntityBareJid room(String name) {
        return JoinRequest.parseRoom(name + "@conference.meet.jitsi");
    }

    private static int[] loads(AdmissionEngine engine) {
        return engine.nodeLoads().stream().mapToInt(NodeLoad::load).toArray();
    }

    @Test
    void packKeepsAConferenceOnItsNodeUntilMaxVisitorsPerNode() {
        AdmissionEngine engine = engine(Fixtures.deployment().maxParticipants(0).maxVisitorsPerNode(3)
                .nodes(Fixtures.nodes(3, 100)).build());
        assertEquals(List.of("v1", "v1", "v1", "v2", "v2", "v2", "v3"), place(engine, ROOM, "a", 7));
    }

    @Test
    void packOpensTheLeastLoadedUnusedNode() {
        AdmissionEngine engine = engine(Fixtures.deployment().maxParticipants(0).maxVisitorsPerNode(2)
                .nodes(Fixtures.nodes(3, 100)).build());
        place(engine, room("other"), "o", 2); // v1 carries 2 of another conference
        // This conference starts on the least-loaded node: v2 (tie with v3 goes to v2).
        assertEquals(List.of("v2", "v2", "v3", "v3", "v1"), place(engine, ROOM, "a", 5));
    }

    @Test
    void packSpreadsByLoadOnceEveryNodeHoldsMaxVisitorsOfTheConference() {
        AdmissionEngine engine = engine(Fixtures.deployment().maxParticipants(0).maxVisitorsPerNode(1)
                .nodes(Fixtures.nodes(2, 100)).build());
        assertEquals(List.of("v1", "v2", "v1", "v2", "v1"), place(engine, ROOM, "a", 5));
    }

    @Test
    void spreadPicksTheLeastLoadedRelativeToCapacityAndWeight() {
        List<VisitorNode> nodes = List.of(
                VisitorNode.conventional("v1", "meet.jitsi", 100),
                VisitorNode.conventional("v2", "meet.jitsi", 300),
                VisitorNode.conventional("v3", "meet.jitsi", 100).withWeight(2.0));
        AdmissionEngine engine = engine(Fixtures.deployment().maxParticipants(0)
                .balancing(BalancingPolicy.SPREAD).nodes(nodes).build());
        place(engine, ROOM, "a", 500);
        int[] l = loads(engine);
        assertEquals(100, l[0]);
        assertEquals(300, l[1]);
        assertEquals(100, l[2], "weight 2 gives v3 a bigger share, but never past its capacity");
        engine.nodeLoads().forEach(load -> assertEquals(0, load.overflowed()));
        // Every node full: overflow goes to the lowest relative load, v3 (100 of 200 effective).
        place(engine, ROOM, "b", 100);
        assertEquals(200, loads(engine)[2]);
        assertEquals(100, engine.nodeLoads().get(2).overflowed());
    }

    @Test
    void spreadBalancesEvenlyAcrossEqualNodes() {
        AdmissionEngine engine = engine(Fixtures.deployment().maxParticipants(0)
                .balancing(BalancingPolicy.SPREAD).build());
        place(engine, ROOM, "a", 801);
        int[] l = loads(engine);
        assertEquals(101, l[0]);
        for (int i = 1; i < 8; i++) {
            assertEquals(100, l[i]);
        }
    }

    @Test
    void capacityIsNeverExceededWhileAnotherNodeHasRoom() {
        AdmissionEngine engine = engine(Fixtures.deployment().maxParticipants(0).maxVisitorsPerNode(1000)
                .nodes(Fixtures.nodes(2, 5)).build());
        assertEquals(List.of("v1", "v1", "v1", "v1", "v1", "v2", "v2", "v2", "v2", "v2"), place(engine, ROOM, "a", 10));
        // All full: overflow goes to the least loaded and is counted.
        assertEquals(List.of("v1", "v2", "v1"), place(engine, ROOM, "b", 3));
        assertEquals(2, engine.nodeLoads().get(0).overflowed());
        assertEquals(1, engine.nodeLoads().get(1).overflowed());
    }

    @Test
    void drainingAndDownNodesGetNoNewVisitors() {
        AdmissionEngine engine = engine(Fixtures.deployment().maxParticipants(0).balancing(BalancingPolicy.SPREAD)
                .nodes(Fixtures.nodes(3, 100)).build());
        engine.setNodeState("v1", NodeState.DRAINING);
        engine.setNodeState("v2", NodeState.DOWN);
        assertEquals(List.of("v3", "v3"), place(engine, ROOM, "a", 2));
        engine.setNodeState("v2", NodeState.UP);
        assertEquals(List.of("v2"), place(engine, ROOM, "b", 1));
        assertEquals(NodeState.DRAINING, engine.nodeLoads().get(0).state());
    }

    @Test
    void aNodeStartingDrainingIsNotUsed() {
        List<VisitorNode> nodes = List.of(
                new VisitorNode("v1", VisitorNode.conventional("v1", "meet.jitsi", 1).focusJid(), 10, 1.0,
                        NodeState.DRAINING),
                VisitorNode.conventional("v2", "meet.jitsi", 10));
        AdmissionEngine engine = engine(Fixtures.deployment().maxParticipants(0).nodes(nodes).build());
        assertEquals(List.of("v2"), place(engine, ROOM, "a", 1));
    }

    @Test
    void aPendingRedirectToANodeThatWentDownIsMovedOnRepeat() {
        AdmissionEngine engine = engine(Fixtures.deployment().maxParticipants(0).nodes(Fixtures.nodes(2, 10)).build());
        assertEquals("v1", nodeOf(engine.decide(join("a"))));
        engine.setNodeState("v1", NodeState.DOWN);
        assertEquals("v2", nodeOf(engine.decide(join("a"))));
        assertEquals(0, engine.nodeLoads().get(0).load());
        assertEquals(1, engine.nodeLoads().get(1).load());
    }

    @Test
    void noHealthyNodeFallsBackToMainByDefault() {
        AdmissionEngine engine = engine(Fixtures.deployment().maxParticipants(0).nodes(Fixtures.nodes(1, 10)).build());
        engine.setNodeState("v1", NodeState.DOWN);
        assertEquals(new Decision.Main(ROOM, "a", Reason.NO_NODE, true), engine.decide(join("a")));
    }

    @Test
    void noHealthyNodeCanRefuse() {
        AdmissionEngine engine = engine(Fixtures.deployment().maxParticipants(0).nodes(List.of())
                .noNodeFallback(NoNodeFallback.REFUSE).build());
        assertEquals(new Decision.Refused(ROOM, "a", Reason.NO_NODE), engine.decide(join("a")));
        assertEquals(0, engine.occupancy(ROOM).orElseThrow().mainOccupancy());
    }

    @Test
    void unknownNodeIdsAreRejected() {
        AdmissionEngine engine = engine(Fixtures.deployment().build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> engine.setNodeState("v99", NodeState.DOWN));
        assertEquals(true, e.getMessage().contains("v99"));
    }

    @Test
    void theSameSequenceGivesTheSamePlacements() {
        for (BalancingPolicy policy : BalancingPolicy.values()) {
            AdmissionConfig config = Fixtures.deployment().maxParticipants(3).maxVisitorsPerNode(7)
                    .balancing(policy).nodes(Fixtures.nodes(4, 20)).build();
            List<String> first = new ArrayList<>();
            List<String> second = new ArrayList<>();
            for (List<String> out : List.of(first, second)) {
                AdmissionEngine engine = engine(config);
                for (int i = 0; i < 120; i++) {
                    out.add(engine.decide(join(room("r" + (i % 5)), "s" + i)).toString());
                }
            }
            assertEquals(first, second, policy.name());
        }
    }
}
