package io.confgate.admission.http.internal;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.CrossOriginHandler;
import org.eclipse.jetty.util.Callback;

/**
 * CORS for the endpoints browsers call, by Jetty's {@link CrossOriginHandler}: allowed origins get the
 * {@code Access-Control-Allow-*} headers. An {@code OPTIONS} request is answered here: 204 when the
 * origin is allowed, 403 otherwise; every other request goes on, with or without the headers.
 */
public final class Cors {
    private Cors() {
    }

    /**
     * Wraps {@code handler}. {@code origins} are taken literally (Jetty reads them as patterns, so each is
     * quoted); {@code "*"} allows any.
     */
    public static Handler wrap(Handler handler, List<String> origins, Set<String> methods) {
        CrossOriginHandler cors = new CrossOriginHandler();
        cors.setAllowedOriginPatterns(origins.stream()
                .map(o -> o.equals("*") ? "*" : Pattern.quote(o)).collect(Collectors.toSet()));
        cors.setAllowedMethods(methods);
        cors.setAllowedHeaders(Set.of("Content-Type", "Authorization"));
        cors.setPreflightMaxAge(Duration.ofDays(1));
        // Preflights come to us, so that a refused one gets an answer that says so.
        cors.setDeliverPreflightRequests(true);
        cors.setHandler(new Options(handler));
        return cors;
    }

    /** Answers OPTIONS by what the CORS handler decided; passes every other method on. */
    private static final class Options extends Handler.Wrapper {
        Options(Handler handler) {
            super(handler);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            if (!HttpMethod.OPTIONS.is(request.getMethod())) {
                return super.handle(request, response, callback);
            }
            if (response.getHeaders().contains(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN)) {
                HttpReplies.settleBody(response);
                response.setStatus(HttpStatus.NO_CONTENT_204);
                callback.succeeded();
            } else {
                HttpReplies.error(response, HttpStatus.FORBIDDEN_403, "origin not allowed", callback);
            }
            return true;
        }
    }
}
