package io.confgate.admission.http.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Writing JSON answers and errors; an error body is {@code {"error": "..."}} (plus {@code "code"} where
 * the caller can act on it) and never a stack trace.
 *
 * <p>Every answer but {@link #jsonAfterBody} first drops what has arrived of the request body. A handler that refuses
 * before reading (no token, wrong media type, wrong method) may answer while the body is still on its way;
 * Jetty then closes the connection after the answer. Settling before the answer is committed lets Jetty say
 * {@code Connection: close} in it, so a pooled client does not send its next request into a closing connection.
 */
public final class HttpReplies {
    public static final String JSON = "application/json";
    private static final ObjectMapper MAPPER = ConferenceRequestJson.newMapper();
    // Encoded once: every answer carries them.
    private static final HttpField JSON_TYPE = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, JSON);
    private static final HttpField NO_STORE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-store");

    private HttpReplies() {
    }

    /** An answer written only after the request body was read to the end. */
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

    /** A value written by Jackson (maps, lists and strings of our own making). */
    public static void json(Response response, int status, Object value, Callback callback) {
        json(response, status, write(value), callback);
    }

    public static void error(Response response, int status, String message, Callback callback) {
        json(response, status, write(Map.of("error", message)), callback);
    }

    /** An error the caller can act on by its {@code code}. */
    public static void error(Response response, int status, String message, String code, Callback callback) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("code", code);
        json(response, status, write(body), callback);
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

    /** {@code value} as JSON, for an answer written once and sent many times. */
    public static byte[] bytes(Object value) {
        return write(value);
    }

    private static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            // Only our own maps and strings are written; an unpaired surrogate from a client's text is the
            // one thing that can fail, and it is not worth a 500.
            return "{\"error\":\"unwritable answer\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
    }
}
