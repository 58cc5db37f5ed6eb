package io.confgate.admission.event;

import io.confgate.admission.promotion.Hand;
import java.util.Objects;
import org.jxmpp.jid.EntityBareJid;

/** Something a focus acts on in promotion: notify moderators, answer a visitor node, move a demoted member. */
public sealed interface PromotionEvent permits PromotionEvent.HandRaised, PromotionEvent.HandDecided,
        PromotionEvent.Demoted {

    /** The room it concerns. */
    EntityBareJid room();

    /** A hand now waits for a moderator: tell the room's moderators. */
    record HandRaised(Hand hand) implements PromotionEvent {
        public HandRaised {
            Objects.requireNonNull(hand, "hand");
        }

        @Override
        public EntityBareJid room() {
            return hand.room();
        }
    }

    /**
     * A hand reached a final state: approved (at once or by a moderator; it carries the ticket), denied,
     * withdrawn or expired. Tell the visitor (through its node) and update moderators' lists.
     */
    record HandDecided(Hand hand) implements PromotionEvent {
        public HandDecided {
            Objects.requireNonNull(hand, "hand");
        }

        @Override
        public EntityBareJid room() {
            return hand.room();
        }
    }

    /** A moderator demoted a main participant; the focus moves it to a visitor node. */
    record Demoted(EntityBareJid room, String memberKey) implements PromotionEvent {
        public Demoted {
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(memberKey, "memberKey");
        }
    }
}
