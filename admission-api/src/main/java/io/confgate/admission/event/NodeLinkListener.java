package io.confgate.admission.event;

/**
 * SPI: receives {@link NodeLinkEvent}s. Called synchronously, in the order the engine made them per
 * room, just after the room's lock is released (a room's decisions never wait for it, but that room's
 * next link changes do); implementations should hand the work off (e.g. send the IQ asynchronously). An exception thrown here is logged and does not affect the decision.
 */
@FunctionalInterface
public interface NodeLinkListener {

    void onNodeLink(NodeLinkEvent event);

    /** A listener that does nothing. */
    static NodeLinkListener none() {
        return event -> { };
    }
}
