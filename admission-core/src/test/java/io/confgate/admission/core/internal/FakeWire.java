package io.confgate.admission.core.internal;

import io.confgate.admission.VisitorNode;
import io.confgate.admission.link.NodeRoom;
import io.confgate.admission.link.VisitorsComponent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import org.jxmpp.jid.EntityBareJid;

/**
 * The wire as Jitsi's modules keep it, for link tests without Prosody: node rooms (which exist, who is in them),
 * the main Prosody's connected nodes per conference ({@code mod_visitors.lua} {@code visitors_nodes}: a connect of
 * a node it has does nothing, only a disconnect forgets it), and which node rooms are unlocked ({@code mod_fmuc}
 * unlocks a room only on a {@code connect} for a room that exists). Steps run when the test says: the executor
 * and the delays queue their work.
 */
final class FakeWire implements NodeRoom, VisitorsComponent {
    /** Calls in order, e.g. "open room v1", "connect room v1". */
    final List<String> calls = new CopyOnWriteArrayList<>();
    final Set<String> nodeRooms = new HashSet<>();
    final Set<String> focusIn = new HashSet<>();
    final Set<String> unlocked = new HashSet<>();
    final Map<String, Integer> occupants = new HashMap<>();
    /** mod_visitors: nodes connected per conference. */
    final Set<String> mainConnected = new HashSet<>();
    /** Rooms the component knows (the main MUC room exists). */
    boolean componentKnowsRooms = true;
    /** An older mod_visitors_component: a disconnect-vnode for a node it never connected is answered with an error. */
    boolean errorOnUnknownDisconnect;
    /** Runs inside the next connect, before it fails or succeeds (a change arriving while the step is on the wire). */
    Runnable duringConnect;
    /** Failures to throw, per call name ("open", "connect", ...), one per call. */
    final Map<String, Integer> failNext = new HashMap<>();
    final Queue<Runnable> tasks = new ArrayDeque<>();
    final List<Duration> delays = new ArrayList<>();
    final Queue<Runnable> delayed = new ArrayDeque<>();

    final Executor executor = tasks::add;
    final NodeLinkRunner.Delays delayer = (delay, task) -> {
        delays.add(delay);
        delayed.add(task);
    };

    private static String key(EntityBareJid room, VisitorNode node) {
        return room.getLocalpart() + " " + node.id();
    }

    private synchronized void maybeFail(String call) throws Exception {
        Integer n = failNext.get(call);
        if (n != null && n > 0) {
            failNext.put(call, n - 1);
            throw new IllegalStateException(call + " failed (test)");
        }
    }

    @Override
    public synchronized Opened open(EntityBareJid room, VisitorNode node) throws Exception {
        calls.add("open " + key(room, node));
        maybeFail("open");
        String k = key(room, node);
        if (focusIn.contains(k)) {
            return occupants.getOrDefault(k, 0) > 0 ? Opened.OCCUPIED : Opened.EMPTY;
        }
        focusIn.add(k);
        if (nodeRooms.add(k)) {
            return Opened.CREATED;
        }
        return occupants.getOrDefault(k, 0) > 0 ? Opened.OCCUPIED : Opened.EMPTY;
    }

    @Override
    public synchronized void leave(EntityBareJid room, VisitorNode node) throws Exception {
        calls.add("leave " + key(room, node));
        maybeFail("leave");
        String k = key(room, node);
        if (focusIn.remove(k) && occupants.getOrDefault(k, 0) == 0) {
            nodeRooms.remove(k); // mod_fmuc ends a room with nobody left in it
            unlocked.remove(k);
        }
    }

    @Override
    public synchronized void connect(EntityBareJid room, VisitorNode node) throws Exception {
        calls.add("connect " + key(room, node));
        Runnable during = duringConnect;
        duringConnect = null;
        if (during != null) {
            during.run();
        }
        maybeFail("connect");
        if (!componentKnowsRooms) {
            throw new TimeoutException("no answer");
        }
        String k = key(room, node);
        if (mainConnected.add(k) && nodeRooms.contains(k)) {
            unlocked.add(k); // mod_visitors sends connect only the first time; mod_fmuc unlocks an existing room
        }
    }

    @Override
    public synchronized void disconnect(EntityBareJid room, VisitorNode node) throws Exception {
        calls.add("disconnect " + key(room, node));
        maybeFail("disconnect");
        if (!componentKnowsRooms) {
            throw new TimeoutException("no answer");
        }
        String k = key(room, node);
        if (errorOnUnknownDisconnect && !mainConnected.contains(k)) {
            throw new io.confgate.admission.link.ComponentErrorException("internal-server-error");
        }
        if (mainConnected.remove(k)) {
            nodeEndsRoom(room, node); // the node ends its room on disconnect, with the focus in it
        }
    }

    /** The node ends its room (mod_fmuc, after its last visitor left). */
    synchronized void nodeEndsRoom(EntityBareJid room, VisitorNode node) {
        String k = key(room, node);
        nodeRooms.remove(k);
        focusIn.remove(k);
        unlocked.remove(k);
        occupants.remove(k);
    }

    /** Whether a visitor joining the node room now would get in (the room exists and is unlocked). */
    synchronized boolean visitorGetsIn(EntityBareJid room, VisitorNode node) {
        String k = key(room, node);
        return nodeRooms.contains(k) && unlocked.contains(k);
    }

    /** Runs queued steps (and, with {@code delaysToo}, due delays) until nothing is left. */
    void runAll(boolean delaysToo) {
        runAll(delaysToo ? Integer.MAX_VALUE : 0);
    }

    /** Runs queued steps, and at most {@code maxDelays} delays as if their time had come. */
    void runAll(int maxDelays) {
        int delaysRun = 0;
        for (;;) {
            Runnable task = tasks.poll();
            if (task != null) {
                task.run();
                continue;
            }
            Runnable later = delaysRun < maxDelays ? delayed.poll() : null;
            if (later == null) {
                return;
            }
            delaysRun++;
            later.run();
        }
    }

    void clearCalls() {
        calls.clear();
    }
}
