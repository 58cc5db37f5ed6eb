package io.confgate.admission.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.Backoff;
import io.confgate.admission.BalancingPolicy;
import io.confgate.admission.NoNodeFallback;
import io.confgate.admission.NodeState;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.link.LinkSettings;
import io.confgate.admission.promotion.PromotionConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.jxmpp.jid.EntityBareJid;

/**
 * The engine's settings from HOCON: {@link #admission} (placement, balancing, links, promotion, bounds),
 * {@link #links} (how node links are worked on) and the store. Values a file leaves out come from
 * {@link #reference()}, the one place their defaults live. Every failure is an {@link IllegalArgumentException}
 * naming the key and the reason.
 */
public final class EngineSettings {
    private static final String REFERENCE = "admission-engine-reference.conf";

    private EngineSettings() {
    }

    /** The defaults of every key read here ({@code admission-engine-reference.conf}). */
    public static Config reference() {
        return ConfigFactory.parseResources(EngineSettings.class, "/" + REFERENCE,
                ConfigParseOptions.defaults().setAllowMissing(false));
    }

    /**
     * {@code config} with the defaults of every key read here, resolved.
     *
     * @throws IllegalArgumentException a key under {@code admission} that nothing reads (a misspelling), named with
     *                                  the nearest known key ({@link ConfigKeys#checkAdmission})
     */
    public static Config withDefaults(Config config) {
        Config reference = reference();
        Config merged = config.withFallback(reference).resolve();
        ConfigKeys.checkAdmission(merged, reference);
        return merged;
    }

    /** The engine's configuration. */
    public static AdmissionConfig admission(Config c) {
        try {
            return AdmissionConfig.builder()
                    .enabled(c.getBoolean("jicofo.visitors.enabled"))
                    .maxParticipants(c.getInt("jicofo.visitors.max-participants"))
                    .maxVisitorsPerNode(c.getInt("jicofo.visitors.max-visitors-per-node"))
                    .requireMucConfigFlag(c.getBoolean("jicofo.visitors.require-muc-config-flag"))
                    .enableLiveRoom(c.getBoolean("jicofo.visitors.enable-live-room"))
                    .vnodeJoinLatency(c.getDuration("jicofo.visitors.vnode-join-latency-interval"))
                    .balancing(ConfigValues.enumValue(c, "admission.balancing", BalancingPolicy.class))
                    .stickyVisitors(c.getBoolean("admission.sticky-visitors"))
                    .ignoredDomains(new HashSet<>(c.getStringList("admission.ignored-domains")))
                    .noNodeFallback(ConfigValues.enumValue(c, "admission.no-node-fallback", NoNodeFallback.class))
                    .nodes(nodes(c))
                    .maxRooms(c.getInt("admission.limits.max-rooms"))
                    .maxHeldPlaces(c.getInt("admission.limits.max-held-places"))
                    .seatGrace(c.getDuration("admission.link.seat-grace"))
                    .maxWaitingVisitors(c.getInt("admission.link.max-waiting-visitors"))
                    .componentAutoAllows(c.getBoolean("admission.visitors-component.auto-allow-visitor-promotion"))
                    .promotion(promotion(c))
                    .build();
        } catch (ConfigException e) {
            // Typesafe's messages name the origin (file: line) and the key.
            throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
        }
    }

