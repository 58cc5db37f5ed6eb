package io.confgate.admission.link;

/**
 * What a {@link NodeLinker} did so far, for metrics.
 *
 * @param acknowledged {@code connect-vnode} / {@code disconnect-vnode} answered by the component
 * @param failures     failed attempts at a step (each retried or, at the last attempt, given up)
 * @param dropped      steps given up after the last attempt
 * @param resets       links made again from scratch ({@code disconnect-vnode} first): the first link of a
 *                     conference to a node after a start, or one whose node room ended while still needed
 * @param connected    conference-node links connected now
 */
public record LinkStats(long acknowledged, long failures, long dropped, long resets, int connected) {
}
