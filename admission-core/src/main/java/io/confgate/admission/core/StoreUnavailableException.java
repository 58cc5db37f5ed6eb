package io.confgate.admission.core;

/**
 * The engine's store cannot be used at start: its directory cannot be created or written, or another process
 * holds it. The message is one line saying what is wrong and what to do; a server prints it and exits, since
 * starting without the store would lose every room it keeps, and taking it over would let two processes
 * overwrite each other's rooms.
 */
public final class StoreUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A refusal with a one-line {@code message}. */
    public StoreUnavailableException(String message) {
        super(message, null, false, false);
    }
}
