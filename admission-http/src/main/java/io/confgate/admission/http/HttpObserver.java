package io.confgate.admission.http;

import io.confgate.admission.Decision;

/**
 * SPI: what the handlers report as they answer, for metrics. Called on request threads; keep it cheap.
 * The standalone server records both in Prometheus.
 */
public interface HttpObserver {

    /** An answer went out: the endpoint's name, its status, and the time since the request arrived. */
    void responded(String endpoint, int status, long nanos);

    /** A conference request was placed. */
    default void decided(Decision decision) {
    }

    /**
     * A conference request's token failed verification: the request was placed as an anonymous client's (the
     * web client cannot act on a 403 there; Prosody's token authentication refuses a bad token at login).
     */
    default void tokenIgnored() {
    }

    /** A conference request arrived after the stop began and was answered not ready (the client asks again). */
    default void stopping() {
    }

    /** A request's {@code ?room=} named another room than its body, or was spelled otherwise (400). */
    default void roomMismatch() {
    }

    /** An observer that records nothing. */
    static HttpObserver none() {
        return (endpoint, status, nanos) -> { };
    }
}