    /** How node links are worked on: retries ({@code admission.xmpp.retry-*}, {@code max-send-attempts}). */
    public static LinkSettings links(Config c) {
        try {
            Duration min = positive(c, "admission.xmpp.retry-min");
            Duration max = positive(c, "admission.xmpp.retry-max");
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("invalid configuration 'admission.xmpp.retry-max': must be >= "
                        + "admission.xmpp.retry-min (" + min + "), was " + max);
            }
            int attempts = c.getInt("admission.xmpp.max-send-attempts");
            if (attempts < 1) {
                throw new IllegalArgumentException("invalid configuration 'admission.xmpp.max-send-attempts': must be"
                        + " >= 1, was " + attempts);
            }
            return new LinkSettings(new Backoff(min, max), attempts, LinkSettings.DEFAULT_RELINK_SETTLE,
                    LinkSettings.DEFAULT_WORKERS);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
        }
    }

    /** Where the store lives ({@code admission.store.path}); empty keeps everything in memory. */
    public static Optional<Path> storePath(Config c) {
        String path = c.getString("admission.store.path").trim();
        return path.isEmpty() ? Optional.empty() : Optional.of(Path.of(path));
    }

    /** How often the store is written ({@code admission.store.write-interval}). */
    public static Duration storeWriteInterval(Config c) {
        return positive(c, "admission.store.write-interval");
    }

    private static Duration positive(Config c, String key) {
        Duration d = c.getDuration(key);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("invalid configuration '" + key + "': must be a positive duration, was "
                    + d);
        }
        return d;
    }

    private static PromotionConfig promotion(Config c) {
        return PromotionConfig.builder()
                .autoAllow(c.getBoolean("admission.promotion.auto-allow-promotion"))
                .ticketLifetime(c.getDuration("admission.promotion.ticket-lifetime"))
                .pendingLifetime(c.getDuration("admission.promotion.pending-lifetime"))
                .maxPendingPerRoom(c.getInt("admission.promotion.max-pending-per-room"))
                .maxRequestsPerVisitorPerMinute(c.getInt("admission.promotion.max-requests-per-visitor-per-minute"))
                .demotionLifetime(c.getDuration("admission.promotion.demotion-lifetime"))
                .maxTickets(c.getInt("admission.promotion.max-tickets"))
                .maxHands(c.getInt("admission.promotion.max-hands"))
                .maxTrackedVisitors(c.getInt("admission.promotion.max-tracked-visitors"))
                .build();
    }

    /**
     * The visitor nodes: one per {@code jicofo.xmpp.visitors.<id>} block that is not disabled, in id order
     * (HOCON objects are unordered, and balancing ties go to the earlier node); the node's focus is
     * {@code username@domain} (Jicofo's {@code XmppVisitorConnectionConfig.jid}), and capacity, weight and
     * draining come from {@code admission.nodes.<id>}.
     */
    private static List<VisitorNode> nodes(Config c) {
        int defaultCapacity = c.getInt("admission.node-capacity");
        ConfigObject visitors = c.getObject("jicofo.xmpp.visitors");
        Config extras = c.getConfig("admission.nodes");
        List<VisitorNode> nodes = new ArrayList<>();
        for (String id : new TreeSet<>(visitors.keySet())) {
            String base = "jicofo.xmpp.visitors." + ConfigValues.quoted(id);
            Config node = c.getConfig(base);
            if (node.hasPath("enabled") && !node.getBoolean("enabled")) {
                continue;
            }
            String xmppDomain = node.hasPath("xmpp-domain") ? node.getString("xmpp-domain") : null;
            String domain = node.hasPath("domain") ? node.getString("domain")
                    : xmppDomain != null ? "auth." + xmppDomain : null;
            if (domain == null) {
                throw new IllegalArgumentException("invalid configuration '" + base
                        + "': needs domain or xmpp-domain to address the node's focus");
            }
            String username = node.hasPath("username") ? node.getString("username") : "focus";
            EntityBareJid focus = ConfigValues.jid(username + "@" + domain, base + ".domain");
            int capacity = defaultCapacity;
            double weight = 1.0;
            NodeState state = NodeState.UP;
            String extraPath = ConfigValues.quoted(id);
            if (extras.hasPath(extraPath)) {
                Config extra = extras.getConfig(extraPath);
                capacity = extra.hasPath("capacity") ? extra.getInt("capacity") : capacity;
                weight = extra.hasPath("weight") ? extra.getDouble("weight") : weight;
                state = extra.hasPath("draining") && extra.getBoolean("draining") ? NodeState.DRAINING : state;
            }
            try {
                nodes.add(new VisitorNode(id, focus, capacity, weight, state));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid configuration 'admission.nodes." + id + "': "
                        + e.getMessage(), e);
            }
        }
        for (String id : extras.root().keySet()) {
            if (!visitors.containsKey(id)) {
                throw new IllegalArgumentException("invalid configuration 'admission.nodes." + id
                        + "': no such node in jicofo.xmpp.visitors");
            }
        }
        return nodes;
    }
}
