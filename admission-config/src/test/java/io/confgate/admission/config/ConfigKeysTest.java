package io.confgate.admission.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigKeysTest {

    @Test
    void aMisspelledAdmissionKeyStopsTheStartNamingTheNearestKnownOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineSettings.withDefaults(
                ConfigFactory.parseString("admission.limits.max-room = 5", com.typesafe.config.ConfigParseOptions
                        .defaults().setOriginDescription("jicofo.conf"))));
        assertEquals("unknown configuration key 'admission.limits.max-room' (jicofo.conf: 1); did you mean"
                + " 'admission.limits.max-rooms'?", e.getMessage());
    }

    @Test
    void nodeBlocksAndOptionalKeysAreKnown() {
        EngineSettings.withDefaults(ConfigFactory.parseString("""
                jicofo.xmpp.visitors.v1.domain = "auth.v1.meet.jitsi"
                admission.nodes.v1 { capacity = 100, weight = 2, draining = false }
                """));
        assertThrows(IllegalArgumentException.class, () -> EngineSettings.withDefaults(ConfigFactory.parseString(
                "admission.nodes.v1.capacty = 100")));
    }

    @Test
    void jicofoKeysNeitherWeNorJicofoReadAreReturnedForAWarn() {
        List<String> unknown = ConfigKeys.unknownJicofoKeys(ConfigFactory.parseString("""
                jicofo.visitors { max-participant = 10, notification-interval = 15 seconds, enabled = true }
                jicofo.xmpp.client { hostname = "x", client-proxy = "focus.meet.jitsi" }
                jicofo.xmpp.visitors.v1 { domain = "auth.v1.meet.jitsi", hostnme = "v1" }
                jicofo.bridge.max-bridge-participants = 80
                """), EngineSettings.reference());
        assertEquals(List.of("jicofo.visitors.max-participant (did you mean 'jicofo.visitors.max-participants'?)",
                "jicofo.xmpp.visitors.v1.hostnme (did you mean 'jicofo.xmpp.visitors.<id>.hostname'?)"), unknown);
    }
}
