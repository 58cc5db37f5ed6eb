package io.confgate.admission;

import java.time.Duration;
import java.util.Objects;

/**
 * The one retry schedule of the edges (XMPP reconnects, component discovery, node-room joins and
 * connect-vnode / disconnect-vnode sends): {@code first}, then doubled each attempt, never longer than
 * {@code max}. A value, so every retry reads the same rule.
 *
 * @param first the delay before the second attempt
 * @param max   the longest delay
 */
public record Backoff(Duration first, Duration max) {
    public Backoff {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(max, "max");
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < first <= max, was " + first + " .. " + max);
        }
    }

    /** The delay after failed attempt number {@code attempt} (1 for the first failure). */
    public Duration delay(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempts count from 1, was " + attempt);
        }
        // Past 2^20 the doubling only overflows; max has long been reached.
        Duration delay = first.multipliedBy(1L << Math.min(attempt - 1, 20));
        return delay.compareTo(max) > 0 ? max : delay;
    }
}
