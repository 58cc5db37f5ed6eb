package io.confgate.admission.core.internal;

/**
 * One reading of the ticker and the wall clock together, to turn a deadline in ticker nanos into epoch
 * milliseconds for {@link RoomStore} and back: the ticker means nothing to the next process.
 */
record WallClock(long nanos, long millis) {

    static WallClock now(io.confgate.admission.Ticker ticker, java.time.Clock clock) {
        return new WallClock(ticker.read(), clock.millis());
    }

    long toMillis(long tickerNanos) {
        return millis + Math.floorDiv(tickerNanos - nanos, 1_000_000L);
    }

    long toNanos(long epochMillis) {
        return nanos + (epochMillis - millis) * 1_000_000L;
    }
}
