package io.confgate.admission.event;

/**
 * SPI: receives {@link PromotionEvent}s. Called synchronously, in order per room, while the engine holds
 * that room's lock; implementations hand the work off and never block. An exception thrown here is
 * logged and changes nothing.
 */
@FunctionalInterface
public interface PromotionListener {

    void onPromotion(PromotionEvent event);

    /** A listener that does nothing. */
    static PromotionListener none() {
        return event -> { };
    }
}
