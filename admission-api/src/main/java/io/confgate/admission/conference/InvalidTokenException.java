package io.confgate.admission.conference;

/** A token that fails verification against a configured key; the message says why and is safe to return. */
public final class InvalidTokenException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidTokenException(String message) {
        super(message, null, false, false);
    }
}
