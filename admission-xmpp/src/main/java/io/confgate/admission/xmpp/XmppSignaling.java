package io.confgate.admission.xmpp;

import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.Decision;
import io.confgate.admission.Identity;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.NodeState;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.event.NodeLinkEvent;
import io.confgate.admission.event.NodeLinkListener;
import io.confgate.admission.event.PromotionEvent;
import io.confgate.admission.event.PromotionListener;
import io.confgate.admission.promotion.Hand;
import io.confgate.admission.promotion.HandState;
import io.confgate.admission.promotion.PromotionRequest;
import io.confgate.admission.promotion.PromotionResult;
import io.confgate.admission.xmpp.stanza.ConferenceIq;
import io.confgate.admission.xmpp.stanza.StanzaProviders;
import io.confgate.admission.xmpp.stanza.VisitorsCommand;
import io.confgate.admission.xmpp.stanza.VisitorsIq;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jivesoftware.smack.AbstractXMPPConnection;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.ConnectionListener;
import org.jivesoftware.smack.ReconnectionManager;
import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smack.iqrequest.AbstractIqRequestHandler;
import org.jivesoftware.smack.iqrequest.IQRequestHandler;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.parsing.ExceptionLoggingCallback;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's XMPP edge: one Smack connection to the main Prosody and one per visitor node, each kept
 * up with backoff.
 *
 * <ul>
 *   <li>Node links from the engine become {@code connect-vnode} / {@code disconnect-vnode} IQs to the
 *       visitors component, sent asynchronously with a reply timeout and retried with backoff; a newer
 *       link event for the same room and node supersedes an older one still being retried.</li>
 *   <li>{@code promotion-request} IQs are accepted only from a node the conference is linked to (others
 *       are answered {@code not-allowed} and counted as forged) and go to the engine's promotions; the
 *       decision goes back to that node as a {@code promotion-response} whose {@code username} is the
 *       ticket.</li>
 *   <li>A conference IQ on the main connection gets the same {@link AdmissionEngine#decide} as HTTP.</li>
 *   <li>A node whose connection is down is marked {@link NodeState#DOWN}; it returns to its configured
 *       state when the connection is back.</li>
 * </ul>
 *
 * Build it first, pass it to the engine as node link and promotion listener, then {@link #start}.
 */
public final class XmppSignaling implements NodeLinkListener, PromotionListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(XmppSignaling.class);

    private final XmppSettings settings;
    private final ConferenceTokens tokens;
    private final ScheduledExecutorService scheduler;
    private final Map<EntityBareJid, Set<String>> linkedNodes = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> linkSequence = new ConcurrentHashMap<>();
    private final Map<String, PendingReply> pendingReplies = new ConcurrentHashMap<>();
    private final Map<String, String> handOfVisitor = new ConcurrentHashMap<>();
    private final Counters counters = new Counters();
    private volatile AdmissionEngine engine;
    private volatile Link main;
    private final Map<String, Link> nodeLinks = new LinkedHashMap<>();
    private volatile boolean closed;
    /** Where connect-vnode and disconnect-vnode go: configured, or discovered after each login. */
    private volatile Jid componentAddress;

    private XmppSignaling(XmppSettings settings, ConferenceTokens tokens) {
        this.settings = settings;
        this.tokens = tokens;
        this.componentAddress = settings.visitorsComponent().orElse(null);
        this.scheduler = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "admission-xmpp");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A signaling edge for these settings that ignores the {@code token} of conference IQs; nothing
     * connects until {@link #start}.
     */
    public static XmppSignaling create(XmppSettings settings) {
        return create(settings, ConferenceTokens.ignored());
    }

    /** A signaling edge that reads the {@code token} of conference IQs with {@code tokens}. */
    public static XmppSignaling create(XmppSettings settings, ConferenceTokens tokens) {
        StanzaProviders.register();
        return new XmppSignaling(Objects.requireNonNull(settings, "settings"), Objects.requireNonNull(tokens, "tokens"));
    }

    /** What happened so far; for metrics and tests. */
    public record Stats(long vnodeIqsAcknowledged, long vnodeIqFailures, long vnodeIqsDropped,
                        long promotionRequests, long forgedPromotionRequests, long promotionResponses,
                        long conferenceIqs, long malformedStanzas, long componentDiscoveryFailures,
                        long refusedTokens) {
    }

    private static final class Counters {
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        final AtomicLong promotionRequests = new AtomicLong();
        final AtomicLong forged = new AtomicLong();
        final AtomicLong responses = new AtomicLong();
        final AtomicLong conferenceIqs = new AtomicLong();
        final AtomicLong malformed = new AtomicLong();
        final AtomicLong discoveryFailures = new AtomicLong();
        final AtomicLong refusedTokens = new AtomicLong();
    }

    public Stats stats() {
        return new Stats(counters.acknowledged.get(), counters.failures.get(), counters.dropped.get(),
                counters.promotionRequests.get(), counters.forged.get(), counters.responses.get(),
                counters.conferenceIqs.get(), counters.malformed.get(), counters.discoveryFailures.get(),
                counters.refusedTokens.get());
    }

    /** Connects everything (in the background, with retries) and serves IQs with this engine's decisions. */
    public synchronized void start(AdmissionEngine admissionEngine) {
        if (this.engine != null) {
            throw new IllegalStateException("already started");
        }
        this.engine = Objects.requireNonNull(admissionEngine, "engine");
        Map<String, VisitorNode> configured = new LinkedHashMap<>();
        admissionEngine.config().nodes().forEach(n -> configured.put(n.id(), n));
        for (String id : settings.nodes().keySet()) {
            if (!configured.containsKey(id)) {
                throw new IllegalArgumentException("XMPP account for node '" + id + "' but no such visitor node");
            }
        }
        main = new Link("main", settings.main(), null);
        main.connection.registerIQRequestHandler(new ConferenceHandler());
        main.connection.registerIQRequestHandler(new VisitorsHandler(main));
        main.attemptSoon(0);
        for (Map.Entry<String, XmppAccount> e : settings.nodes().entrySet()) {
            VisitorNode node = configured.get(e.getKey());
            admissionEngine.setNodeState(node.id(), NodeState.DOWN); // until its connection is up
            Link link = new Link(node.id(), e.getValue(), node);
            link.connection.registerIQRequestHandler(new VisitorsHandler(link));
            nodeLinks.put(node.id(), link);
            link.attemptSoon(0);
        }
    }

    /** The visitors component's address: configured, or discovered (empty until discovered). */
    public Optional<Jid> visitorsComponent() {
        return Optional.ofNullable(componentAddress);
    }

    /** Names of the connections: "main", then the node ids. */
    public List<String> connectionNames() {
        List<String> names = new ArrayList<>();
        names.add("main");
        names.addAll(settings.nodes().keySet());
        return names;
    }

    /** Whether the named connection ("main" or a node id) is up and logged in. */
    public boolean isConnected(String name) {
        Link link = "main".equals(name) ? main : nodeLinks.get(name);
        return link != null && link.connection.isAuthenticated();
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        if (main != null) {
            main.connection.disconnect();
        }
        nodeLinks.values().forEach(l -> l.connection.disconnect());
    }

    // ---------------------------------------------------------------- connections

    /** One supervised connection. */
    private final class Link implements ConnectionListener {
        final String name;
        final XmppAccount account;
        final VisitorNode node;
        final XMPPTCPConnection connection;
        private long delayMillis;

        Link(String name, XmppAccount account, VisitorNode node) {
            this.name = name;
            this.account = account;
            this.node = node;
            try {
                XMPPTCPConnectionConfiguration.Builder config = XMPPTCPConnectionConfiguration.builder()
                        .setUsernameAndPassword(account.username(), account.password())
                        .setXmppDomain(account.domain())
                        .setHost(account.host())
                        .setPort(account.port())
                        .setResource("focus")
                        .setSecurityMode(account.useTls() ? SecurityMode.required : SecurityMode.disabled)
                        .setConnectTimeout((int) settings.replyTimeout().toMillis());
                if (account.disableCertificateVerification()) {
                    // The operator's explicit choice (Jicofo's disable-certificate-verification).
                    config.setCustomX509TrustManager(TrustAnyCertificate.INSTANCE)
                            .setHostnameVerifier((host, session) -> true);
                }
                this.connection = new XMPPTCPConnection(config.build());
            } catch (RuntimeException | org.jxmpp.stringprep.XmppStringprepException e) {
                throw new IllegalArgumentException("invalid XMPP account " + account + ": " + e.getMessage(), e);
            }
            connection.setUseStreamManagement(false);
            connection.setReplyTimeout(settings.replyTimeout().toMillis());
            // A stanza we cannot parse is logged and dropped; it never closes the connection.
            connection.setParsingExceptionCallback(new ExceptionLoggingCallback());
            ReconnectionManager.getInstanceFor(connection).disableAutomaticReconnection();
            connection.addConnectionListener(this);
            this.delayMillis = settings.retryMin().toMillis();
        }

        void attemptSoon(long afterMillis) {
            if (!closed) {
                scheduler.schedule(this::attempt, afterMillis, TimeUnit.MILLISECONDS);
            }
        }

        private void attempt() {
            if (closed || connection.isAuthenticated()) {
                return;
            }
            try {
                if (!connection.isConnected()) {
                    connection.connect();
                }
                connection.login();
            } catch (Exception e) {
                log.info("XMPP {} ({}) not connected: {}; retrying in {} ms", name, account, e.getMessage(),
                        delayMillis);
                connection.disconnect();
                attemptSoon(delayMillis);
                delayMillis = Math.min(delayMillis * 2, settings.retryMax().toMillis());
            }
        }

        @Override
        public void authenticated(XMPPConnection c, boolean resumed) {
            delayMillis = settings.retryMin().toMillis();
            log.info("XMPP {} connected as {}", name, c.getUser());
            if (node != null) {
                engine.setNodeState(node.id(), node.initialState());
            } else if (settings.visitorsComponent().isEmpty()) {
                scheduler.execute(() -> discoverComponent(c, settings.retryMin().toMillis()));
            }
        }

        @Override
        public void connectionClosedOnError(Exception e) {
            log.warn("XMPP {} lost: {}", name, e.toString());
            if (node != null) {
                engine.setNodeState(node.id(), NodeState.DOWN);
            }
            attemptSoon(settings.retryMin().toMillis());
        }

        @Override
        public void connectionClosed() {
            if (node != null && !closed) {
                engine.setNodeState(node.id(), NodeState.DOWN);
                attemptSoon(settings.retryMin().toMillis());
            }
        }
    }

    /** Accepts any certificate chain: only for accounts with disable-certificate-verification. */
    private enum TrustAnyCertificate implements javax.net.ssl.X509TrustManager {
        INSTANCE;

        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
        }

        @Override
        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
            return new java.security.cert.X509Certificate[0];
        }
    }

    // ---------------------------------------------------------------- component discovery

    /**
     * Finds the visitors component as Jicofo does: disco#info of the main XMPP domain, identity
     * {@code component/visitors}, whose name is the address. Retried with backoff while the connection
     * that asked is up; a new login starts over.
     */
    private void discoverComponent(XMPPConnection connection, long backoffMillis) {
        if (closed || !connection.isAuthenticated()) {
            return;
        }
        DomainBareJid domain = settings.main().xmppDomain();
        String failure;
        try {
            DiscoverInfo info = ServiceDiscoveryManager.getInstanceFor(connection).discoverInfo(domain);
            Optional<String> address = info.getIdentities().stream()
                    .filter(i -> "component".equals(i.getCategory()) && "visitors".equals(i.getType()))
                    .map(DiscoverInfo.Identity::getName)
                    .filter(name -> name != null && !name.isBlank())
                    .findFirst();
            if (address.isPresent()) {
                Jid found = JidCreate.from(address.get().trim());
                if (!found.equals(componentAddress)) {
                    log.info("Visitors component discovered at {} (disco#info of {})", found, domain);
                }
                componentAddress = found;
                return;
            }
            failure = "no identity component/visitors in its disco#info (is mod_visitors_component loaded?)";
        } catch (XmppStringprepException e) {
            failure = "the advertised address is not a JID: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            failure = e.toString();
        }
        counters.discoveryFailures.incrementAndGet();
        log.warn("Visitors component not found on {}: {}; asking again in {} ms", domain, failure, backoffMillis);
        if (!closed) {
            scheduler.schedule(() -> discoverComponent(connection,
                    Math.min(backoffMillis * 2, settings.retryMax().toMillis())), backoffMillis, TimeUnit.MILLISECONDS);
        }
    }

    // ---------------------------------------------------------------- connect-vnode / disconnect-vnode

    @Override
    public void onNodeLink(NodeLinkEvent event) {
        // Called under the room's lock: record, then hand the send to the XMPP thread.
        String nodeId = event.node().id();
        boolean connect = event instanceof NodeLinkEvent.Connect;
        if (connect) {
            linkedNodes.computeIfAbsent(event.room(), r -> ConcurrentHashMap.newKeySet()).add(nodeId);
        } else {
            linkedNodes.computeIfPresent(event.room(), (r, set) -> {
                set.remove(nodeId);
                return set.isEmpty() ? null : set;
            });
        }
        String key = event.room() + "|" + nodeId;
        long sequence = linkSequence.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
        VisitorsCommand command = connect ? new VisitorsCommand.ConnectVnode(nodeId)
                : new VisitorsCommand.DisconnectVnode(nodeId);
        if (!closed) {
            scheduler.execute(() -> sendVnode(event.room(), command, key, sequence, 1,
                    settings.retryMin().toMillis()));
        }
    }

    private void sendVnode(EntityBareJid room, VisitorsCommand command, String key, long sequence, int attempt,
                           long backoffMillis) {
        if (closed || linkSequence.get(key).get() != sequence) {
            return; // a newer link event for this room and node supersedes this one
        }
        VisitorsIq iq = new VisitorsIq(room, Optional.empty(), List.of(command));
        iq.setType(IQ.Type.set);
        Jid component = componentAddress;
        Runnable retry = () -> {
            counters.failures.incrementAndGet();
            if (attempt >= settings.maxSendAttempts()) {
                counters.dropped.incrementAndGet();
                log.error("Gave up on {} for {} after {} attempts", command, room, attempt);
                return;
            }
            scheduler.schedule(() -> sendVnode(room, command, key, sequence, attempt + 1,
                    Math.min(backoffMillis * 2, settings.retryMax().toMillis())), backoffMillis, TimeUnit.MILLISECONDS);
        };
        AbstractXMPPConnection connection = main.connection;
        if (!connection.isAuthenticated()) {
            log.warn("{} for {} not sent (attempt {}): main XMPP connection is down", command, room, attempt);
            retry.run();
            return;
        }
        if (component == null) {
            log.warn("{} for {} not sent (attempt {}): the visitors component is not discovered yet", command, room,
                    attempt);
            retry.run();
            return;
        }
        iq.setTo(component);
        connection.sendIqRequestAsync(iq, settings.replyTimeout().toMillis())
                .onSuccess(reply -> counters.acknowledged.incrementAndGet())
                .onError(e -> {
                    log.warn("{} for {} failed (attempt {}): {}", command, room, attempt, e.toString());
                    retry.run();
                });
    }

    // ---------------------------------------------------------------- promotion

    private record PendingReply(Link link, Jid nodeAddress, String visitorJid, EntityBareJid nodeRoom,
                                EntityBareJid room) {
    }

    private final class VisitorsHandler extends AbstractIqRequestHandler {
        private final Link link;

        VisitorsHandler(Link link) {
            super(VisitorsIq.ELEMENT, VisitorsIq.NAMESPACE, IQ.Type.set, IQRequestHandler.Mode.async);
            this.link = link;
        }

        @Override
        public IQ handleIQRequest(IQ request) {
            try {
                return handleVisitors(link, (VisitorsIq) request);
            } catch (RuntimeException e) {
                log.error("jitsi:visitors IQ failed: {}", request, e);
                return error(request, StanzaError.Condition.internal_server_error, "internal error");
            }
        }
    }

    private IQ handleVisitors(Link link, VisitorsIq iq) {
        if (iq.problem().isPresent()) {
            counters.malformed.incrementAndGet();
            return error(iq, StanzaError.Condition.bad_request, iq.problem().get());
        }
        List<VisitorsCommand.PromotionRequest> requests = new ArrayList<>();
        for (VisitorsCommand c : iq.commands()) {
            if (c instanceof VisitorsCommand.PromotionRequest r) {
                requests.add(r);
            }
        }
        if (requests.isEmpty()) {
            return error(iq, StanzaError.Condition.feature_not_implemented,
                    "the focus accepts only promotion-request here");
        }
        counters.promotionRequests.incrementAndGet();
        Optional<String> nodeId = nodeOf(iq.getFrom());
        EntityBareJid nodeRoom = iq.room().orElseThrow();
        EntityBareJid room = mainRoom(nodeRoom);
        if (nodeId.isEmpty() || !linkedNodes.getOrDefault(room, Set.of()).contains(nodeId.get())) {
            counters.forged.incrementAndGet();
            log.warn("Forged promotion-request from {} for {} (not a node linked to that conference)", iq.getFrom(),
                    room);
            return error(iq, StanzaError.Condition.not_allowed, "not a visitor node of this conference");
        }
        for (VisitorsCommand.PromotionRequest r : requests) {
            promote(link, iq.getFrom(), nodeId.get(), nodeRoom, room, r);
        }
        return IQ.createResultIQ(iq);
    }

    private void promote(Link link, Jid nodeAddress, String nodeId, EntityBareJid nodeRoom, EntityBareJid room,
                         VisitorsCommand.PromotionRequest request) {
        String visitorKey = room + "|" + request.jid();
        Identity visitor = new Identity(request.userId(), request.groupId(), request.forcePromote(),
                Optional.empty(), Optional.of(request.jid()), Optional.empty());
        if (!request.raised()) {
            String id = handOfVisitor.remove(visitorKey);
            if (id != null) {
                pendingReplies.remove(id);
                engine.promotions().lowerHand(room, id, visitor);
            }
            return;
        }
        PromotionResult result = engine.promotions().raiseHand(new PromotionRequest(room, visitor, request.nick(),
                Optional.of(nodeId)));
        if (result instanceof PromotionResult.Refused refused) {
            log.info("promotion-request of {} in {} refused: {}", request.jid(), room, refused.message());
            respond(new PendingReply(link, nodeAddress, request.jid(), nodeRoom, room), "refused", false);
            return;
        }
        Hand hand = ((PromotionResult.Done) result).hand();
        PendingReply reply = new PendingReply(link, nodeAddress, request.jid(), nodeRoom, room);
        if (hand.state() == HandState.PENDING) {
            pendingReplies.put(hand.requestId(), reply);
            handOfVisitor.put(visitorKey, hand.requestId());
            // Decided between raiseHand and put: answer now.
            engine.promotions().status(room, hand.requestId()).filter(h -> h.state().isFinal())
                    .ifPresent(this::decided);
        } else {
            answer(reply, hand);
        }
    }

    @Override
    public void onPromotion(PromotionEvent event) {
        if (event instanceof PromotionEvent.HandDecided decided && !closed) {
            scheduler.execute(() -> decided(decided.hand()));
        }
    }

    private void decided(Hand hand) {
        PendingReply reply = pendingReplies.remove(hand.requestId());
        if (reply != null) {
            handOfVisitor.remove(reply.room() + "|" + reply.visitorJid(), hand.requestId());
            answer(reply, hand);
        }
    }

    private void answer(PendingReply reply, Hand hand) {
        if (hand.state() == HandState.APPROVED) {
            respond(reply, hand.ticket().orElseThrow().id(), true);
        } else if (hand.state() == HandState.DENIED) {
            respond(reply, "denied", false);
        }
    }

    private void respond(PendingReply reply, String username, boolean allow) {
        VisitorsIq iq = new VisitorsIq(reply.nodeRoom(), Optional.of(settings.main().username() + "@"
                + settings.main().domain()), List.of(new VisitorsCommand.PromotionResponse(reply.visitorJid(),
                username, allow)));
        iq.setType(IQ.Type.set);
        iq.setTo(reply.nodeAddress());
        reply.link().connection.sendIqRequestAsync(iq, settings.replyTimeout().toMillis())
                .onSuccess(r -> counters.responses.incrementAndGet())
                .onError(e -> {
                    counters.failures.incrementAndGet();
                    log.warn("promotion-response to {} failed: {}", reply.nodeAddress(), e.toString());
                });
    }

    private Optional<String> nodeOf(Jid from) {
        if (from == null) {
            return Optional.empty();
        }
        String domain = from.getDomain().toString();
        for (Map.Entry<String, XmppAccount> e : settings.nodes().entrySet()) {
            String xmppDomain = e.getValue().xmppDomain().toString();
            if (domain.equals(xmppDomain) || domain.endsWith("." + xmppDomain)) {
                return Optional.of(e.getKey());
            }
        }
        return Optional.empty();
    }

    private EntityBareJid mainRoom(EntityBareJid nodeRoom) {
        try {
            return JidCreate.entityBareFrom(nodeRoom.getLocalpart(), settings.conferenceDomain());
        } catch (RuntimeException e) {
            return nodeRoom;
        }
    }

    // ---------------------------------------------------------------- conference IQ

    private final class ConferenceHandler extends AbstractIqRequestHandler {
        ConferenceHandler() {
            super(ConferenceIq.ELEMENT, ConferenceIq.NAMESPACE, IQ.Type.set, IQRequestHandler.Mode.async);
        }

        @Override
        public IQ handleIQRequest(IQ request) {
            try {
                return conference((ConferenceIq) request);
            } catch (RuntimeException e) {
                log.error("Conference IQ failed: {}", request, e);
                return error(request, StanzaError.Condition.internal_server_error, "internal error");
            }
        }
    }

    private IQ conference(ConferenceIq iq) {
        counters.conferenceIqs.incrementAndGet();
        if (iq.problem().isPresent()) {
            counters.malformed.incrementAndGet();
            return error(iq, StanzaError.Condition.bad_request, iq.problem().get());
        }
        EntityBareJid room = iq.room().orElseThrow();
        Map<String, String> props = iq.properties();
        ConferenceTokens.Bearer bearer = ConferenceTokens.Bearer.NONE;
        if (iq.token().isPresent()) {
            try {
                bearer = tokens.read(iq.token().get());
            } catch (ConferenceTokens.Refused e) {
                counters.refusedTokens.incrementAndGet();
                return error(iq, StanzaError.Condition.not_authorized, e.getMessage());
            }
        }
        Decision decision = engine.decide(JoinRequest.builder(room)
                .sessionId(iq.sessionId().orElse(null))
                .machineUid(iq.machineUid().orElse(null))
                .userId(bearer.userId().orElse(null))
                .groupId(bearer.groupId().orElse(null))
                .moderator(bearer.moderator())
                .address(iq.getFrom())
                .supportsVisitors(props.containsKey("visitors-version"))
                .visitorRequested("true".equalsIgnoreCase(props.get("visitor")))
                .promotionTicket(props.get("promotion-ticket"))
                .build());
        if (decision instanceof Decision.Refused) {
            return error(iq, StanzaError.Condition.service_unavailable, "no visitor node available");
        }
        Map<String, String> answerProps = new LinkedHashMap<>();
        answerProps.put("visitors-supported", Boolean.toString(!engine.config().nodes().isEmpty()
                && engine.config().enabled()));
        String mainFocus = settings.main().username() + "@" + settings.main().domain();
        boolean ready = !(decision instanceof Decision.Queued);
        if (!ready) {
            answerProps.put("live", "false");
        }
        Optional<String> vnode = Optional.empty();
        String focus = mainFocus;
        if (decision instanceof Decision.Visitor v) {
            vnode = Optional.of(v.node().id());
            focus = v.node().focusJid().toString();
        }
        ConferenceIq answer = new ConferenceIq(room, Optional.empty(), iq.sessionId(), Optional.empty(),
                Optional.of(ready), Optional.of(focus), vnode, answerProps);
        answer.setType(IQ.Type.result);
        answer.setStanzaId(iq.getStanzaId());
        answer.setTo(iq.getFrom());
        answer.setFrom(iq.getTo());
        return answer;
    }

    private static IQ error(IQ request, StanzaError.Condition condition, String text) {
        return IQ.createErrorResponse(request, StanzaError.getBuilder(condition).setDescriptiveEnText(text));
    }
}
