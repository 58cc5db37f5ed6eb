package io.confgate.admission.http.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Writing JSON answers and errors; an error body is {@code {"error": "..."}} and never a stack trace.
 *
 * <p>Every answer but {@link #jsonAfterBody} first drops what has arrived of the request body. A handler that refuses
 * before reading (no token, wrong media type, wrong method) may answer while the body is still on its way;
 * Jetty then closes the connection after the answer. Settling before the answer is committed lets Jetty say
 * {@code Connection: close} in it, so a pooled client does not send its next request into a closing connection.
 */
public final class HttpReplies {
    public static final String JSON = "application/json";
    // Encoded once: every answer carries them.
    private static final HttpField JSON_TYPE = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, JSON);
    private static final HttpField NO_STORE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-store");

    private HttpReplies() {
    }

    /** The conference request's answer, written only after its body was read to the end. */
    public static void jsonAfterBody(Response response, int status, byte[] body, Callback callback) {
        response.setStatus(status);
        response.getHeaders().put(JSON_TYPE);
        response.getHeaders().put(NO_STORE);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** A JSON answer, after dropping what has arrived of the request body. */
    public static void json(Response response, int status, byte[] body, Callback callback) {
        settleBody(response);
        jsonAfterBody(response, status, body, callback);
    }

    public static void error(ObjectMapper mapper, Response response, int status, String message, Callback callback) {
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(Map.of("error", message));
        } catch (JsonProcessingException e) {
            body = "{\"error\":\"internal error\"}".getBytes(StandardCharsets.UTF_8);
        }
        json(response, status, body, callback);
    }

    public static void text(Response response, int status, String contentType, byte[] body, Callback callback) {
        settleBody(response);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /**
     * Drops the request body that has arrived, without waiting for more. If the body is not complete, Jetty marks
     * the connection not persistent, and the answer (not yet committed) carries {@code Connection: close}.
     */
    public static void settleBody(Response response) {
        response.getRequest().consumeAvailable();
    }
}
