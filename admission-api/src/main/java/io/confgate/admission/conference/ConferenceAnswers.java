package io.confgate.admission.conference;

import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.Decision;
import io.confgate.admission.Reason;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jxmpp.jid.EntityBareJid;

/**
 * Turns a {@link Decision} into the {@link ConferenceAnswer} Jitsi Meet clients expect, for HTTP and
 * XMPP alike: {@code ready}, {@code focusJid} (the node's focus for a visitor, as Jicofo's
 * {@code ConferenceIqHandler} sets it), {@code vnode}, and the properties {@code visitors-supported},
 * {@code authentication}, {@code sipGatewayEnabled} (when configured), {@code ready=false} for a queued client
 * (with {@code live=false} when the room is not live) and {@code promoted=true} for a redeemed promotion.
 */
public final class ConferenceAnswers {
    private static final int VISITORS_SUPPORTED = 1;
    private static final int PROMOTED = 2;
    private static final int QUEUED = 4;

    private final String mainFocusJid;
    private final boolean visitorsConfigured;
    /** The few property sets an answer can carry, made once: index = the flags above. */
    private final List<Map<String, String>> propertySets;

    /**
     * @param config            the engine's configuration (visitors enabled, nodes configured)
     * @param mainFocusJid      the focus of main-room answers ({@code jicofo.xmpp.client} username@domain)
     * @param authentication    the {@code authentication} property ({@code jicofo.authentication.enabled})
     * @param sipGatewayEnabled the {@code sipGatewayEnabled} property, when configured
     */
    public ConferenceAnswers(AdmissionConfig config, EntityBareJid mainFocusJid, boolean authentication,
                             Optional<Boolean> sipGatewayEnabled) {
        this.mainFocusJid = Objects.requireNonNull(mainFocusJid, "mainFocusJid").toString();
        this.visitorsConfigured = config.enabled() && !config.nodes().isEmpty();
        Objects.requireNonNull(sipGatewayEnabled, "sipGatewayEnabled");
        List<Map<String, String>> sets = new ArrayList<>();
        for (int flags = 0; flags < 8; flags++) {
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put("visitors-supported", Boolean.toString((flags & VISITORS_SUPPORTED) != 0));
            properties.put("authentication", Boolean.toString(authentication));
            sipGatewayEnabled.ifPresent(sip -> properties.put("sipGatewayEnabled", sip.toString()));
            if ((flags & PROMOTED) != 0) {
                properties.put("promoted", "true");
            }
            if ((flags & QUEUED) != 0) {
                properties.put("live", "false");
            }
            sets.add(Collections.unmodifiableMap(properties));
        }
        this.propertySets = List.copyOf(sets);
    }

    /**
     * The answer to send. A {@link Decision.Queued} and a {@link Decision.Refused} (a bound reached, no node for a
     * visitor) are answered {@code ready: false} without {@code live}: lib-jitsi-meet ({@code moderator.js},
     * {@code _handleSuccess}) asks again after 1, 2, 4 … up to 120 s, where any non-2xx status but a 400
     * {@code invalid-session} would end the join at once ({@code CONFERENCE_REQUEST_FAILED}). Only a room that is
     * not live is answered {@code properties.live = "false"}, which stops the client ({@code NOT_LIVE_ERROR}).
     *
     * @param sessionId         the request's session id, echoed
     * @param visitorsAvailable whether the visitors component is reachable now
     *                          ({@link io.confgate.admission.AdmissionEngine#visitorsAvailable()})
     */
    public ConferenceAnswer answer(Decision decision, Optional<String> sessionId, boolean visitorsAvailable) {
        // Jicofo: visitorsManager.enabled && (room's visitorsEnabled flag || !require-muc-config-flag).
        boolean supported = visitorsConfigured && visitorsAvailable && decision.reason() != Reason.ROOM_VISITORS_OFF;
        boolean notReady = decision instanceof Decision.Queued || decision instanceof Decision.Refused;
        boolean notLive = decision instanceof Decision.Queued && decision.reason() == Reason.NOT_LIVE;
        Map<String, String> properties = propertySets.get((supported ? VISITORS_SUPPORTED : 0)
                | (decision.reason() == Reason.PROMOTED ? PROMOTED : 0) | (notLive ? QUEUED : 0));
        String room = decision.room().toString();
        if (decision instanceof Decision.Visitor v) {
            return new ConferenceAnswer(room, true, v.node().focusJid().toString(), sessionId,
                    Optional.of(v.node().id()), properties);
        }
        return new ConferenceAnswer(room, !notReady, mainFocusJid, sessionId, Optional.empty(), properties);
    }

    /**
     * The properties of an answer that tells nothing about a room: what an answer while this server stops carries
     * (the client needs {@code properties} in every answer it reads).
     */
    public Map<String, String> baseProperties() {
        return propertySets.get(0);
    }
}
