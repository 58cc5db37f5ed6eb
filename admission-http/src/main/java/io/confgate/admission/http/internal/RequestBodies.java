package io.confgate.admission.http.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/** Reads a bounded JSON request body; every failure is a {@link Failure} with the status and a message for the caller. */
public final class RequestBodies {
    private static final long DRAIN_LIMIT = 1L << 20;

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

    /** Checks the content type, reads at most {@code maxBytes}, and parses JSON. */
    public static JsonNode readJson(Request request, int maxBytes, ObjectMapper mapper) throws Failure {
        byte[] bytes = readJsonBytes(request, maxBytes);
        try {
            return mapper.readTree(bytes);
        } catch (IOException e) {
            throw malformed(e);
        }
    }

    /** Checks the content type and reads at most {@code maxBytes}, leaving the parsing to the caller. */
    public static byte[] readJsonBytes(Request request, int maxBytes) throws Failure {
        if (!isJson(request.getHeaders().get(HttpHeader.CONTENT_TYPE))) {
            throw new Failure(HttpStatus.UNSUPPORTED_MEDIA_TYPE_415, "body must be application/json");
        }
        return readBytes(request, maxBytes);
    }

    /** The 400 for a body Jackson could not read, with Jackson's reason but not its exception. */
    public static Failure malformed(IOException e) {
        return e instanceof JacksonException j
                ? new Failure(HttpStatus.BAD_REQUEST_400, "malformed JSON: " + j.getOriginalMessage())
                : new Failure(HttpStatus.BAD_REQUEST_400, "malformed JSON");
    }

    private static byte[] readBytes(Request request, int maxBytes) throws Failure {
        try (InputStream in = Content.Source.asInputStream(request)) {
            long declared = request.getLength();
            // A declared length within the limit is read into one exact array; otherwise read up to
            // one byte past the limit to tell "too large" from "just fits".
            byte[] bytes = declared >= 0 && declared <= maxBytes
                    ? in.readNBytes((int) declared)
                    : in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes || (declared >= 0 && in.read() != -1)) {
                // Read (and drop) a moderate excess so the client is listening when the 413 arrives;
                // past that Jetty closes the connection rather than read on.
                drain(in);
                throw new Failure(HttpStatus.PAYLOAD_TOO_LARGE_413, tooLarge(maxBytes));
            }
            return bytes;
        } catch (IOException e) {
            // SizeLimitHandler fails the read of a chunked body past the limit with a 413.
            if (e.getCause() instanceof HttpException h && h.getCode() == HttpStatus.PAYLOAD_TOO_LARGE_413) {
                throw new Failure(HttpStatus.PAYLOAD_TOO_LARGE_413, tooLarge(maxBytes));
            }
            throw new Failure(HttpStatus.BAD_REQUEST_400, "could not read the body");
        }
    }

    /** The message of every 413, whichever layer refused the body. */
    public static String tooLarge(long maxBytes) {
        return "body larger than " + maxBytes + " bytes";
    }

    private static void drain(InputStream in) throws IOException {
        byte[] sink = new byte[8192];
        long total = 0;
        int n;
        while (total < DRAIN_LIMIT && (n = in.read(sink)) > 0) {
            total += n;
        }
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
