package io.confgate.admission.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.confgate.admission.JoinRequest;
import io.confgate.admission.xmpp.stanza.ConferenceIq;
import io.confgate.admission.xmpp.stanza.StanzaProviders;
import io.confgate.admission.xmpp.stanza.VisitorsCommand;
import io.confgate.admission.xmpp.stanza.VisitorsIq;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.util.PacketParserUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Stanzas as Jitsi's Prosody modules and clients send them (hand-written fixtures), and ours read back. */
class StanzaRoundTripTest {

    @BeforeAll
    static void providers() {
        StanzaProviders.register();
    }

    private static Stanza parse(String xml) throws Exception {
        return PacketParserUtils.parseStanza(xml);
    }

    @Test
    void aPromotionRequestAsMod_visitorsSendsIt() throws Exception {
        VisitorsIq iq = assertInstanceOf(VisitorsIq.class, parse("""
                <iq xmlns='jabber:client' type='set' id='a1' from='v1.meet.jitsi' to='visitors.meet.jitsi'>
                  <visitors xmlns='jitsi:visitors' room='townhall@conference.v1.meet.jitsi'>
                    <promotion-request xmlns='jitsi:visitors' jid='townhall@conference.v1.meet.jitsi/ab12'
                        time='1700000000' userId='u-7' groupId='g' forcePromote='true'/>
                    <nick xmlns='http://jabber.org/protocol/nick'>Ann &amp; Bob</nick>
                  </visitors>
                </iq>"""));
        assertEquals(Optional.empty(), iq.problem());
        assertEquals("townhall@conference.v1.meet.jitsi", iq.room().orElseThrow().toString());
        VisitorsCommand.PromotionRequest r = assertInstanceOf(VisitorsCommand.PromotionRequest.class,
                iq.commands().get(0));
        assertEquals("townhall@conference.v1.meet.jitsi/ab12", r.jid());
        assertTrue(r.raised());
        assertEquals(Optional.of("u-7"), r.userId());
        assertEquals(Optional.of("g"), r.groupId());
        assertTrue(r.forcePromote());
        assertEquals(Optional.of("Ann & Bob"), r.nick());

        VisitorsIq lowered = (VisitorsIq) parse("""
                <iq xmlns='jabber:client' type='set' id='a2'><visitors xmlns='jitsi:visitors' room='r@c.d'>
                <promotion-request xmlns='jitsi:visitors' jid='r@c.d/x'/></visitors></iq>""");
        assertEquals(false, ((VisitorsCommand.PromotionRequest) lowered.commands().get(0)).raised());
    }

    @Test
    void connectDisconnectAndResponseSurviveARoundTrip() throws Exception {
        VisitorsIq ours = new VisitorsIq(JoinRequest.parseRoom("townhall@conference.meet.jitsi"),
                Optional.of("focus@auth.meet.jitsi"), List.of(new VisitorsCommand.ConnectVnode("v1"),
                new VisitorsCommand.DisconnectVnode("v2"),
                new VisitorsCommand.PromotionResponse("townhall@conference.v1.meet.jitsi/ab12", "t0k3n", true),
                new VisitorsCommand.PromotionRequest("r@c/x", 5, Optional.empty(), Optional.empty(), false,
                        Optional.of("<Zoë>"))));
        String xml = ours.toXML().toString();
        assertTrue(xml.contains("<connect-vnode vnode='v1' xmlns='jitsi:visitors'/>"), xml);
        VisitorsIq back = (VisitorsIq) parse(xml);
        assertEquals(ours.commands(), back.commands());
        assertEquals(ours.room(), back.room());
        assertEquals(Optional.of("focus@auth.meet.jitsi"), back.focusJid());
    }

    @Test
    void theConferenceIqOfAClientAndOurAnswer() throws Exception {
        ConferenceIq request = assertInstanceOf(ConferenceIq.class, parse("""
                <iq xmlns='jabber:client' type='set' id='c1' to='focus@auth.meet.jitsi/focus'>
                  <conference xmlns='http://jitsi.org/protocol/focus' room='townhall@conference.meet.jitsi'
                      machine-uid='mu-1' session-id='s-1'>
                    <property name='visitors-version' value='1'/>
                    <property name='startAudioMuted' value='9'/>
                  </conference>
                </iq>"""));
        assertEquals(Optional.of("mu-1"), request.machineUid());
        assertEquals(Optional.of("s-1"), request.sessionId());
        assertEquals(Map.of("visitors-version", "1", "startAudioMuted", "9"), request.properties());

        ConferenceIq answer = new ConferenceIq(request.room().orElseThrow(), Optional.empty(), Optional.of("s-1"),
                Optional.empty(), Optional.of(true), Optional.of("focus@auth.v1.meet.jitsi"), Optional.of("v1"),
                Map.of("visitors-supported", "true"));
        ConferenceIq back = (ConferenceIq) parse(answer.toXML().toString());
        assertEquals(Optional.of(true), back.ready());
        assertEquals(Optional.of("v1"), back.vnode());
        assertEquals(Optional.of("focus@auth.v1.meet.jitsi"), back.focusJid());
        assertEquals(Map.of("visitors-supported", "true"), back.properties());
    }

    @Test
    void malformedStanzasAreReadToTheirEndAndSayWhy() throws Exception {
        Map<String, String> cases = Map.of(
                "<visitors xmlns='jitsi:visitors'><connect-vnode vnode='v1'/></visitors>", "room",
                "<visitors xmlns='jitsi:visitors' room='a@b@c'/>", "not a valid room JID",
                "<visitors xmlns='jitsi:visitors' room='r@c.d'><connect-vnode/></visitors>", "vnode",
                "<visitors xmlns='jitsi:visitors' room='r@c.d'><promotion-request time='1'/></visitors>", "jid",
                "<visitors xmlns='jitsi:visitors' room='r@c.d'><promotion-request jid='x' time='soon'/></visitors>",
                "time must be a number",
                "<visitors xmlns='jitsi:visitors' room='r@c.d'><promotion-response jid='x' allow='true'/></visitors>",
                "username",
                "<conference xmlns='http://jitsi.org/protocol/focus'/>", "room",
                "<conference xmlns='http://jitsi.org/protocol/focus' room='r@c.d'><property value='1'/></conference>",
                "name");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Stanza s = parse("<iq xmlns='jabber:client' type='set' id='bad'>" + c.getKey() + "</iq>");
            Optional<String> problem = s instanceof VisitorsIq v ? v.problem() : ((ConferenceIq) s).problem();
            assertTrue(problem.isPresent(), c.getKey());
            assertTrue(problem.get().contains(c.getValue()), c.getKey() + " -> " + problem.get());
        }
        String huge = "x".repeat(5_000);
        VisitorsIq tooLong = (VisitorsIq) parse("<iq xmlns='jabber:client' type='set' id='l'><visitors "
                + "xmlns='jitsi:visitors' room='r@c.d'><connect-vnode vnode='" + huge + "'/></visitors></iq>");
        assertTrue(tooLong.problem().orElseThrow().contains("longer than"));
    }
}
