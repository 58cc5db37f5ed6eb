package io.confgate.admission;

/**
 * Engine-wide totals, for metrics.
 *
 * @param rooms            conferences tracked
 * @param mainMembers      counted members in main rooms
 * @param reservedSeats    main seats held for members not joined yet
 * @param visitors         joined visitors
 * @param pendingRedirects redirects not yet confirmed by a join
 * @param hands            hands kept (pending, or decided and remembered for status polls)
 * @param tickets          tickets known (live, used or expired, until forgotten)
 * @param trackedVisitors  visitors whose raise-hand count of the last minute is kept
 * @param waitingLinks     conferences whose node link waits for members answered "main room"
 *                         ({@code admission.link.seat-grace})
 * @param seatsGivenUp     seats given up since the start because a link was made before their holders came
 */
public record EngineTotals(int rooms, int mainMembers, int reservedSeats, int visitors, int pendingRedirects,
                           int hands, long tickets, long trackedVisitors, int waitingLinks, long seatsGivenUp) {

    /** Totals with no promotion state and no links. */
    public EngineTotals(int rooms, int mainMembers, int reservedSeats, int visitors, int pendingRedirects) {
        this(rooms, mainMembers, reservedSeats, visitors, pendingRedirects, 0, 0, 0, 0, 0);
    }
}
