package io.confgate.admission;

import io.confgate.admission.promotion.PromotionConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Immutable engine configuration, mirroring Jicofo's {@code jicofo.visitors} block plus the node list
 * from {@code jicofo.xmpp.visitors}. Build with {@link #builder()}; {@link Builder#build()} validates
 * every field and names the offending key.
 *
 * <p>Defaults are Jicofo's ({@code reference.conf}): visitors disabled, 50 main participants, 500 visitors
 * per conference per node before another node is opened, 60 s for a redirected or admitted client to
 * show up; and ours: sticky visitors, and the main room when no node is healthy.
 */
public final class AdmissionConfig {
    /**
     * The default {@link #seatGrace()}: a client answered "main room" logs in and joins within a few seconds
     * (the measurements are in README, "Linking a node"); a seat holder slower than this costs the visitors
     * waiting meanwhile at most this long.
     */
    public static final Duration DEFAULT_SEAT_GRACE = Duration.ofSeconds(10);

    private final boolean enabled;
    private final int maxParticipants;
    private final int maxVisitorsPerNode;
    private final boolean requireMucConfigFlag;
    private final boolean enableLiveRoom;
    private final Duration vnodeJoinLatency;
    private final List<VisitorNode> nodes;
    private final BalancingPolicy balancing;
    private final boolean stickyVisitors;
    private final Set<String> ignoredDomains;
    private final NoNodeFallback noNodeFallback;
    private final PromotionConfig promotion;
    private final int maxRooms;
    private final int maxHeldPlaces;
    private final Duration seatGrace;
    private final int maxWaitingVisitors;
    private final boolean componentAutoAllows;

    private AdmissionConfig(Builder b) {
        this.enabled = b.enabled;
        this.maxParticipants = b.maxParticipants;
        this.maxVisitorsPerNode = b.maxVisitorsPerNode;
        this.requireMucConfigFlag = b.requireMucConfigFlag;
        this.enableLiveRoom = b.enableLiveRoom;
        this.vnodeJoinLatency = b.vnodeJoinLatency;
        this.nodes = List.copyOf(b.nodes);
        this.balancing = b.balancing;
        this.stickyVisitors = b.stickyVisitors;
        this.ignoredDomains = Set.copyOf(b.ignoredDomains);
        this.noNodeFallback = b.noNodeFallback;
        this.promotion = b.promotion;
        this.maxRooms = b.maxRooms;
        this.maxHeldPlaces = b.maxHeldPlaces;
        this.seatGrace = b.seatGrace;
        this.maxWaitingVisitors = b.maxWaitingVisitors;
        this.componentAutoAllows = b.componentAutoAllows;
    }

    /** A builder with Jicofo's defaults (visitors off) and no nodes. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder initialised from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.enabled = enabled;
        b.maxParticipants = maxParticipants;
        b.maxVisitorsPerNode = maxVisitorsPerNode;
        b.requireMucConfigFlag = requireMucConfigFlag;
        b.enableLiveRoom = enableLiveRoom;
        b.vnodeJoinLatency = vnodeJoinLatency;
        b.nodes = new ArrayList<>(nodes);
        b.balancing = balancing;
        b.stickyVisitors = stickyVisitors;
        b.ignoredDomains = new HashSet<>(ignoredDomains);
        b.noNodeFallback = noNodeFallback;
        b.promotion = promotion;
        b.maxRooms = maxRooms;
        b.maxHeldPlaces = maxHeldPlaces;
        b.seatGrace = seatGrace;
        b.maxWaitingVisitors = maxWaitingVisitors;
        b.componentAutoAllows = componentAutoAllows;
        return b;
    }

    /** {@code jicofo.visitors.enabled}: whether anyone is ever redirected to a visitor node. */
    public boolean enabled() {
        return enabled;
    }

    /** {@code jicofo.visitors.max-participants}: main-room size before joiners become visitors. */
    public int maxParticipants() {
        return maxParticipants;
    }

    /**
     * {@code jicofo.visitors.max-visitors-per-node}: visitors of one conference on one node before the
     * {@link BalancingPolicy#PACK} policy opens another node for it.
     */
    public int maxVisitorsPerNode() {
        return maxVisitorsPerNode;
    }

    /** {@code jicofo.visitors.require-muc-config-flag}: only rooms whose visitors flag is on get visitors. */
    public boolean requireMucConfigFlag() {
        return requireMucConfigFlag;
    }

    /** {@code jicofo.visitors.enable-live-room}: visitors wait (QUEUED) until the room is live. */
    public boolean enableLiveRoom() {
        return enableLiveRoom;
    }

    /**
     * {@code jicofo.visitors.vnode-join-latency-interval}: how long a reserved main seat or a pending
     * redirect is held for a client that has not joined yet.
     */
    public Duration vnodeJoinLatency() {
        return vnodeJoinLatency;
    }

    /** The visitor nodes, in configuration order (ties in balancing go to the earlier node). */
    public List<VisitorNode> nodes() {
        return nodes;
    }

    /** How visitors are spread across nodes. */
    public BalancingPolicy balancing() {
        return balancing;
    }

    /** Once a conference has visitors, later joiners are visitors too, even if a main seat frees up. */
    public boolean stickyVisitors() {
        return stickyVisitors;
    }

    /** Domains whose members always go to the main room uncounted (e.g. {@code recorder.example.com}). */
    public Set<String> ignoredDomains() {
        return ignoredDomains;
    }

    /** What a visitor gets when no node is healthy. */
    public NoNodeFallback noNodeFallback() {
        return noNodeFallback;
    }

    /** Promotion of visitors to the main room ({@code admission.promotion.*}). */
    public PromotionConfig promotion() {
        return promotion;
    }

    /**
     * {@code admission.limits.max-rooms}: conferences tracked at once (memory bound); past it a request
     * for a new room is refused ({@link Reason#CAPACITY}).
     */
    public int maxRooms() {
        return maxRooms;
    }

    /**
     * {@code admission.limits.max-held-places}: seats and redirects held at once over all rooms for
     * members not joined yet (memory bound); past it a request that needs a new one is refused.
     */
    public int maxHeldPlaces() {
        return maxHeldPlaces;
    }

    /**
     * {@code admission.link.seat-grace}: how long a conference's first {@code connect-vnode} to a node waits for
     * main seats answered and not joined yet. Once a node is connected, Jitsi's {@code mod_visitors_component}
     * refuses every main-room join that was not promoted ({@code muc-occupant-pre-join}), so a member told
     * "main room" must be in before the link is made; a seat holder who has not come within this grace is
     * given up (its seat is withdrawn, its next request placed anew) so that visitors, waiting meanwhile in
     * the node's pre-join queue, are not held up by it. Zero links at once. Not used when
     * {@link #componentAutoAllows()}.
     */
    public Duration seatGrace() {
        return seatGrace;
    }

    /**
     * {@code admission.link.max-waiting-visitors}: visitors of one conference sent to one node while its link
     * waits for main seats. They wait in the node's pre-join queue ({@code mod_muc_meeting_id}, which holds at
     * most 500 joins per room and drops the rest without an answer, and also queues the main participants
     * mirrored at connect); past this bound a visitor is answered {@code ready: false} ({@link Reason#LINK_PENDING})
     * and asks again by itself.
     */
    public int maxWaitingVisitors() {
        return maxWaitingVisitors;
    }

    /**
     * {@code admission.visitors-component.auto-allow-visitor-promotion}: the main Prosody's
     * {@code auto_allow_visitor_promotion}. When true, {@code mod_visitors_component} lets everyone into the
     * main room after a node is connected: links are made at once and a conference with a connected node still
     * fills its main room by the limit. When false (the module's default), a connected node closes the main
     * room to ordinary joiners ({@link Reason#NODE_CONNECTED}) and links wait for main seats
     * ({@link #seatGrace()}).
     */
    public boolean componentAutoAllows() {
        return componentAutoAllows;
    }

    @Override
    public String toString() {
        return "AdmissionConfig{enabled=" + enabled + ", maxParticipants=" + maxParticipants
                + ", maxVisitorsPerNode=" + maxVisitorsPerNode + ", requireMucConfigFlag=" + requireMucConfigFlag
                + ", enableLiveRoom=" + enableLiveRoom + ", vnodeJoinLatency=" + vnodeJoinLatency
                + ", nodes=" + nodes.stream().map(VisitorNode::id).toList() + ", balancing=" + balancing
                + ", stickyVisitors=" + stickyVisitors + ", ignoredDomains=" + ignoredDomains
                + ", noNodeFallback=" + noNodeFallback + ", promotion=" + promotion + ", maxRooms=" + maxRooms
                + ", maxHeldPlaces=" + maxHeldPlaces + ", seatGrace=" + seatGrace
                + ", maxWaitingVisitors=" + maxWaitingVisitors + ", componentAutoAllows=" + componentAutoAllows + '}';
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private boolean enabled;
        private int maxParticipants = 50;
        private int maxVisitorsPerNode = 500;
        private boolean requireMucConfigFlag;
        private boolean enableLiveRoom;
        private Duration vnodeJoinLatency = Duration.ofSeconds(60);
        private List<VisitorNode> nodes = new ArrayList<>();
        private BalancingPolicy balancing = BalancingPolicy.PACK;
        private boolean stickyVisitors = true;
        private Set<String> ignoredDomains = new HashSet<>();
        private NoNodeFallback noNodeFallback = NoNodeFallback.MAIN;
        private PromotionConfig promotion = PromotionConfig.defaults();
        private int maxRooms = 10_000;
        private int maxHeldPlaces = 200_000;
        private Duration seatGrace = DEFAULT_SEAT_GRACE;
        private int maxWaitingVisitors = 400;
        private boolean componentAutoAllows;

        private Builder() {
        }

        public Builder enabled(boolean value) {
            this.enabled = value;
            return this;
        }

        public Builder maxParticipants(int value) {
            this.maxParticipants = value;
            return this;
        }

        public Builder maxVisitorsPerNode(int value) {
            this.maxVisitorsPerNode = value;
            return this;
        }

        public Builder requireMucConfigFlag(boolean value) {
            this.requireMucConfigFlag = value;
            return this;
        }

        public Builder enableLiveRoom(boolean value) {
            this.enableLiveRoom = value;
            return this;
        }

        public Builder vnodeJoinLatency(Duration value) {
            this.vnodeJoinLatency = value;
            return this;
        }

        /** Replaces the node list. */
        public Builder nodes(List<VisitorNode> value) {
            this.nodes = new ArrayList<>(Objects.requireNonNull(value, "nodes"));
            return this;
        }

        /** Appends one node. */
        public Builder addNode(VisitorNode node) {
            this.nodes.add(Objects.requireNonNull(node, "node"));
            return this;
        }

        public Builder balancing(BalancingPolicy value) {
            this.balancing = value;
            return this;
        }

        public Builder stickyVisitors(boolean value) {
            this.stickyVisitors = value;
            return this;
        }

        public Builder ignoredDomains(Set<String> value) {
            this.ignoredDomains = new HashSet<>(Objects.requireNonNull(value, "ignoredDomains"));
            return this;
        }

        public Builder noNodeFallback(NoNodeFallback value) {
            this.noNodeFallback = value;
            return this;
        }

        public Builder maxRooms(int value) {
            this.maxRooms = value;
            return this;
        }

        public Builder maxHeldPlaces(int value) {
            this.maxHeldPlaces = value;
            return this;
        }

        public Builder seatGrace(Duration value) {
            this.seatGrace = value;
            return this;
        }

        public Builder maxWaitingVisitors(int value) {
            this.maxWaitingVisitors = value;
            return this;
        }

        public Builder componentAutoAllows(boolean value) {
            this.componentAutoAllows = value;
            return this;
        }

        public Builder promotion(PromotionConfig value) {
            this.promotion = Objects.requireNonNull(value, "promotion");
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the Jicofo key and the reason for the first bad field
         */
        public AdmissionConfig build() {
            if (maxParticipants < 0) {
                throw invalid("jicofo.visitors.max-participants", "must be >= 0, was " + maxParticipants);
            }
            if (maxVisitorsPerNode < 1) {
                throw invalid("jicofo.visitors.max-visitors-per-node", "must be >= 1, was " + maxVisitorsPerNode);
            }
            if (vnodeJoinLatency == null || vnodeJoinLatency.isNegative() || vnodeJoinLatency.isZero()) {
                throw invalid("jicofo.visitors.vnode-join-latency-interval",
                        "must be a positive duration, was " + vnodeJoinLatency);
            }
            if (maxRooms < 1) {
                throw invalid("admission.limits.max-rooms", "must be >= 1, was " + maxRooms);
            }
            if (maxHeldPlaces < 1) {
                throw invalid("admission.limits.max-held-places", "must be >= 1, was " + maxHeldPlaces);
            }
            if (seatGrace == null || seatGrace.isNegative() || seatGrace.compareTo(vnodeJoinLatency) > 0) {
                throw invalid("admission.link.seat-grace", "must be 0 .. jicofo.visitors.vnode-join-latency-interval ("
                        + vnodeJoinLatency + "), was " + seatGrace);
            }
            if (maxWaitingVisitors < 1) {
                throw invalid("admission.link.max-waiting-visitors", "must be >= 1, was " + maxWaitingVisitors);
            }
            if (balancing == null) {
                throw invalid("balancing", "must be one of pack, spread");
            }
            if (noNodeFallback == null) {
                throw invalid("no-node-fallback", "must be one of main, refuse");
            }
            Set<String> ids = new HashSet<>();
            for (VisitorNode node : nodes) {
                if (!ids.add(node.id())) {
                    throw invalid("jicofo.xmpp.visitors." + node.id(), "node id is configured twice");
                }
            }
            Set<String> domains = new HashSet<>();
            for (String domain : ignoredDomains) {
                if (domain == null || domain.isBlank()) {
                    throw invalid("ignored-domains", "entries must be non-blank domains");
                }
                domains.add(domain.trim().toLowerCase(Locale.ROOT));
            }
            this.ignoredDomains = domains;
            return new AdmissionConfig(this);
        }

        private static IllegalArgumentException invalid(String key, String reason) {
            return new IllegalArgumentException("invalid configuration '" + key + "': " + reason);
        }
    }
}
