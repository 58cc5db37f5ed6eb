package io.confgate.admission.server;

import com.typesafe.config.Config;
import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.http.EventSyncSettings;
import io.confgate.admission.http.HttpSettings;
import io.confgate.admission.server.internal.HoconSettings;
import io.confgate.admission.xmpp.XmppSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the HTTP server runs with: the engine's configuration plus the HTTP, REST and token
 * settings. Load it with {@link #load(Optional)} (an operator's HOCON file over the reference defaults,
 * or the embedded reference deployment when no file is given) or {@link #fromConfig(Config)}.
 *
 * @param admission the engine configuration ({@code jicofo.visitors.*}, {@code jicofo.xmpp.visitors.*})
 * @param rest      where to listen ({@code jicofo.rest.*})
 * @param http      request handling ({@code admission.http.*}, {@code jicofo.authentication.enabled},
 *                  {@code admission.promotion.max-wait})
 * @param tokens     token verification ({@code admission.jwt.*})
 * @param moderation moderator endpoints ({@code admission.promotion.*} beyond the engine's settings)
 * @param xmpp       XMPP signaling to the visitors component and the nodes, when
 *                   {@code admission.xmpp.enabled} ({@code jicofo.xmpp.client}, {@code jicofo.xmpp.visitors.*},
 *                   {@code admission.xmpp.*}); empty runs HTTP only
 * @param eventSync  mod_event_sync_component's reports under {@code /event-sync}, when
 *                   {@code admission.event-sync.authorization} is set
 * @param operation  the store, the drain and the connection bounds ({@code admission.store.*},
 *                   {@code admission.http.*})
 */
public record ServerSettings(AdmissionConfig admission, Rest rest, HttpSettings http, Tokens tokens, Moderation moderation,
                             Optional<XmppSettings> xmpp, Optional<EventSyncSettings> eventSync, Operation operation) {

    public ServerSettings {
        Objects.requireNonNull(admission, "admission");
        Objects.requireNonNull(rest, "rest");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(moderation, "moderation");
        Objects.requireNonNull(xmpp, "xmpp");
        Objects.requireNonNull(eventSync, "eventSync");
        Objects.requireNonNull(operation, "operation");
        xmpp.ifPresent(x -> x.nodes().keySet().forEach(id -> {
            if (admission.nodes().stream().noneMatch(n -> n.id().equals(id))) {
                throw new IllegalArgumentException("invalid configuration 'jicofo.xmpp.visitors." + id
                        + "': an XMPP account for a node that is not a visitor node");
            }
        }));
    }

    /** Settings without XMPP signaling or event-sync. */
    public ServerSettings(AdmissionConfig admission, Rest rest, HttpSettings http, Tokens tokens,
                          Moderation moderation) {
        this(admission, rest, http, tokens, moderation, Optional.empty(), Optional.empty(), Operation.inMemory());
    }

    /** Settings with no development moderator token and no XMPP. */
    public ServerSettings(AdmissionConfig admission, Rest rest, HttpSettings http, Tokens tokens) {
        this(admission, rest, http, tokens, Moderation.defaults());
    }

    /**
     * Loads the file at {@code path} over the reference defaults, or the embedded reference deployment
     * when {@code path} is empty.
     *
     * @throws IllegalArgumentException naming the key and the reason when the configuration is invalid
     */
    public static ServerSettings load(Optional<Path> path) {
        return HoconSettings.load(path);
    }

    /** Reads settings from an already-resolved config (the reference defaults should be its fallback). */
    public static ServerSettings fromConfig(Config config) {
        return HoconSettings.read(config);
    }

    /** The same settings with another port ({@code 0}: any free port). */
    public ServerSettings withPort(int port) {
        return new ServerSettings(admission, new Rest(rest.host(), port, rest.conferenceRequestEnabled()), http, tokens,
                moderation, xmpp, eventSync, operation);
    }

    /** The same settings with other token settings. */
    public ServerSettings withTokens(Tokens newTokens) {
        return new ServerSettings(admission, rest, http, newTokens, moderation, xmpp, eventSync, operation);
    }

    /** The same settings with another engine configuration. */
    public ServerSettings withAdmission(AdmissionConfig newAdmission) {
        return new ServerSettings(newAdmission, rest, http, tokens, moderation, xmpp, eventSync, operation);
    }

    /** The same settings with other request handling. */
    public ServerSettings withHttp(HttpSettings newHttp) {
        return new ServerSettings(admission, rest, newHttp, tokens, moderation, xmpp, eventSync, operation);
    }

    /** The same settings with other moderation settings. */
    public ServerSettings withModeration(Moderation newModeration) {
        return new ServerSettings(admission, rest, http, tokens, newModeration, xmpp, eventSync, operation);
    }

    /** The same settings with other event-sync settings (empty: not served). */
    public ServerSettings withEventSync(Optional<EventSyncSettings> newEventSync) {
        return new ServerSettings(admission, rest, http, tokens, moderation, xmpp, newEventSync, operation);
    }

    /** The same settings with another store, drain and connection bounds. */
    public ServerSettings withOperation(Operation newOperation) {
        return new ServerSettings(admission, rest, http, tokens, moderation, xmpp, eventSync, newOperation);
    }

    /**
     * How the server keeps its state and stops.
     *
     * @param storePath          {@code admission.store.path}: the directory of the store a restart resumes from
     *                           (mount it as a volume); empty keeps everything in memory
     * @param writeInterval      {@code admission.store.write-interval}: how often changes are written; a kill -9
     *                           loses at most this much
     * @param shutdownGrace      {@code admission.http.shutdown-grace}: after SIGTERM, how long the drain may take
     *                           in all before the server stops
     * @param drainDelay         {@code admission.http.drain-delay}: the first part of it, answering as usual with
     *                           health 503, so a load balancer stops sending before connections are refused
     * @param idleTimeout        {@code admission.http.idle-timeout}: a connection silent this long is closed
     * @param maxConnections     {@code admission.http.max-connections}: connections accepted at once
     * @param minRequestDataRate {@code admission.http.min-request-data-rate}: bytes per second below which a
     *                           request body is cut off
     */
    public record Operation(Optional<Path> storePath, Duration writeInterval, Duration shutdownGrace,
                            Duration drainDelay, Duration idleTimeout, int maxConnections, long minRequestDataRate) {
        public Operation {
            Objects.requireNonNull(storePath, "storePath");
            positive(writeInterval, "admission.store.write-interval");
            positive(shutdownGrace, "admission.http.shutdown-grace");
            Objects.requireNonNull(drainDelay, "drainDelay");
            if (drainDelay.isNegative() || drainDelay.compareTo(shutdownGrace) >= 0) {
                throw new IllegalArgumentException("invalid configuration 'admission.http.drain-delay': must be >= 0"
                        + " and shorter than admission.http.shutdown-grace");
            }
            positive(idleTimeout, "admission.http.idle-timeout");
            if (maxConnections < 1) {
                throw new IllegalArgumentException("invalid configuration 'admission.http.max-connections': must be >= 1");
            }
            if (minRequestDataRate < 0) {
                throw new IllegalArgumentException(
                        "invalid configuration 'admission.http.min-request-data-rate': must be >= 0");
            }
        }

        /** No store; the reference defaults ({@code admission-reference.conf}, their one place) for the rest. */
        public static Operation inMemory() {
            return HoconSettings.referenceDefaults().operation().withStorePath(Optional.empty());
        }

        /** The same with a store in {@code directory} (empty: in memory). */
        public Operation withStorePath(Optional<Path> directory) {
            return new Operation(directory, writeInterval, shutdownGrace, drainDelay, idleTimeout, maxConnections,
                    minRequestDataRate);
        }

        /** The same with another drain delay. */
        public Operation withDrainDelay(Duration delay) {
            return new Operation(storePath, writeInterval, shutdownGrace, delay, idleTimeout, maxConnections,
                    minRequestDataRate);
        }

        private static void positive(Duration d, String key) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("invalid configuration '" + key + "': must be a positive duration");
            }
        }
    }

    /** The same settings with other XMPP settings (empty: HTTP only). */
    public ServerSettings withXmpp(Optional<XmppSettings> newXmpp) {
        return new ServerSettings(admission, rest, http, tokens, moderation, newXmpp, eventSync, operation);
    }

    /**
     * The moderator endpoints under {@code /conference-request/v1/promotion/}.
     *
     * @param developmentModeratorToken {@code admission.promotion.development-moderator-token}: with no
     *                                  JWT key configured, sign a moderator token with a random key at
     *                                  start and accept it (never in production)
     */
    public record Moderation(boolean developmentModeratorToken) {
        public static Moderation defaults() {
            return new Moderation(false);
        }
    }

    /**
     * {@code jicofo.rest}.
     *
     * @param host                     the address to bind
     * @param port                     the port; 0 picks a free one
     * @param conferenceRequestEnabled {@code jicofo.rest.conference-request.enabled}
     */
    public record Rest(String host, int port, boolean conferenceRequestEnabled) {
        public Rest {
            Objects.requireNonNull(host, "host");
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("invalid configuration 'jicofo.rest.port': must be 0..65535, was "
                        + port);
            }
        }
    }

    /**
     * Token verification. With no secret and no key, claims are read unverified.
     *
     * @param hs256Secret     the HS256 shared secret, if any
     * @param rs256PublicKeys RS256 public keys in PEM form
     * @param audiences       accepted {@code aud} values; empty accepts any
     * @param issuers         accepted {@code iss} values; empty accepts any
     * @param leeway          tolerated clock skew on {@code exp} and {@code nbf}
     */
    public record Tokens(Optional<String> hs256Secret, List<String> rs256PublicKeys, List<String> audiences,
                         List<String> issuers, Duration leeway) {
        public Tokens {
            Objects.requireNonNull(hs256Secret, "hs256Secret");
            rs256PublicKeys = List.copyOf(rs256PublicKeys);
            audiences = List.copyOf(audiences);
            issuers = List.copyOf(issuers);
            Objects.requireNonNull(leeway, "leeway");
        }

        /** No verification: claims are read for placement only. */
        public static Tokens unverified() {
            return HoconSettings.referenceDefaults().tokens();
        }

        /** Whether any key is configured, i.e. tokens are verified. */
        public boolean verifying() {
            return hs256Secret.isPresent() || !rs256PublicKeys.isEmpty();
        }
    }
}
