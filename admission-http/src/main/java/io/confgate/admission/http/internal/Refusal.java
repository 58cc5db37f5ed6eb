package io.confgate.admission.http.internal;

import org.eclipse.jetty.http.HttpStatus;

/** An answer other than 200 that the caller can act on: the status, a code and a message; nothing was changed. */
public final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;

    public Refusal(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public static Refusal badInput(String message) {
        return new Refusal(HttpStatus.BAD_REQUEST_400, "BAD_INPUT", message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
