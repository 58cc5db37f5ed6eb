package io.confgate.admission.xmpp;

import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.NodeState;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.conference.ConferenceAnswers;
import io.confgate.admission.conference.TokenReader;
import io.confgate.admission.event.NodeLinkEvent;
import io.confgate.admission.event.NodeLinkListener;
import io.confgate.admission.xmpp.internal.ComponentDiscovery;
import io.confgate.admission.xmpp.internal.ConferenceIqHandler;
import io.confgate.admission.xmpp.internal.SupervisedConnection;
import io.confgate.admission.xmpp.internal.XmppNodeRooms;
import io.confgate.admission.xmpp.internal.XmppVisitorsComponent;
import io.confgate.admission.core.NodeLinkers;
import io.confgate.admission.link.LinkSettings;
import io.confgate.admission.link.LinkStats;
import io.confgate.admission.link.NodeLinker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.jitsi.xmpp.extensions.jitsimeet.ConferenceIq;
import org.jitsi.xmpp.extensions.jitsimeet.ConferenceIqProvider;
import org.jitsi.xmpp.extensions.visitors.VisitorsIq;
import org.jivesoftware.smack.provider.ProviderManager;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's XMPP edge, doing toward the visitors component and the visitor nodes what Jicofo does: one
 * connection to the main Prosody and one per node, each kept up ({@link SupervisedConnection}); the
 * component found by disco#info ({@link ComponentDiscovery}); node links made real by joining the node's
 * room and sending {@code connect-vnode} / {@code disconnect-vnode} (a {@link NodeLinker} over
 * {@link XmppNodeRooms} and {@link XmppVisitorsComponent}); conference IQs answered as the HTTP endpoint answers
 * ({@link ConferenceIqHandler}).
 *
 * <p>While the component is unknown or the main connection is down, the engine is told visitors are
 * unavailable: nobody is redirected and answers say {@code visitors-supported: false}. A node whose
 * connection is down is {@link NodeState#DOWN} for balancing. Promotion is not handled here: in a
 * deployment with mod_visitors_component, the component carries it (README, "Promotion").
 *
 * <p>Stanza classes are Jitsi's own ({@code org.jitsi:jitsi-xmpp-extensions}, as Jicofo uses them); their
 * providers are registered only where none is, so a focus that registered them first keeps its own.
 *
 * <p>Build it, pass it to the engine as its {@link NodeLinkListener}, then {@link #start}.
 */
public final class XmppSignaling implements NodeLinkListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(XmppSignaling.class);

    private final XmppSettings settings;
    private final TokenReader tokens;
    private final ScheduledExecutorService scheduler;
    private final SupervisedConnection main;
    private final Map<String, SupervisedConnection> nodes = new LinkedHashMap<>();
    private final ComponentDiscovery discovery;
    private final XmppNodeRooms nodeRooms;
    private final NodeLinker links;
    private volatile Jid componentAddress;
    private volatile AdmissionEngine engine;
    private volatile ConferenceIqHandler conferenceIqs;

    private XmppSignaling(XmppSettings settings, TokenReader tokens) {
        this.settings = settings;
        this.tokens = tokens;
        this.componentAddress = settings.visitorsComponent().orElse(null);
        this.scheduler = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "admission-xmpp");
            t.setDaemon(true);
            return t;
        });
        this.main = new SupervisedConnection("main", settings.main(), settings.resource(), settings.replyTimeout(),
                settings.backoff(), scheduler, new MainListener());
        for (Map.Entry<String, XmppAccount> e : settings.nodes().entrySet()) {
            nodes.put(e.getKey(), new SupervisedConnection(e.getKey(), e.getValue(), settings.resource(),
                    settings.replyTimeout(), settings.backoff(), scheduler, new NodeListener(e.getKey())));
        }
        this.discovery = new ComponentDiscovery(settings.main().xmppDomain(), settings.backoff(), scheduler,
                this::componentFound);
        this.nodeRooms = new XmppNodeRooms(settings, nodes, event -> {
            AdmissionEngine e = engine;
            if (e != null) {
                e.report(event); // what the focus sees in node rooms: visitors joining and leaving, rooms ended
            }
        }, (room, nodeId) -> {
            log.info("Node {} ended the room of {}", nodeId, room);
            linker().nodeRoomEnded(room, nodeId);
        });
        this.links = NodeLinkers.create(nodeRooms, new XmppVisitorsComponent(main, this::visitorsComponent),
                new LinkSettings(settings.backoff(), settings.maxSendAttempts(), LinkSettings.DEFAULT_RELINK_SETTLE,
                        LinkSettings.DEFAULT_WORKERS));
    }

    private NodeLinker linker() {
        return links;
    }

    /** A signaling edge that ignores the {@code token} of conference IQs; nothing connects until {@link #start}. */
    public static XmppSignaling create(XmppSettings settings) {
        return create(settings, TokenReader.ignoring());
    }

    /** A signaling edge that reads the {@code token} of conference IQs with {@code tokens}. */
    public static XmppSignaling create(XmppSettings settings, TokenReader tokens) {
        registerProviders();
        return new XmppSignaling(Objects.requireNonNull(settings, "settings"), Objects.requireNonNull(tokens, "tokens"));
    }

    /**
     * Jitsi's providers for the visitors and conference IQs, where none is registered yet. Smack keeps one
     * provider per element and namespace, the last registered winning; registering only what is missing
     * leaves a focus's own in place.
     */
    private static synchronized void registerProviders() {
        if (ProviderManager.getIQProvider(VisitorsIq.ELEMENT, VisitorsIq.NAMESPACE) == null) {
            VisitorsIq.Companion.registerProviders();
        }
        if (ProviderManager.getIQProvider(ConferenceIq.ELEMENT, ConferenceIq.NAMESPACE) == null) {
            new ConferenceIqProvider(); // registers itself
        }
    }

    /** What happened so far; for metrics and tests. */
    public record Stats(long vnodeLinksAcknowledged, long vnodeLinkFailures, long vnodeLinksDropped,
                        long vnodeLinkResets, int vnodeLinksConnected, long conferenceIqs, long malformedStanzas,
                        long refusedTokens,
                        long componentDiscoveryFailures, long sessionConflicts) {
    }

    public Stats stats() {
        ConferenceIqHandler iqs = conferenceIqs;
        long unparsable = main.unparsable() + nodes.values().stream().mapToLong(SupervisedConnection::unparsable).sum();
        LinkStats linkStats = links.stats();
        return new Stats(linkStats.acknowledged(), linkStats.failures(), linkStats.dropped(), linkStats.resets(),
                linkStats.connected(), iqs == null ? 0 : iqs.answered(), unparsable + (iqs == null ? 0 : iqs.malformed()),
                iqs == null ? 0 : iqs.refusedTokens(), discovery.failures(),
                main.conflicts() + nodes.values().stream().mapToLong(SupervisedConnection::conflicts).sum());
    }

    /** Connects everything (in the background, with retries); answers are built as HTTP builds them. */
    public synchronized void start(AdmissionEngine admissionEngine, ConferenceAnswers answers) {
        if (this.engine != null) {
            throw new IllegalStateException("already started");
        }
        Map<String, VisitorNode> configured = new LinkedHashMap<>();
        admissionEngine.config().nodes().forEach(n -> configured.put(n.id(), n));
        for (String id : nodes.keySet()) {
            if (!configured.containsKey(id)) {
                throw new IllegalArgumentException("XMPP account for node '" + id + "' but no such visitor node");
            }
        }
        this.engine = admissionEngine;
        admissionEngine.setVisitorsAvailable(false); // until the component is known and the main connection up
        conferenceIqs = new ConferenceIqHandler(admissionEngine, tokens, answers);
        main.smack().registerIQRequestHandler(conferenceIqs);
        main.start();
        for (String id : nodes.keySet()) {
            admissionEngine.setNodeState(id, NodeState.DOWN); // until its connection is up
            nodes.get(id).start();
        }
    }

    /** As {@link #start(AdmissionEngine, ConferenceAnswers)}, answering with the main focus and no extra properties. */
    public void start(AdmissionEngine admissionEngine) {
        EntityBareJid mainFocus = JidCreate.entityBareFromOrThrowUnchecked(settings.main().username() + "@"
                + settings.main().domain());
        start(admissionEngine, new ConferenceAnswers(admissionEngine.config(), mainFocus, false, Optional.empty()));
    }

    /** The visitors component's address: configured, or discovered (empty until discovered). */
    public Optional<Jid> visitorsComponent() {
        return Optional.ofNullable(componentAddress);
    }

    /** Names of the connections: "main", then the node ids. */
    public List<String> connectionNames() {
        List<String> names = new ArrayList<>();
        names.add("main");
        names.addAll(nodes.keySet());
        return names;
    }

    /** Whether the named connection ("main" or a node id) is up and logged in. */
    public boolean isConnected(String name) {
        SupervisedConnection c = "main".equals(name) ? main : nodes.get(name);
        return c != null && c.isUp();
    }

    @Override
    public void onNodeLink(NodeLinkEvent event) {
        links.onNodeLink(event);
    }

    @Override
    public void close() {
        links.close();
        scheduler.shutdownNow();
        main.close();
        nodes.values().forEach(SupervisedConnection::close);
    }

    private void componentFound(Jid address) {
        componentAddress = address;
        updateAvailability();
    }

    private void updateAvailability() {
        AdmissionEngine e = engine;
        if (e != null) {
            e.setVisitorsAvailable(main.isUp() && componentAddress != null);
        }
    }

    private final class MainListener implements SupervisedConnection.Listener {
        @Override
        public void up(SupervisedConnection connection) {
            if (settings.visitorsComponent().isEmpty()) {
                discovery.search(connection.smack());
            }
            updateAvailability();
        }

        @Override
        public void down(SupervisedConnection connection) {
            updateAvailability();
        }
    }

    private final class NodeListener implements SupervisedConnection.Listener {
        private final String nodeId;

        NodeListener(String nodeId) {
            this.nodeId = nodeId;
        }

        @Override
        public void up(SupervisedConnection connection) {
            AdmissionEngine e = engine;
            e.config().nodes().stream().filter(n -> n.id().equals(nodeId)).findFirst()
                    .ifPresent(n -> e.setNodeState(nodeId, n.initialState()));
            links.nodeUp(nodeId);
        }

        @Override
        public void down(SupervisedConnection connection) {
            nodeRooms.connectionLost(nodeId);
            engine.setNodeState(nodeId, NodeState.DOWN);
            log.warn("Visitor node {} gets no visitors while its XMPP connection is down", nodeId);
        }
    }
}
