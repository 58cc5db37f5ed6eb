package io.confgate.admission.link;

import io.confgate.admission.Backoff;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link NodeLinker} works.
 *
 * @param backoff      the delay before a failed step is tried again ({@code admission.xmpp.retry-min} doubled
 *                     up to {@code retry-max})
 * @param maxAttempts  attempts of one step in a row ({@code admission.xmpp.max-send-attempts}); after the last one
 *                     the step is counted as dropped and tried again after the longest backoff, or at once when
 *                     the link changes or the node's connection comes back
 * @param relinkSettle the pause between a {@code disconnect-vnode} that resets a link and the focus creating the
 *                     node's room again: the component answers once it sent {@code disconnect} to the node, which
 *                     may not have ended its room yet, and a room made before that would be ended by it
 * @param workers      links worked on at once (steps block on XMPP answers); links of different conferences
 *                     never wait on each other below this bound
 */
public record LinkSettings(Backoff backoff, int maxAttempts, Duration relinkSettle, int workers) {
    /** The settle the relink has always used: on one site s2s takes milliseconds; this leaves a wide margin. */
    public static final Duration DEFAULT_RELINK_SETTLE = Duration.ofSeconds(1);
    /**
     * Links worked on at once: a step waits on an XMPP answer (up to the reply timeout), and eight conferences
     * linking at the same instant is already a burst; a ninth waits for the first free worker, not for a node.
     */
    public static final int DEFAULT_WORKERS = 8;

    public LinkSettings {
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(relinkSettle, "relinkSettle");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        if (relinkSettle.isNegative()) {
            throw new IllegalArgumentException("relinkSettle must not be negative, was " + relinkSettle);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1, was " + workers);
        }
    }
}
