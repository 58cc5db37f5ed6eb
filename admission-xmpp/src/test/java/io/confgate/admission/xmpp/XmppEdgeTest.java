package io.confgate.admission.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.confgate.admission.Backoff;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.jitsi.xmpp.extensions.jitsimeet.ConferenceIq;
import org.jitsi.xmpp.extensions.visitors.VisitorsIq;
import org.jitsi.xmpp.extensions.visitors.VisitorsIqProvider;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.IqData;
import org.jivesoftware.smack.provider.IqProvider;
import org.jivesoftware.smack.provider.ProviderManager;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;

class XmppEdgeTest {

    @Test
    void oneBackoffDoublesUpToItsBound() {
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(1));
        assertEquals(Duration.ofMillis(200), backoff.delay(1));
        assertEquals(Duration.ofMillis(400), backoff.delay(2));
        assertEquals(Duration.ofMillis(800), backoff.delay(3));
        assertEquals(Duration.ofSeconds(1), backoff.delay(4));
        assertEquals(Duration.ofSeconds(1), backoff.delay(1_000), "no overflow however many attempts");
        assertThrows(IllegalArgumentException.class, () -> backoff.delay(0));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }

    /** A provider a focus registered itself. */
    private static final class FocusOwnProvider extends IqProvider<IQ> {
        @Override
        public IQ parse(XmlPullParser parser, int initialDepth, IqData iqData,
                        org.jivesoftware.smack.packet.XmlEnvironment environment) {
            throw new UnsupportedOperationException("never parses in this test");
        }
    }

    @Test
    void aFocusesOwnProvidersAreNotReplacedAndMissingOnesAreJitsis() throws Exception {
        FocusOwnProvider own = new FocusOwnProvider();
        ProviderManager.addIQProvider(ConferenceIq.ELEMENT, ConferenceIq.NAMESPACE, own);
        ProviderManager.removeIQProvider(VisitorsIq.ELEMENT, VisitorsIq.NAMESPACE);
        XmppAccount account = new XmppAccount("127.0.0.1", 5222, JidCreate.domainBareFrom("auth.meet.jitsi"),
                JidCreate.domainBareFrom("meet.jitsi"), JidCreate.domainBareFrom("conference.meet.jitsi"), "focus",
                "secret", false);
        try (XmppSignaling unused = XmppSignaling.create(new XmppSettings(account, Optional.empty(),
                JidCreate.domainBareFrom("conference.meet.jitsi"), Map.of(), Duration.ofSeconds(1),
                Duration.ofMillis(100), Duration.ofSeconds(1), 1))) {
            assertSame(own, ProviderManager.getIQProvider(ConferenceIq.ELEMENT, ConferenceIq.NAMESPACE),
                    "the focus's own provider stays");
            assertInstanceOf(VisitorsIqProvider.class, ProviderManager.getIQProvider(VisitorsIq.ELEMENT,
                    VisitorsIq.NAMESPACE), "a missing one is Jitsi's");
        } finally {
            ProviderManager.removeIQProvider(ConferenceIq.ELEMENT, ConferenceIq.NAMESPACE);
        }
    }
}
