package io.confgate.admission.xmpp.internal;

import io.confgate.admission.event.NodeLinkEvent;
import io.confgate.admission.event.NodeLinkListener;
import io.confgate.admission.event.OccupancyEvent;
import io.confgate.admission.xmpp.XmppSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jitsi.xmpp.extensions.visitors.ConnectVnodePacketExtension;
import org.jitsi.xmpp.extensions.visitors.DisconnectVnodePacketExtension;
import org.jitsi.xmpp.extensions.visitors.VisitorsIq;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatException;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jivesoftware.smackx.xdata.form.FillableForm;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the engine's node links into what Jicofo does toward a visitor node and the visitors component
 * ({@code JitsiMeetConferenceImpl.selectVisitorNode}, {@code VisitorsManager.createIq}):
 *
 * <ul>
 *   <li><b>Connect:</b> the focus joins (creating it, as owner) the room on the node through its
 *       connection to that node, with nickname {@code focus} (mod_muc_meeting_id recognises the focus by
 *       it), and submits the owner form with {@code muc#roomconfig_whois=anyone} as Jicofo's
 *       {@code ChatRoomImpl.joinAs} does; then it sends {@code <iq type='get'><visitors room='MAIN ROOM'>
 *       <connect-vnode vnode='v1'/></visitors></iq>} from the main connection to the component. mod_fmuc
 *       unlocks the node's room only if it exists when the main Prosody's {@code connect} arrives, hence
 *       the order. The IQ is a {@code get}: mod_visitors_component drops a {@code set} that did not come
 *       over server-to-server.</li>
 *   <li><b>Disconnect:</b> {@code disconnect-vnode}, likewise a {@code get}, then the focus leaves the
 *       node's room.</li>
 * </ul>
 *
 * Work runs on one thread per node, never on the decision path. A failed or unanswered step (the
 * component answers nothing for a room it does not know) is retried on the {@link
 * io.confgate.admission.xmpp.Backoff} schedule up to {@code max-send-attempts}, then dropped and counted.
 * A newer link for the same room and node supersedes an older one still being retried. When a node's
 * connection comes back, the focus joins again the rooms linked there; a room that had to be created
 * anew is linked again from scratch (disconnect, then join and connect), since the component would not send a
 * second {@code connect} for a node it believes connected. The same happens when the node ends a room the
 * link still needs. While in a node room, the focus reports the visitors it sees there ({@link NodeRoomOccupants}).
 */
public final class NodeLinks implements NodeLinkListener {
    private static final Logger log = LoggerFactory.getLogger(NodeLinks.class);

    private final XmppSettings settings;
    private final SupervisedConnection main;
    private final Map<String, SupervisedConnection> nodes;
    private final Supplier<Optional<Jid>> component;
    private final Consumer<OccupancyEvent> occupancy;
    private final ScheduledExecutorService retries;
    private final Map<String, ExecutorService> workers = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> sequences = new ConcurrentHashMap<>();
    /** Node id → rooms linked there now, to join again after the node's connection comes back. */
    private final Map<String, Set<EntityBareJid>> linked = new ConcurrentHashMap<>();
    /** Room and node → the focus's view of that node room while it is in it. */
    private final Map<String, NodeRoomOccupants> inRooms = new ConcurrentHashMap<>();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    /**
     * @param occupancy where the visitors the focus sees join and leave a node room are reported (the engine)
     */
    public NodeLinks(XmppSettings settings, SupervisedConnection main, Map<String, SupervisedConnection> nodes,
                     Supplier<Optional<Jid>> component, Consumer<OccupancyEvent> occupancy,
                     ScheduledExecutorService retries) {
        this.settings = settings;
        this.main = main;
        this.nodes = Map.copyOf(nodes);
        this.component = component;
        this.occupancy = occupancy;
        this.retries = retries;
        for (String id : nodes.keySet()) {
            workers.put(id, Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "admission-xmpp-" + id);
                t.setDaemon(true);
                return t;
            }));
        }
    }

    /** connect-vnode / disconnect-vnode IQs the component acknowledged. */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** Failed attempts (a node-room join or an IQ), each retried or, at the last attempt, dropped. */
    public long failures() {
        return failures.get();
    }

    /** Links given up after the last attempt. */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public void onNodeLink(NodeLinkEvent event) {
        String nodeId = event.node().id();
        boolean connect = event instanceof NodeLinkEvent.Connect;
        Set<EntityBareJid> rooms = linked.computeIfAbsent(nodeId, n -> ConcurrentHashMap.newKeySet());
        if (connect) {
            rooms.add(event.room());
        } else {
            rooms.remove(event.room());
        }
        submit(new Step(event.room(), nodeId, connect ? Kind.CONNECT : Kind.DISCONNECT, next(event.room(), nodeId), 1));
    }

    /** A node's connection is up again: the focus joins again the rooms linked there. */
    public void nodeUp(String nodeId) {
        for (EntityBareJid room : linked.getOrDefault(nodeId, Set.of())) {
            submit(new Step(room, nodeId, Kind.REJOIN, next(room, nodeId), 1));
        }
    }

    public void close() {
        closed = true;
        workers.values().forEach(ExecutorService::shutdownNow);
    }

    /** What a step does. */
    private enum Kind {
        /** Join (creating) the node's room, then connect-vnode. */
        CONNECT,
        /** disconnect-vnode, then leave the node's room. */
        DISCONNECT,
        /** After the node's connection came back: join again; a room that had to be created anew is relinked. */
        REJOIN,
        /**
         * The node's room is gone but the link must stand: disconnect-vnode, so mod_visitors forgets the node (it
         * connects a node once and cleans up only on disconnect), then, after {@link #RELINK_SETTLE}, CONNECT.
         */
        RELINK
    }

    /**
     * Between a relink's disconnect-vnode and the focus creating the room again. The component acknowledges once it
     * has sent {@code <disconnect/>} to the node over s2s, which the node may not have handled yet; a room created
     * before it would be destroyed by it. On one site s2s takes milliseconds; this leaves a wide margin and costs
     * only the relink, which is rare (a node room ended while a visitor was on the way).
     */
    private static final Duration RELINK_SETTLE = Duration.ofSeconds(1);

    /** One attempt at linking or unlinking a room and a node. */
    private record Step(EntityBareJid room, String nodeId, Kind kind, long sequence, int attempt) {
        Step again() {
            return new Step(room, nodeId, kind, sequence, attempt + 1);
        }

        boolean connects() {
            return kind != Kind.DISCONNECT;
        }

        String key() {
            return key(room, nodeId);
        }

        static String key(EntityBareJid room, String nodeId) {
            return room + "|" + nodeId;
        }
    }

    private long next(EntityBareJid room, String nodeId) {
        return sequences.computeIfAbsent(Step.key(room, nodeId), k -> new AtomicLong()).incrementAndGet();
    }

    private void submit(Step step) {
        ExecutorService worker = workers.get(step.nodeId());
        if (!closed && worker != null) {
            worker.execute(() -> run(step));
        } else if (!closed) {
            // A node without an XMPP account of its own: only the component is told.
            retries.execute(() -> run(step));
        }
    }

    private void run(Step step) {
        if (closed || sequences.get(step.key()).get() != step.sequence()) {
            return; // a newer link event for this room and node supersedes this one
        }
        try {
            switch (step.kind()) {
                case CONNECT -> {
                    joinNodeRoom(step, false);
                    sendToComponent(step, new ConnectVnodePacketExtension(step.nodeId()));
                    log.info("Linked {} to node {} (connect-vnode acknowledged)", step.room(), step.nodeId());
                }
                case DISCONNECT -> {
                    sendToComponent(step, new DisconnectVnodePacketExtension(step.nodeId()));
                    leaveNodeRoom(step);
                    log.info("Unlinked {} from node {} (disconnect-vnode acknowledged)", step.room(), step.nodeId());
                }
                case REJOIN -> {
                    if (!joinNodeRoom(step, true)) {
                        return; // back in a room that lived on: the component's link still holds
                    }
                    leaveNodeRoom(step); // an empty room we just made: it goes, and the relink makes it again
                    run(new Step(step.room(), step.nodeId(), Kind.RELINK, step.sequence(), step.attempt()));
                    return;
                }
                case RELINK -> {
                    sendToComponent(step, new DisconnectVnodePacketExtension(step.nodeId()));
                    retries.schedule(() -> submit(new Step(step.room(), step.nodeId(), Kind.CONNECT, step.sequence(), 1)),
                            RELINK_SETTLE.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            acknowledged.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failed(step, e);
        }
    }

    private void failed(Step step, Exception e) {
        failures.incrementAndGet();
        String what = (step.connects() ? "connect-vnode " : "disconnect-vnode ") + step.nodeId() + " for " + step.room();
        if (step.attempt() >= settings.maxSendAttempts()) {
            dropped.incrementAndGet();
            log.error("Gave up on {} after {} attempts: {}", what, step.attempt(), e.toString());
            if (!step.connects()) {
                leaveQuietly(step);
            }
            return;
        }
        Duration delay = settings.backoff().delay(step.attempt());
        log.warn("{} failed (attempt {}): {}; again in {} ms", what, step.attempt(), e.toString(), delay.toMillis());
        if (!closed) {
            retries.schedule(() -> submit(step.again()), delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Joins the node's room (creating it), as owner with the form Jicofo submits; true if it was created. */
    private boolean joinNodeRoom(Step step, boolean again) throws Exception {
        SupervisedConnection node = nodes.get(step.nodeId());
        if (node == null) {
            return false;
        }
        if (!node.isUp()) {
            throw new IllegalStateException("the XMPP connection to node " + step.nodeId() + " is down");
        }
        MultiUserChat muc = MultiUserChatManager.getInstanceFor(node.smack()).getMultiUserChat(nodeRoom(step, node));
        if (muc.isJoined() && !again) {
            return false;
        }
        // Watching starts before the join, so the visitors already in a room that lived on are seen.
        NodeRoomOccupants occupants = new NodeRoomOccupants(step.room(), step.nodeId(), node.account().xmppDomain(),
                muc, occupancy, () -> nodeRoomEnded(step.room(), step.nodeId()));
        NodeRoomOccupants previous = inRooms.put(step.key(), occupants);
        if (previous != null) {
            previous.detach();
        }
        occupants.attach();
        boolean created;
        try {
            created = muc.createOrJoin(Resourcepart.from(node.account().username())) != null;
        } catch (MultiUserChatException.MucAlreadyJoinedException e) {
            return false; // Smack still counts us in: nothing was lost
        } catch (Exception e) {
            stopWatching(step.key());
            throw e;
        }
        FillableForm form = muc.getConfigurationForm().getFillableForm();
        form.setAnswer("muc#roomconfig_whois", "anyone");
        muc.sendConfigurationForm(form);
        return created;
    }

    private void leaveNodeRoom(Step step) throws Exception {
        SupervisedConnection node = nodes.get(step.nodeId());
        if (node == null || !node.isUp()) {
            return; // nothing joined to leave
        }
        stopWatching(step.key()); // our own leave (and the destroy our disconnect causes) reports nothing
        MultiUserChat muc = MultiUserChatManager.getInstanceFor(node.smack()).getMultiUserChat(nodeRoom(step, node));
        if (muc.isJoined()) {
            muc.leave();
        }
    }

    private void stopWatching(String key) {
        NodeRoomOccupants occupants = inRooms.remove(key);
        if (occupants != null) {
            occupants.detach();
        }
    }

    /**
     * The node ended a room the focus was in, while the link still stood (mod_fmuc ends a room some seconds after
     * its last visitor left). Its visitors are gone; if the engine still wants the link (a visitor was redirected
     * there meanwhile), it is made again from scratch: disconnect-vnode (mod_visitors keeps a node until told, and
     * would not connect it twice), the focus creates the room again, connect-vnode. Otherwise the engine's own
     * disconnect follows. Runs on Smack's listener thread: everything that waits goes to the node's worker.
     */
    private void nodeRoomEnded(EntityBareJid room, String nodeId) {
        stopWatching(Step.key(room, nodeId));
        if (closed || !linked.getOrDefault(nodeId, Set.of()).contains(room)) {
            return; // ended after our own disconnect
        }
        log.info("Node {} ended the room of {}", nodeId, room);
        occupancy.accept(new OccupancyEvent.NodeRoomDestroyed(room, nodeId));
        if (linked.getOrDefault(nodeId, Set.of()).contains(room)) {
            submit(new Step(room, nodeId, Kind.RELINK, next(room, nodeId), 1));
        }
    }

    private void leaveQuietly(Step step) {
        try {
            leaveNodeRoom(step);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("Could not leave the node room of {} on {}: {}", step.room(), step.nodeId(), e.toString());
        }
    }

    /**
     * The node's room for a main room: the main address with the main xmpp-domain replaced by the node's
     * ({@code room@conference.meet.jitsi} → {@code room@conference.v1.meet.jitsi}), as Jicofo's
     * {@code ConferenceUtil.getVisitorMucJid}; else the same name in the node's {@code conference-service}.
     */
    private EntityBareJid nodeRoom(Step step, SupervisedConnection node) throws XmppStringprepException {
        String mainDomain = settings.main().xmppDomain().toString();
        String domain = step.room().getDomain().toString();
        if (domain.equals(mainDomain) || domain.endsWith("." + mainDomain)) {
            String nodeDomain = domain.substring(0, domain.length() - mainDomain.length())
                    + node.account().xmppDomain();
            return JidCreate.entityBareFrom(step.room().getLocalpart() + "@" + nodeDomain);
        }
        return JidCreate.entityBareFrom(step.room().getLocalpart() + "@" + node.account().conferenceService());
    }

    /** Sends one visitors IQ of type get to the component and waits for its result. */
    private void sendToComponent(Step step, ExtensionElement command) throws Exception {
        if (!main.isUp()) {
            throw new IllegalStateException("the main XMPP connection is down");
        }
        Jid address = component.get().orElseThrow(
                () -> new IllegalStateException("the visitors component is not discovered yet"));
        VisitorsIq.Builder iq = new VisitorsIq.Builder(main.smack());
        iq.setRoom(step.room());
        iq.to(address);
        iq.ofType(IQ.Type.get);
        iq.addExtensions(List.of(command));
        // An error reply throws; no reply at all (the room is unknown to the component) times out.
        main.smack().sendIqRequestAndWaitForResponse(iq.build());
    }
}
