package io.confgate.admission.promotion;

import java.util.List;
import java.util.Objects;

/** The outcome of a promotion call: done (with the hands it touched), or refused with a reason and nothing changed. */
public sealed interface PromotionResult permits PromotionResult.Done, PromotionResult.Refused {

    /** The call took effect; {@code hands} are the hands it returned or changed, in request order. */
    record Done(List<Hand> hands) implements PromotionResult {
        public Done {
            hands = List.copyOf(hands);
        }

        /** The single hand of a one-hand call. */
        public Hand hand() {
            if (hands.size() != 1) {
                throw new IllegalStateException("this result holds " + hands.size() + " hands");
            }
            return hands.get(0);
        }
    }

    /** Nothing changed. */
    record Refused(PromotionError error, String message) implements PromotionResult {
        public Refused {
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(message, "message");
        }
    }
}
