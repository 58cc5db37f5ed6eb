package io.confgate.admission;

/**
 * What an engine's store did since the start, for metrics.
 *
 * @param writes        commits written (one per write interval with changes, and one at a clean stop)
 * @param writeFailures writes that failed (each retried at the next interval)
 * @param roomsDropped  stored rooms that could not be read at start and were left out (each named in a WARN)
 * @param itemsDropped  parts of rooms (a place, a visitor, a hand, a ticket, a node state) that could not be read
 *                      at start, or name a node no longer configured, and were left out (named in a WARN per room)
 * @param recoveries    starts that went on with less than was last written: a damaged or missing file, kept
 *                      aside and named in an ERROR (0 or 1 per process)
 */
public record StoreStats(long writes, long writeFailures, long roomsDropped, long itemsDropped, long recoveries) {
}
