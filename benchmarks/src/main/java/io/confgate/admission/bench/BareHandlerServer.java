package io.confgate.admission.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The baseline for the HTTP benchmark: a bare Jetty 12 handler that reads the request body and answers
 * a fixed JSON body the size of the visitor answers the benchmark's requests get (a three-digit room,
 * a session id as {@code conference-request.lua} makes them), from a server configured as the admission
 * server is (no {@code Server} header). {@code java -cp benchmarks.jar ... PORT}
 */
public final class BareHandlerServer {
    static final byte[] BODY = ("{\"room\":\"room123@conference.meet.jitsi\",\"ready\":true,"
            + "\"focusJid\":\"focus@auth.v1.meet.jitsi\",\"sessionId\":\"s6920a3f1-0-1234567\",\"vnode\":\"v1\","
            + "\"properties\":{\"visitors-supported\":\"true\",\"authentication\":\"false\"}}")
            .getBytes(StandardCharsets.UTF_8);

    private BareHandlerServer() {
    }

    public static void main(String[] args) throws Exception {
        Server server = new Server();
        HttpConfiguration httpConfig = new HttpConfiguration();
        httpConfig.setSendServerVersion(false);
        httpConfig.setSendXPoweredBy(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(httpConfig));
        connector.setHost("127.0.0.1");
        connector.setPort(Integer.parseInt(args[0]));
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                // Read the body as the real handler does, so both pay for it.
                Content.Source.asInputStream(request).readAllBytes();
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.write(true, ByteBuffer.wrap(BODY), callback);
                return true;
            }
        });
        server.start();
        System.out.println("bare handler listening on 127.0.0.1:" + connector.getLocalPort());
        server.join();
    }
}
