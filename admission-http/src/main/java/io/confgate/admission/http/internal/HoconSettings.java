package io.confgate.admission.http.internal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.BalancingPolicy;
import io.confgate.admission.NoNodeFallback;
import io.confgate.admission.NodeState;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.http.ServerSettings;
import io.confgate.admission.promotion.PromotionConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;

/** Reads {@link ServerSettings} from HOCON; every failure names the key and the reason. */
public final class HoconSettings {
    private static final String REFERENCE = "admission-reference.conf";
    private static final String EMBEDDED = "admission-embedded.conf";

    private HoconSettings() {
    }

    public static ServerSettings load(Optional<Path> path) {
        Config reference = ConfigFactory.parseResources(HoconSettings.class, "/" + REFERENCE,
                ConfigParseOptions.defaults().setAllowMissing(false));
        Config overlay;
        if (path.isPresent()) {
            Path file = path.get();
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new IllegalArgumentException("configuration file " + file + " does not exist or is not readable");
            }
            try {
                overlay = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
            } catch (ConfigException e) {
                throw new IllegalArgumentException("configuration file " + file + " is not valid HOCON: "
                        + e.getMessage(), e);
            }
        } else {
            overlay = ConfigFactory.parseResources(HoconSettings.class, "/" + EMBEDDED,
                    ConfigParseOptions.defaults().setAllowMissing(false));
        }
        return read(overlay.withFallback(reference).resolve());
    }

    public static ServerSettings read(Config config) {
        try {
            return new ServerSettings(admission(config), rest(config), http(config), tokens(config),
                    new ServerSettings.Moderation(config.getBoolean("admission.promotion.development-moderator-token"),
                            config.getDuration("admission.promotion.max-wait")));
        } catch (ConfigException e) {
            // Typesafe's messages name the origin (file: line) and the key.
            throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
        }
    }

    private static AdmissionConfig admission(Config c) {
        AdmissionConfig.Builder b = AdmissionConfig.builder()
                .enabled(c.getBoolean("jicofo.visitors.enabled"))
                .maxParticipants(c.getInt("jicofo.visitors.max-participants"))
                .maxVisitorsPerNode(c.getInt("jicofo.visitors.max-visitors-per-node"))
                .requireMucConfigFlag(c.getBoolean("jicofo.visitors.require-muc-config-flag"))
                .enableLiveRoom(c.getBoolean("jicofo.visitors.enable-live-room"))
                .vnodeJoinLatency(c.getDuration("jicofo.visitors.vnode-join-latency-interval"))
                .balancing(enumValue(c, "admission.balancing", BalancingPolicy.class))
                .stickyVisitors(c.getBoolean("admission.sticky-visitors"))
                .ignoredDomains(new HashSet<>(c.getStringList("admission.ignored-domains")))
                .noNodeFallback(enumValue(c, "admission.no-node-fallback", NoNodeFallback.class))
                .nodes(nodes(c))
                .promotion(promotion(c));
        return b.build();
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
                .build();
    }

    private static List<VisitorNode> nodes(Config c) {
        int defaultCapacity = c.getInt("admission.node-capacity");
        ConfigObject visitors = c.getObject("jicofo.xmpp.visitors");
        Config extras = c.getConfig("admission.nodes");
        List<VisitorNode> nodes = new ArrayList<>();
        // Sorted ids: HOCON objects are unordered, and balancing ties go to the earlier node.
        for (String id : new TreeSet<>(visitors.keySet())) {
            String base = "jicofo.xmpp.visitors." + quoted(id);
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
            EntityBareJid focus = jid(username + "@" + domain, base + ".domain");
            int capacity = defaultCapacity;
            double weight = 1.0;
            NodeState state = NodeState.UP;
            String extraPath = quoted(id);
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

    private static ServerSettings.Rest rest(Config c) {
        return new ServerSettings.Rest(c.getString("jicofo.rest.host"), c.getInt("jicofo.rest.port"),
                c.getBoolean("jicofo.rest.conference-request.enabled"));
    }

    private static ServerSettings.Http http(Config c) {
        long maxBody = c.getBytes("admission.http.max-body-size");
        if (maxBody < 1 || maxBody > 16L * 1024 * 1024) {
            throw new IllegalArgumentException(
                    "invalid configuration 'admission.http.max-body-size': must be 1 byte .. 16 MiB, was " + maxBody);
        }
        EntityBareJid focus = jid(c.getString("jicofo.xmpp.client.username") + "@"
                + c.getString("jicofo.xmpp.client.domain"), "jicofo.xmpp.client.domain");
        Optional<Boolean> sip = c.hasPath("admission.http.sip-gateway-enabled")
                ? Optional.of(c.getBoolean("admission.http.sip-gateway-enabled")) : Optional.empty();
        return new ServerSettings.Http((int) maxBody, c.getStringList("admission.http.cors-allowed-origins"),
                focus, c.getBoolean("jicofo.authentication.enabled"), sip);
    }

    private static ServerSettings.Tokens tokens(Config c) {
        String secret = c.getString("admission.jwt.hs256-secret");
        return new ServerSettings.Tokens(secret.isEmpty() ? Optional.empty() : Optional.of(secret),
                c.getStringList("admission.jwt.rs256-public-keys"), c.getStringList("admission.jwt.audiences"),
                c.getStringList("admission.jwt.issuers"), c.getDuration("admission.jwt.leeway"));
    }

    private static <E extends Enum<E>> E enumValue(Config c, String key, Class<E> type) {
        String raw = c.getString(key);
        try {
            return Enum.valueOf(type, raw.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            List<String> allowed = new ArrayList<>();
            for (E value : type.getEnumConstants()) {
                allowed.add(value.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            throw new IllegalArgumentException("invalid configuration '" + key + "': '" + raw + "' is not one of "
                    + allowed, e);
        }
    }

    private static EntityBareJid jid(String value, String key) {
        try {
            return JidCreate.entityBareFrom(value);
        } catch (XmppStringprepException | IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid configuration '" + key + "': '" + value
                    + "' is not a valid address", e);
        }
    }

    private static String quoted(String key) {
        return "\"" + key + "\"";
    }
}
