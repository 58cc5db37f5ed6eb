package io.confgate.admission.http;

/** A token that cannot be decoded or fails verification; the message says why and is safe to return. */
public final class InvalidTokenException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidTokenException(String message) {
        super(message);
    }
}
