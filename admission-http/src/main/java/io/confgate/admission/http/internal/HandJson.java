package io.confgate.admission.http.internal;

import io.confgate.admission.promotion.Hand;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A raised hand as the promotion endpoints show it. */
public final class HandJson {
    private HandJson() {
    }

    /**
     * The hand's fields; {@code withTicket} only for its own visitor (a ticket is the visitor's credential,
     * so moderators never see it).
     */
    public static Map<String, Object> of(Hand hand, boolean withTicket) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("requestId", hand.requestId());
        json.put("room", hand.room().toString());
        json.put("state", hand.state().name().toLowerCase(Locale.ROOT));
        json.put("reason", hand.reason().name());
        json.put("memberKey", hand.memberKey());
        hand.userId().ifPresent(v -> json.put("userId", v));
        hand.displayName().ifPresent(v -> json.put("displayName", v));
        hand.nodeId().ifPresent(v -> json.put("vnode", v));
        if (withTicket) {
            hand.ticket().ifPresent(t -> {
                json.put("ticket", t.id());
                json.put("ticketValidForSeconds", t.validFor().toSeconds());
            });
        }
        return json;
    }
}
