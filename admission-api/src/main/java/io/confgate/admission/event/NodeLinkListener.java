package io.confgate.admission.event;

/**
 * SPI: receives {@link NodeLinkEvent}s. Called synchronously, in order per room, while the engine holds
 * that room's lock; implementations must hand the work off (e.g. send the IQ asynchronously) and never
 * block. An exception thrown here is logged and does not affect the decision.
 */
@FunctionalInterface
public interface NodeLinkListener {

    void onNodeLink(NodeLinkEvent event);

    /** A listener that does nothing. */
    static NodeLinkListener none() {
        return event -> { };
    }
}
