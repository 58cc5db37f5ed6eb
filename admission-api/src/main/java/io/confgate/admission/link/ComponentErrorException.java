package io.confgate.admission.link;

/**
 * The visitors component answered a {@code connect-vnode} or {@code disconnect-vnode} with an error (as opposed to
 * no answer, a {@link java.util.concurrent.TimeoutException}, or a connection that is down). Older
 * {@code mod_visitors_component} versions answer a {@code disconnect-vnode} for a conference they never connected
 * with one; a reset of a link takes it as "nothing to forget".
 */
public final class ComponentErrorException extends Exception {
    private static final long serialVersionUID = 1L;

    public ComponentErrorException(String message) {
        super(message);
    }
}
