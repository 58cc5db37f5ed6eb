package io.confgate.admission.http.internal;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Reads and drops a body whose declared length is over the limit before the wrapped handler refuses it (413),
 * when it is at most {@link #DRAIN_FACTOR} times the limit. Answering first and closing while the client is still
 * sending makes the kernel reset the connection, and the client then loses the 413 it was sent ("header parser
 * received no bytes" in the suite, on a warm JVM that answers fast). A body larger than that is refused at once:
 * reading it would cost more than the reset.
 */
public final class OversizedBodies extends Handler.Wrapper {
    /** How much more than the limit is read and dropped to deliver a 413 (a few body sizes, never a flood). */
    static final int DRAIN_FACTOR = 4;

    private final long limit;

    public OversizedBodies(long limit, Handler handler) {
        super(handler);
        this.limit = limit;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long length = request.getLength();
        if (length <= limit || length > limit * DRAIN_FACTOR) {
            return super.handle(request, response, callback);
        }
        Content.Source.consumeAll(request, Callback.from(() -> {
            try {
                if (!super.handle(request, response, callback)) {
                    Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
                }
            } catch (Throwable x) {
                callback.failed(x);
            }
        }, callback::failed));
        return true;
    }
}
