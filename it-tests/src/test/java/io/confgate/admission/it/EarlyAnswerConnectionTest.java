package io.confgate.admission.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A server that answers before reading the body (no token, wrong media type) must not leave a client holding a
 * connection it is about to close. A pooled HTTP client that reuses such a connection loses its next request
 * ("header parser received no bytes"), and a POST is not retried.
 *
 * <p>Raw sockets, so the test decides when the body arrives: after the answer (the server cannot have read it,
 * so the answer must say {@code Connection: close}), or with the headers (the server drops it and the
 * connection carries the next request).
 */
class EarlyAnswerConnectionTest {
    private static final String BODY = "{\"room\":\"townhall@conference.meet.jitsi\",\"requestIds\":[\"r\"]}";
    private static HttpHarness http;

    @BeforeAll
    static void start() throws Exception {
        http = HttpHarness.start(HttpHarness.embedded());
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
    }

    @Test
    void aRefusalBeforeTheBodyArrivesSaysTheConnectionCloses() throws Exception {
        withheldBody("/conference-request/v1/promotion/approve", "application/json", 401);
        withheldBody("/conference-request/v1", "text/plain", 415);
    }

    @Test
    void aRefusalAfterTheBodyArrivedKeepsTheConnection() throws Exception {
        try (Socket socket = socket()) {
            OutputStream out = socket.getOutputStream();
            out.write((headers("/conference-request/v1/promotion/approve", "application/json") + BODY)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            Reply first = Reply.read(socket.getInputStream());
            assertEquals(401, first.status, first.head);
            assertFalse(first.closes(), first.head);
            // The same connection carries the next request.
            out.write((headers("/conference-request/v1", "text/plain") + BODY).getBytes(StandardCharsets.UTF_8));
            out.flush();
            Reply second = Reply.read(socket.getInputStream());
            assertEquals(415, second.status, second.head);
        }
    }

    private static void withheldBody(String path, String contentType, int status) throws Exception {
        try (Socket socket = socket()) {
            OutputStream out = socket.getOutputStream();
            out.write(headers(path, contentType).getBytes(StandardCharsets.UTF_8));
            out.flush();
            Reply reply = Reply.read(socket.getInputStream());
            assertEquals(status, reply.status, reply.head);
            assertTrue(reply.closes(), "an answer sent before its body arrived must say Connection: close\n"
                    + reply.head);
            out.write(BODY.getBytes(StandardCharsets.UTF_8));
            out.flush();
            assertEquals(-1, socket.getInputStream().read(), "the server closes after that answer");
        }
    }

    private static Socket socket() throws IOException {
        Socket socket = new Socket("127.0.0.1", http.server.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static String headers(String path, String contentType) {
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + BODY.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n";
    }

    /** One HTTP/1.1 answer read off a socket: the status line and headers, and a body of Content-Length. */
    private record Reply(int status, String head) {
        boolean closes() {
            return head.toLowerCase(Locale.ROOT).contains("\r\nconnection: close\r\n");
        }

        static Reply read(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed after " + head.size() + " bytes: " + head);
                }
                head.write(b);
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            int length = 0;
            for (String line : text.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            in.readNBytes(length);
            return new Reply(Integer.parseInt(text.substring(9, 12)), text);
        }
    }
}
