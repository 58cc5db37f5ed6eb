package io.confgate.admission.http.internal;

import io.confgate.admission.http.HttpObserver;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Reports every answer of the wrapped handler (endpoint, status, time since the request arrived) when
 * it completes, long polls included. Jetty's own {@code LatencyRecordingHandler} gives the time but not
 * the status, which the metrics label by.
 */
public final class ResponseTimer extends Handler.Wrapper {
    private final String endpoint;
    private final HttpObserver observer;

    public ResponseTimer(String endpoint, HttpObserver observer, Handler handler) {
        super(handler);
        this.endpoint = endpoint;
        this.observer = observer;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long start = System.nanoTime();
        Callback timed = Callback.from(callback, () -> observer.responded(endpoint, response.getStatus(),
                System.nanoTime() - start));
        return super.handle(request, response, timed);
    }
}
