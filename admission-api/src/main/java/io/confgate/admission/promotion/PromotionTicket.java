package io.confgate.admission.promotion;

import java.time.Duration;
import java.util.Objects;
import org.jxmpp.jid.EntityBareJid;

/**
 * Proof of an approval: single use, bound to one room and one visitor identity, valid for a while. The
 * visitor's next conference request that carries it (or that comes from the same identity) is placed in
 * the main room even when the room is full.
 *
 * @param id        the opaque ticket value (128 random bits, URL-safe)
 * @param room      the room it admits to
 * @param memberKey the visitor it is bound to ({@link io.confgate.admission.Identity#memberKey()})
 * @param validFor  how long it was valid when issued
 */
public record PromotionTicket(String id, EntityBareJid room, String memberKey, Duration validFor) {
    public PromotionTicket {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(memberKey, "memberKey");
        Objects.requireNonNull(validFor, "validFor");
    }

    @Override
    public String toString() {
        // The id is a bearer credential: keep it out of logs.
        return "PromotionTicket{room=" + room + ", memberKey=" + memberKey + ", validFor=" + validFor + '}';
    }
}
