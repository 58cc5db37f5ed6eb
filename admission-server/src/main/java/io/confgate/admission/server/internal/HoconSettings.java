package io.confgate.admission.server.internal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.config.ConfigKeys;
import io.confgate.admission.config.ConfigValues;
import io.confgate.admission.config.EngineSettings;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.http.EventSyncSettings;
import io.confgate.admission.http.HttpSettings;
import io.confgate.admission.server.ServerSettings;
import io.confgate.admission.xmpp.XmppAccount;
import io.confgate.admission.xmpp.XmppSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;

/** Reads {@link ServerSettings} from HOCON; every failure names the key and the reason. */
public final class HoconSettings {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(HoconSettings.class);
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
        Config defaults = reference.withFallback(EngineSettings.reference());
        Config resolved;
        try {
            Config given = overlay.resolveWith(overlay.withFallback(defaults)); // the file's own keys, substituted
            ConfigKeys.checkAdmission(given, defaults);
            ConfigKeys.unknownJicofoKeys(given, defaults).forEach(key -> log.warn("Configuration key {} is read"
                    + " neither by this server nor by Jicofo; it has no effect", key));
            resolved = overlay.withFallback(defaults).resolve();
        } catch (ConfigException e) {
            // An unset ${VARIABLE}, a value where a block belongs: named with its origin (file: line), in one line.
            throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
        }
        return read(resolved);
    }

    /** The settings of the reference alone: every default, read once (HTTP only, no node). */
    public static ServerSettings referenceDefaults() {
        return ReferenceDefaults.SETTINGS;
    }

    private static final class ReferenceDefaults {
        static final ServerSettings SETTINGS = read(ConfigFactory.parseResources(HoconSettings.class, "/" + REFERENCE,
                ConfigParseOptions.defaults().setAllowMissing(false)).withFallback(EngineSettings.reference())
                .resolve());
    }

    public static ServerSettings read(Config config) {
        try {
            AdmissionConfig admission = EngineSettings.admission(config);
            return new ServerSettings(admission, rest(config), http(config), tokens(config),
                    new ServerSettings.Moderation(config.getBoolean("admission.promotion.development-moderator-token")),
                    xmpp(config, admission), eventSync(config, admission), operation(config));
        } catch (ConfigException e) {
            // Typesafe's messages name the origin (file: line) and the key.
            throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
        }
    }

    private static ServerSettings.Rest rest(Config c) {
        return new ServerSettings.Rest(c.getString("jicofo.rest.host"), c.getInt("jicofo.rest.port"),
                c.getBoolean("jicofo.rest.conference-request.enabled"));
    }

    private static ServerSettings.Operation operation(Config c) {
        return new ServerSettings.Operation(EngineSettings.storePath(c), EngineSettings.storeWriteInterval(c),
                c.getDuration("admission.http.shutdown-grace"),
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
        EntityBareJid focus = ConfigValues.jid(c.getString("jicofo.xmpp.client.username") + "@"
                + c.getString("jicofo.xmpp.client.domain"), "jicofo.xmpp.client.domain");
        Optional<Boolean> sip = c.hasPath("admission.http.sip-gateway-enabled")
                ? Optional.of(c.getBoolean("admission.http.sip-gateway-enabled")) : Optional.empty();
        return new HttpSettings((int) maxBody, c.getStringList("admission.http.cors-allowed-origins"),
                focus, ConfigValues.domain(c.getString("jicofo.xmpp.client.conference-muc-jid"), "jicofo.xmpp.client.conference-muc-jid"),
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
            String base = "jicofo.xmpp.visitors." + ConfigValues.quoted(node.id());
            Config n = c.getConfig(base);
            DomainBareJid xmppDomain = domain(n, "xmpp-domain", base);
            DomainBareJid service = n.hasPath("conference-service") ? domain(n, "conference-service", base)
                    : ConfigValues.domain("conference." + xmppDomain, base + ".conference-service");
            nodes.put(node.id(), account(n, base, domain(n, "domain", base), xmppDomain, service));
        }
        String component = c.getString("admission.xmpp.visitors-component-address").trim();
        Optional<Jid> componentAddress = Optional.empty();
        if (!component.isEmpty()) {
            try {
                componentAddress = Optional.of(JidCreate.from(ConfigValues.strict(component)));
            } catch (XmppStringprepException | IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid configuration 'admission.xmpp.visitors-component-address': '"
                        + component + "' is not a valid address", e);
            }
        }
        try {
            return Optional.of(new XmppSettings(main, componentAddress, domain(client, "conference-muc-jid",
                    "jicofo.xmpp.client"), nodes, c.getDuration("admission.xmpp.reply-timeout"),
                    c.getDuration("admission.xmpp.retry-min"), c.getDuration("admission.xmpp.retry-max"),
                    c.getInt("admission.xmpp.max-send-attempts"), c.getString("admission.xmpp.resource")));
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
            Config n = c.getConfig("jicofo.xmpp.visitors." + ConfigValues.quoted(node.id()));
            String key = "jicofo.xmpp.visitors." + node.id() + ".xmpp-domain";
            if (n.hasPath("xmpp-domain")) {
                nodes.put(node.id(), ConfigValues.domain(n.getString("xmpp-domain"), key));
            } else if (node.focusJid().getDomain().toString().startsWith("auth.")) {
                nodes.put(node.id(), ConfigValues.domain(node.focusJid().getDomain().toString().substring(5), key));
            }
        }
        return Optional.of(new EventSyncSettings(authorization,
                ConfigValues.domain(c.getString("jicofo.xmpp.client.xmpp-domain"), "jicofo.xmpp.client.xmpp-domain"),
                ConfigValues.domain(c.getString("jicofo.xmpp.client.conference-muc-jid"), "jicofo.xmpp.client.conference-muc-jid"),
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
        return ConfigValues.domain(block.getString(key), base + "." + key);
    }

    private static ServerSettings.Tokens tokens(Config c) {
        String secret = c.getString("admission.jwt.hs256-secret");
        return new ServerSettings.Tokens(secret.isEmpty() ? Optional.empty() : Optional.of(secret),
                c.getStringList("admission.jwt.rs256-public-keys"), c.getStringList("admission.jwt.audiences"),
                c.getStringList("admission.jwt.issuers"), c.getDuration("admission.jwt.leeway"));
    }

}
