package io.confgate.admission.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.NodeState;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.link.LinkSettings;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineSettingsTest {

    @Test
    void theReferenceFileAndTheBuilderHaveTheSameDefaults() {
        // Defaults live in admission-engine-reference.conf for files and in AdmissionConfig.Builder for Java: one
        // test keeps them from drifting apart.
        AdmissionConfig fromFile = EngineSettings.admission(EngineSettings.withDefaults(ConfigFactory.empty()));
        assertEquals(AdmissionConfig.builder().build().toString(), fromFile.toString());
    }

    @Test
    void aJicofoConfWithOnlyJicofosKeysConfiguresTheEngine() {
        AdmissionConfig config = EngineSettings.admission(EngineSettings.withDefaults(ConfigFactory.parseString("""
                jicofo {
                  visitors { enabled = true, max-participants = 30 }
                  xmpp.visitors {
                    v2 { hostname = "10.0.0.12", domain = "auth.v2.meet.jitsi", xmpp-domain = "v2.meet.jitsi",
                         conference-service = "conference.v2.meet.jitsi" }
                    v1 { hostname = "10.0.0.11", xmpp-domain = "v1.meet.jitsi", username = "jicofo" }
                    v3 { enabled = false, hostname = "10.0.0.13", xmpp-domain = "v3.meet.jitsi" }
                  }
                }
                admission.nodes.v2.draining = true
                """)));
        assertTrue(config.enabled());
        assertEquals(30, config.maxParticipants());
        List<VisitorNode> nodes = config.nodes();
        assertEquals(List.of("v1", "v2"), nodes.stream().map(VisitorNode::id).toList(), "in id order, v3 disabled");
        assertEquals("jicofo@auth.v1.meet.jitsi", nodes.get(0).focusJid().toString(), "username@auth.<xmpp-domain>");
        assertEquals("focus@auth.v2.meet.jitsi", nodes.get(1).focusJid().toString());
        assertEquals(NodeState.DRAINING, nodes.get(1).initialState());
        assertEquals(Duration.ofSeconds(10), config.seatGrace());
        assertFalse(config.componentAutoAllows());
    }

    @Test
    void everyBadValueNamesItsKey() {
        IllegalArgumentException grace = assertThrows(IllegalArgumentException.class, () -> EngineSettings.admission(
                EngineSettings.withDefaults(ConfigFactory.parseString("admission.link.seat-grace = 2 minutes"))));
        assertTrue(grace.getMessage().contains("admission.link.seat-grace"), grace.getMessage());
        IllegalArgumentException policy = assertThrows(IllegalArgumentException.class, () -> EngineSettings.admission(
                EngineSettings.withDefaults(ConfigFactory.parseString("admission.balancing = fastest"))));
        assertTrue(policy.getMessage().contains("admission.balancing") && policy.getMessage().contains("spread"),
                policy.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class, () -> EngineSettings.admission(
                EngineSettings.withDefaults(ConfigFactory.parseString("jicofo.visitors.max-participants = many"))));
        assertTrue(type.getMessage().contains("jicofo.visitors.max-participants"), type.getMessage());
        IllegalArgumentException retry = assertThrows(IllegalArgumentException.class, () -> EngineSettings.links(
                EngineSettings.withDefaults(ConfigFactory.parseString("admission.xmpp.retry-max = 100 ms"))));
        assertTrue(retry.getMessage().contains("admission.xmpp.retry-max"), retry.getMessage());
    }

    @Test
    void linkSettingsFollowTheRetryKeys() {
        LinkSettings links = EngineSettings.links(EngineSettings.withDefaults(ConfigFactory.parseString(
                "admission.xmpp { retry-min = 200 ms, retry-max = 2 s, max-send-attempts = 3 }")));
        assertEquals(Duration.ofMillis(200), links.backoff().first());
        assertEquals(Duration.ofSeconds(2), links.backoff().max());
        assertEquals(3, links.maxAttempts());
        assertTrue(EngineSettings.storePath(EngineSettings.withDefaults(ConfigFactory.empty())).isEmpty(),
                "the library keeps no store unless told");
    }
}
