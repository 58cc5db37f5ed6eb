package io.confgate.admission.http;

import java.util.Map;
import java.util.Objects;
import org.jxmpp.jid.DomainBareJid;

/**
 * Where mod_event_sync_component's reports come from, and the secret they carry.
 *
 * @param authorization     the exact {@code Authorization} header value the module sends (its {@code api_headers});
 *                          requests without it get 401 ({@code admission.event-sync.authorization})
 * @param mainXmppDomain    the main Prosody's virtual host ({@code jicofo.xmpp.client.xmpp-domain})
 * @param conferenceService the main MUC service ({@code jicofo.xmpp.client.conference-muc-jid}): its rooms
 *                          are main rooms
 * @param nodeDomains       node id → that node's virtual host ({@code jicofo.xmpp.visitors.<id>.xmpp-domain}):
 *                          rooms under it are the node's, and only occupants whose real JID is under it are
 *                          its visitors (main participants are mirrored into node rooms)
 */
public record EventSyncSettings(String authorization, DomainBareJid mainXmppDomain, DomainBareJid conferenceService,
                                Map<String, DomainBareJid> nodeDomains) {
    public EventSyncSettings {
        Objects.requireNonNull(authorization, "authorization");
        if (authorization.isBlank()) {
            throw new IllegalArgumentException("invalid configuration 'admission.event-sync.authorization': "
                    + "event-sync needs the Authorization value the Prosody module sends (its api_headers)");
        }
        Objects.requireNonNull(mainXmppDomain, "mainXmppDomain");
        Objects.requireNonNull(conferenceService, "conferenceService");
        nodeDomains = Map.copyOf(nodeDomains);
    }
}
