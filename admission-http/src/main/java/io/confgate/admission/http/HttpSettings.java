package io.confgate.admission.http;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.EntityBareJid;

/**
 * How the handlers answer.
 *
 * @param maxBodyBytes       largest accepted body; larger gets 413 ({@code admission.http.max-body-size})
 * @param corsAllowedOrigins origins allowed by CORS, exactly as written; {@code "*"} allows any
 * @param mainFocusJid       the focus address in main-room answers ({@code jicofo.xmpp.client} username@domain)
 * @param conferenceService  the main MUC domain ({@code jicofo.xmpp.client.conference-muc-jid}): a
 *                           {@code ?room=} query naming a room without its domain is a room there
 * @param authentication     the {@code authentication} property of answers ({@code jicofo.authentication.enabled})
 * @param sipGatewayEnabled  the {@code sipGatewayEnabled} property of answers, when configured
 * @param maxWait            the longest long poll of {@code promotion/status?wait=}
 * @param clients            how promotion calls are limited per client
 */
public record HttpSettings(int maxBodyBytes, List<String> corsAllowedOrigins, EntityBareJid mainFocusJid,
                           DomainBareJid conferenceService, boolean authentication,
                           Optional<Boolean> sipGatewayEnabled, Duration maxWait, ClientLimits clients) {

    /**
     * The per-client bound on promotion calls (Jetty's {@code DoSHandler}), keyed on the connection's
     * address, or on the address a trusted proxy forwards.
     *
     * @param requestsPerSecond {@code admission.http.promotion-requests-per-client-per-second}
     * @param maxClients        {@code admission.http.max-tracked-clients}: clients tracked at once; past it
     *                          new ones are refused (429) until old ones go idle
     * @param trustedProxies    {@code admission.http.trusted-proxies}: addresses, CIDR blocks, {@code loopback} or
     *                          {@code private}, whose {@code X-Forwarded-For} names the client (nginx, HAProxy);
     *                          others' headers are ignored
     */
    public record ClientLimits(int requestsPerSecond, int maxClients, List<String> trustedProxies) {
        public ClientLimits {
            if (requestsPerSecond < 1) {
                throw new IllegalArgumentException("invalid configuration "
                        + "'admission.http.promotion-requests-per-client-per-second': must be >= 1");
            }
            if (maxClients < 1) {
                throw new IllegalArgumentException("invalid configuration 'admission.http.max-tracked-clients': "
                        + "must be >= 1");
            }
            trustedProxies = List.copyOf(trustedProxies);
            io.confgate.admission.http.internal.TrustedProxies.of(trustedProxies); // validated here, at the edge
        }

        /** 5 calls per second per client, 10,000 clients, loopback and private proxies trusted. */
        public static ClientLimits defaults() {
            return new ClientLimits(5, 10_000, io.confgate.admission.http.internal.TrustedProxies.DEFAULT);
        }
    }

    /** Settings with the default client limits. */
    public HttpSettings(int maxBodyBytes, List<String> corsAllowedOrigins, EntityBareJid mainFocusJid,
                        DomainBareJid conferenceService, boolean authentication, Optional<Boolean> sipGatewayEnabled,
                        Duration maxWait) {
        this(maxBodyBytes, corsAllowedOrigins, mainFocusJid, conferenceService, authentication, sipGatewayEnabled,
                maxWait, ClientLimits.defaults());
    }
    public HttpSettings {
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException(
                    "invalid configuration 'admission.http.max-body-size': must be at least 1 byte");
        }
        corsAllowedOrigins = List.copyOf(corsAllowedOrigins);
        Objects.requireNonNull(mainFocusJid, "mainFocusJid");
        Objects.requireNonNull(conferenceService, "conferenceService");
        Objects.requireNonNull(sipGatewayEnabled, "sipGatewayEnabled");
        Objects.requireNonNull(maxWait, "maxWait");
        Objects.requireNonNull(clients, "clients");
        if (maxWait.isNegative() || maxWait.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException(
                    "invalid configuration 'admission.promotion.max-wait': must be 0 .. 5 minutes, was " + maxWait);
        }
    }

    /** The same settings with other CORS origins. */
    public HttpSettings withCorsAllowedOrigins(List<String> origins) {
        return new HttpSettings(maxBodyBytes, origins, mainFocusJid, conferenceService, authentication,
                sipGatewayEnabled, maxWait, clients);
    }

    /** The same settings with another {@code sipGatewayEnabled} property. */
    public HttpSettings withSipGatewayEnabled(Optional<Boolean> value) {
        return new HttpSettings(maxBodyBytes, corsAllowedOrigins, mainFocusJid, conferenceService, authentication,
                value, maxWait, clients);
    }

    /** The same settings with other client limits. */
    public HttpSettings withClients(ClientLimits value) {
        return new HttpSettings(maxBodyBytes, corsAllowedOrigins, mainFocusJid, conferenceService, authentication,
                sipGatewayEnabled, maxWait, value);
    }
}
