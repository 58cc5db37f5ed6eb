package io.confgate.admission.http.internal;

import com.fasterxml.jackson.core.JacksonException;
import java.io.IOException;
import java.util.Locale;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * Reads a bounded JSON request body without holding a thread while it arrives; every failure is a
 * {@link Failure} with the status and a message for the caller.
 */
public final class RequestBodies {
    private RequestBodies() {
    }

    /** An answer other than 200, with the message the caller sees. */
    public static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;

        public Failure(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** What to do with a body once it has arrived whole, or with the reason it cannot be read. */
    public interface BodyHandler {
        void body(byte[] body);

        void failed(Failure failure);
    }

    /**
     * Reads a JSON body of at most {@code maxBytes} without holding a thread while its bytes arrive (a slow
     * or stalled client costs a connection, never a pool thread), then calls {@code handler} once: with the
     * bytes, or with the 4xx to answer (415 not JSON, 413 over the limit, 400 cut short or unreadable).
     */
    public static void readJsonBytesAsync(Request request, int maxBytes, BodyHandler handler) {
        if (!isJson(request.getHeaders().get(HttpHeader.CONTENT_TYPE))) {
            handler.failed(new Failure(HttpStatus.UNSUPPORTED_MEDIA_TYPE_415, "body must be application/json"));
            return;
        }
        if (request.getLength() > maxBytes) {
            handler.failed(new Failure(HttpStatus.PAYLOAD_TOO_LARGE_413, tooLarge(maxBytes)));
            return;
        }
        Content.Source.asByteArrayAsync(request, maxBytes, Promise.Invocable.from(Invocable.InvocationType.BLOCKING,
                (bytes, failure) -> {
                    if (failure == null) {
                        handler.body(bytes);
                    } else if (failure instanceof IllegalStateException
                            || failure.getCause() instanceof HttpException h && h.getCode() == 413
                            || failure instanceof HttpException h2 && h2.getCode() == 413) {
                        // Content.Source's own bound ("Max size exceeded"), or SizeLimitHandler's 413.
                        handler.failed(new Failure(HttpStatus.PAYLOAD_TOO_LARGE_413, tooLarge(maxBytes)));
                    } else {
                        handler.failed(new Failure(HttpStatus.BAD_REQUEST_400, "could not read the body"));
                    }
                }));
    }

    /** The 400 for a body Jackson could not read, with Jackson's reason but not its exception. */
    public static Failure malformed(IOException e) {
        return e instanceof JacksonException j
                ? new Failure(HttpStatus.BAD_REQUEST_400, "malformed JSON: " + j.getOriginalMessage())
                : new Failure(HttpStatus.BAD_REQUEST_400, "malformed JSON");
    }

    /** The message of every 413, whichever layer refused the body. */
    public static String tooLarge(long maxBytes) {
        return "body larger than " + maxBytes + " bytes";
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String mime = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
        return mime.toLowerCase(Locale.ROOT).equals(HttpReplies.JSON);
    }
}
