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

/** Writing JSON answers and errors; an error body is {@code {"error": "..."}} and never a stack trace. */
public final class HttpReplies {
    public static final String JSON = "application/json";
    // Encoded once: every answer carries them.
    private static final HttpField JSON_TYPE = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, JSON);
    private static final HttpField NO_STORE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-store");

    private HttpReplies() {
    }

    public static void json(Response response, int status, byte[] body, Callback callback) {
        response.setStatus(status);
        response.getHeaders().put(JSON_TYPE);
        response.getHeaders().put(NO_STORE);
        response.write(true, ByteBuffer.wrap(body), callback);
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
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
