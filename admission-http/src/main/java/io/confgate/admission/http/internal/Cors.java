package io.confgate.admission.http.internal;

import io.confgate.admission.http.ServerSettings;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** CORS for the endpoints browsers call: allowed origins from {@code admission.http.cors-allowed-origins}. */
public final class Cors {
    private Cors() {
    }

    /** Adds the allow-origin headers when the request's origin is allowed; returns whether it is. */
    public static boolean apply(Request request, Response response, ServerSettings.Http http) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        boolean allowed = origin != null && http.allowsOrigin(origin);
        if (allowed) {
            response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN,
                    http.corsAllowedOrigins().contains("*") ? "*" : origin);
            response.getHeaders().put(HttpHeader.VARY, "Origin");
        }
        return allowed;
    }

    /** Answers an allowed preflight. */
    public static int preflight(Response response, Callback callback, String methods) {
        HttpReplies.settleBody(response);
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, methods);
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type, Authorization");
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_MAX_AGE, "86400");
        response.setStatus(HttpStatus.NO_CONTENT_204);
        callback.succeeded();
        return HttpStatus.NO_CONTENT_204;
    }
}
