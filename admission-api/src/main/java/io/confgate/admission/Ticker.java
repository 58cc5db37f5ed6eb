package io.confgate.admission;

/**
 * A source of monotonic time in nanoseconds. Every expiry in the engine (seat reservations, pending
 * redirects, promotion tickets) reads time through a ticker, so tests advance a fake one instead of
 * sleeping.
 */
@FunctionalInterface
public interface Ticker {

    /** Nanoseconds from an arbitrary, fixed origin; only differences are meaningful. */
    long read();

    /** The ticker backed by {@link System#nanoTime()}. */
    static Ticker systemTicker() {
        return SystemTicker.INSTANCE;
    }
}

enum SystemTicker implements Ticker {
    INSTANCE;

    @Override
    public long read() {
        return System.nanoTime();
    }
}
