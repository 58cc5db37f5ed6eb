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
 */
public record HttpSettings(int maxBodyBytes, List<String> corsAllowedOrigins, EntityBareJid mainFocusJid,
                           DomainBareJid conferenceService, boolean authentication,
                           Optional<Boolean> sipGatewayEnabled, Duration maxWait) {
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
        if (maxWait.isNegative() || maxWait.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException(
                    "invalid configuration 'admission.promotion.max-wait': must be 0 .. 5 minutes, was " + maxWait);
        }
    }

    /** The same settings with other CORS origins. */
    public HttpSettings withCorsAllowedOrigins(List<String> origins) {
        return new HttpSettings(maxBodyBytes, origins, mainFocusJid, conferenceService, authentication,
                sipGatewayEnabled, maxWait);
    }

    /** The same settings with another {@code sipGatewayEnabled} property. */
    public HttpSettings withSipGatewayEnabled(Optional<Boolean> value) {
        return new HttpSettings(maxBodyBytes, corsAllowedOrigins, mainFocusJid, conferenceService, authentication,
                value, maxWait);
    }
}
