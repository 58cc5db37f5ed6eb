package io.confgate.admission;

/** How visitors are spread across visitor nodes. */
public enum BalancingPolicy {
    /**
     * Jicofo parity: a conference stays on the nodes it already uses while one of them has fewer than
     * {@code max-visitors-per-node} of its visitors, and opens the least-loaded node it does not use yet
     * only when all of those are full.
     */
    PACK,
    /** The least-loaded healthy node overall, load measured relative to capacity × weight. */
    SPREAD
}
