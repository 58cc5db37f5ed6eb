package io.confgate.admission;

/**
 * Engine-wide totals, for metrics.
 *
 * @param rooms            conferences tracked
 * @param mainMembers      counted members in main rooms
 * @param reservedSeats    main seats held for members not joined yet
 * @param visitors         joined visitors
 * @param pendingRedirects redirects not yet confirmed by a join
 */
public record EngineTotals(int rooms, int mainMembers, int reservedSeats, int visitors, int pendingRedirects) {
}
