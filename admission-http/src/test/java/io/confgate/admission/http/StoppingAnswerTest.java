package io.confgate.admission.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.core.AdmissionEngines;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;

/**
 * Once a stop has begun, a conference request still arriving (on a connection a proxy kept open) is told to ask
 * again, which lib-jitsi-meet does after a second, through the load balancer to another server; Jetty's 503 would
 * end the user's join. Other requests keep Jetty's 503.
 */
class StoppingAnswerTest {

    @Test
    void aConferenceRequestAfterTheStopBeganIsToldToAskAgain() throws Exception {
        AdmissionConfig config = AdmissionConfig.builder().enabled(true).maxParticipants(30)
                .nodes(List.of(VisitorNode.conventional("v1", "meet.jitsi", 2000))).build();
        AdmissionEngine engine = AdmissionEngines.builder(config).build();
        HttpSettings settings = new HttpSettings(65_536, List.of("https://meet.example"),
                JidCreate.entityBareFrom("focus@auth.meet.jitsi"),
                JidCreate.domainBareFrom("conference.meet.jitsi"), false, Optional.empty(), Duration.ofSeconds(30));
        AdmissionHandlers handlers = AdmissionHandlers.builder(engine, settings).build();
        PathMappingsHandler routes = new PathMappingsHandler();
        handlers.mount(routes);
        GracefulHandler graceful = handlers.graceful(routes);
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(graceful);
        server.start();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
        String body = "{\"room\":\"hall@conference.meet.jitsi\",\"sessionId\":\"s1\",\"properties\":{\"visitors-version\":1}}";
        try {
            assertTrue(post(client, base, "/conference-request/v1", body).statusCode() == 200);
            graceful.shutdown(); // what server.stop() begins with, after the drain delay

            HttpResponse<String> stopping = post(client, base, "/conference-request/v1", body);
            assertEquals(200, stopping.statusCode(), stopping.body());
            assertEquals("STOPPING", stopping.headers().firstValue("X-Admission-Reason").orElseThrow());
            assertEquals("close", stopping.headers().firstValue("Connection").orElse(""), "not to be reused");
            JsonNode answer = new ObjectMapper().readTree(stopping.body());
            assertFalse(answer.get("ready").asBoolean());
            assertEquals("focus@auth.meet.jitsi", answer.get("focusJid").asText());
            assertTrue(answer.get("properties").isObject(), "the client reads properties from every answer");
            assertTrue(answer.path("properties").path("live").isMissingNode(), "live:false would stop the client");
            assertEquals("https://meet.example", stopping.headers().firstValue("Access-Control-Allow-Origin")
                    .orElseThrow(), "a browser on the allowed origin reads it");

            assertEquals(503, post(client, base, "/conference-request/v1/promotion/raise-hand",
                    "{\"room\":\"hall@conference.meet.jitsi\",\"sessionId\":\"v\"}").statusCode());
        } finally {
            server.stop();
        }
    }

    private static HttpResponse<String> post(HttpClient client, URI base, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .header("Origin", "https://meet.example")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
