package io.confgate.admission.server.internal;

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
import io.confgate.admission.http.EventSyncSettings;
import io.confgate.admission.http.HttpSettings;
import io.confgate.admission.server.ServerSettings;
import io.confgate.admission.promotion.PromotionConfig;
import io.confgate.admission.xmpp.XmppAccount;
import io.confgate.admission.xmpp.XmppSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
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
            AdmissionConfig admission = admission(config);
            return new ServerSettings(admission, rest(config), http(config), tokens(config),
                    new ServerSettings.Moderation(config.getBoolean("admission.promotion.development-moderator-token")),
                    xmpp(config, admission), eventSync(config, admission), operation(config));
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
                .maxRooms(c.getInt("admission.limits.max-rooms"))
                .maxHeldPlaces(c.getInt("admission.limits.max-held-places"))
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
                .maxHands(c.getInt("admission.promotion.max-hands"))
                .maxTrackedVisitors(c.getInt("admission.promotion.max-tracked-visitors"))
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

    private static ServerSettings.Operation operation(Config c) {
        String path = c.getString("admission.store.path").trim();
        return new ServerSettings.Operation(path.isEmpty() ? Optional.empty() : Optional.of(Path.of(path)),
                c.getDuration("admission.store.write-interval"), c.getDuration("admission.http.shutdown-grace"),
                c.getDuration("admission.http.drain-delay"),
                c.getDuration("admission.http.idle-timeout"), c.getInt("admission.http.max-connections"),
                c.getLong("admission.http.min-request-data-rate"));
    }

    private static HttpSettings http(Config c) {
        long maxBody = c.getBytes("admission.http.max-body-size");
        if (maxBody < 1 || maxBody > 16L * 1024 * 1024) {
            throw new IllegalArgumentException(
                    "invalid configuration 'admission.http.max-body-size': must be 1 byte .. 16 MiB, was " + maxBody);
        }
        EntityBareJid focus = jid(c.getString("jicofo.xmpp.client.username") + "@"
                + c.getString("jicofo.xmpp.client.domain"), "jicofo.xmpp.client.domain");
        Optional<Boolean> sip = c.hasPath("admission.http.sip-gateway-enabled")
                ? Optional.of(c.getBoolean("admission.http.sip-gateway-enabled")) : Optional.empty();
        return new HttpSettings((int) maxBody, c.getStringList("admission.http.cors-allowed-origins"),
                focus, domainOf(c.getString("jicofo.xmpp.client.conference-muc-jid"), "jicofo.xmpp.client.conference-muc-jid"),
                c.getBoolean("jicofo.authentication.enabled"), sip, c.getDuration("admission.promotion.max-wait"),
                new HttpSettings.ClientLimits(c.getInt("admission.http.promotion-requests-per-client-per-second"),
                        c.getInt("admission.http.max-tracked-clients"), c.getStringList("admission.http.trusted-proxies")));
    }

    /**
     * The XMPP edge, when {@code admission.xmpp.enabled}: the main account from {@code jicofo.xmpp.client},
     * one account per visitor node from its {@code jicofo.xmpp.visitors.<id>} block (Jicofo's keys).
     */
    private static Optional<XmppSettings> xmpp(Config c, AdmissionConfig admission) {
        if (!c.getBoolean("admission.xmpp.enabled")) {
            return Optional.empty();
        }
        Config client = c.getConfig("jicofo.xmpp.client");
        DomainBareJid clientDomain = domain(client, "domain", "jicofo.xmpp.client");
        XmppAccount main = account(client, "jicofo.xmpp.client", clientDomain,
                client.hasPath("xmpp-domain") ? domain(client, "xmpp-domain", "jicofo.xmpp.client") : clientDomain,
                domain(client, "conference-muc-jid", "jicofo.xmpp.client"));
        Map<String, XmppAccount> nodes = new LinkedHashMap<>();
        for (VisitorNode node : admission.nodes()) {
            String base = "jicofo.xmpp.visitors." + quoted(node.id());
            Config n = c.getConfig(base);
            DomainBareJid xmppDomain = domain(n, "xmpp-domain", base);
            DomainBareJid service = n.hasPath("conference-service") ? domain(n, "conference-service", base)
                    : domainOf("conference." + xmppDomain, base + ".conference-service");
            nodes.put(node.id(), account(n, base, domain(n, "domain", base), xmppDomain, service));
        }
        String component = c.getString("admission.xmpp.visitors-component-address").trim();
        Optional<Jid> componentAddress = Optional.empty();
        if (!component.isEmpty()) {
            try {
                componentAddress = Optional.of(JidCreate.from(strict(component)));
            } catch (XmppStringprepException | IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid configuration 'admission.xmpp.visitors-component-address': '"
                        + component + "' is not a valid address", e);
            }
        }
        try {
            return Optional.of(new XmppSettings(main, componentAddress, domain(client, "conference-muc-jid",
                    "jicofo.xmpp.client"), nodes, c.getDuration("admission.xmpp.reply-timeout"),
                    c.getDuration("admission.xmpp.retry-min"), c.getDuration("admission.xmpp.retry-max"),
                    c.getInt("admission.xmpp.max-send-attempts")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid configuration 'admission.xmpp': " + e.getMessage(), e);
        }
    }

    /**
     * mod_event_sync_component's reports, when {@code admission.event-sync.authorization} is set: the main
     * xmpp-domain and MUC service from {@code jicofo.xmpp.client}, each node's xmpp-domain from its
     * {@code jicofo.xmpp.visitors.<id>} block (else its login domain without {@code auth.}).
     */
    private static Optional<EventSyncSettings> eventSync(Config c, AdmissionConfig admission) {
        String authorization = c.getString("admission.event-sync.authorization");
        if (authorization.isBlank()) {
            return Optional.empty();
        }
        Map<String, DomainBareJid> nodes = new LinkedHashMap<>();
        for (VisitorNode node : admission.nodes()) {
            Config n = c.getConfig("jicofo.xmpp.visitors." + quoted(node.id()));
            String key = "jicofo.xmpp.visitors." + node.id() + ".xmpp-domain";
            if (n.hasPath("xmpp-domain")) {
                nodes.put(node.id(), domainOf(n.getString("xmpp-domain"), key));
            } else if (node.focusJid().getDomain().toString().startsWith("auth.")) {
                nodes.put(node.id(), domainOf(node.focusJid().getDomain().toString().substring(5), key));
            }
        }
        return Optional.of(new EventSyncSettings(authorization,
                domainOf(c.getString("jicofo.xmpp.client.xmpp-domain"), "jicofo.xmpp.client.xmpp-domain"),
                domainOf(c.getString("jicofo.xmpp.client.conference-muc-jid"), "jicofo.xmpp.client.conference-muc-jid"),
                nodes));
    }

    private static XmppAccount account(Config block, String base, DomainBareJid domain, DomainBareJid xmppDomain,
                                       DomainBareJid conferenceService) {
        if (!block.hasPath("hostname")) {
            throw new IllegalArgumentException("invalid configuration '" + base + ".hostname': required when "
                    + "admission.xmpp.enabled (where that Prosody listens)");
        }
        if (!block.hasPath("password") || block.getString("password").isEmpty()) {
            throw new IllegalArgumentException("invalid configuration '" + base + ".password': required when "
                    + "admission.xmpp.enabled");
        }
        int port = block.hasPath("port") ? block.getInt("port") : 5222;
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("invalid configuration '" + base + ".port': must be 1..65535, was "
                    + port);
        }
        return new XmppAccount(block.getString("hostname"), port, domain, xmppDomain, conferenceService,
                block.hasPath("username") ? block.getString("username") : "focus", block.getString("password"),
                !block.hasPath("use-tls") || block.getBoolean("use-tls"),
                block.hasPath("disable-certificate-verification")
                        && block.getBoolean("disable-certificate-verification"));
    }

    private static DomainBareJid domain(Config block, String key, String base) {
        if (!block.hasPath(key)) {
            throw new IllegalArgumentException("invalid configuration '" + base + "." + key + "': required when "
                    + "admission.xmpp.enabled");
        }
        return domainOf(block.getString(key), base + "." + key);
    }

    /** Refuses what jxmpp's lenient parser lets through: blanks anywhere, and a second '@'. */
    private static String strict(String value) throws XmppStringprepException {
        int at = value.indexOf('@');
        int slash = value.indexOf('/');
        if (value.chars().anyMatch(Character::isWhitespace)
                || (at >= 0 && value.indexOf('@', at + 1) >= 0 && (slash < 0 || value.indexOf('@', at + 1) < slash))) {
            throw new XmppStringprepException(value, "not an XMPP address");
        }
        return value;
    }

    private static DomainBareJid domainOf(String value, String key) {
        try {
            if (value.indexOf('@') >= 0 || value.indexOf('/') >= 0) {
                throw new XmppStringprepException(value, "a domain has no '@' or '/'");
            }
            return JidCreate.domainBareFrom(strict(value));
        } catch (XmppStringprepException | IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid configuration '" + key + "': '" + value
                    + "' is not a valid domain", e);
        }
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
