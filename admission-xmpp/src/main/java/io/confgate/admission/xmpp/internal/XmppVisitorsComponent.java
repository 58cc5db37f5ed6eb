package io.confgate.admission.xmpp.internal;

import io.confgate.admission.VisitorNode;
import io.confgate.admission.link.ComponentErrorException;
import io.confgate.admission.link.VisitorsComponent;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jitsi.xmpp.extensions.visitors.ConnectVnodePacketExtension;
import org.jitsi.xmpp.extensions.visitors.DisconnectVnodePacketExtension;
import org.jitsi.xmpp.extensions.visitors.VisitorsIq;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.IQ;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;

/**
 * {@code mod_visitors_component} as the focus addresses it from the main connection, as Jicofo's
 * {@code VisitorsManager.createIq} does: {@code <iq type='get'><visitors xmlns='jitsi:visitors' room='MAIN ROOM'>
 * <connect-vnode vnode='v1'/></visitors></iq>}. The type is {@code get} because the component
 * ({@code stanza_handler}) drops a {@code set} that did not come over server-to-server.
 */
public final class XmppVisitorsComponent implements VisitorsComponent {
    private final SupervisedConnection main;
    private final Supplier<Optional<Jid>> address;

    public XmppVisitorsComponent(SupervisedConnection main, Supplier<Optional<Jid>> address) {
        this.main = main;
        this.address = address;
    }

    @Override
    public void connect(EntityBareJid room, VisitorNode node) throws Exception {
        send(room, new ConnectVnodePacketExtension(node.id()));
    }

    @Override
    public void disconnect(EntityBareJid room, VisitorNode node) throws Exception {
        send(room, new DisconnectVnodePacketExtension(node.id()));
    }

    private void send(EntityBareJid room, ExtensionElement command) throws Exception {
        if (!main.isUp()) {
            throw new IllegalStateException("the main XMPP connection is down");
        }
        Jid to = address.get().orElseThrow(
                () -> new IllegalStateException("the visitors component is not discovered yet"));
        VisitorsIq.Builder iq = new VisitorsIq.Builder(main.smack());
        iq.setRoom(room);
        iq.to(to);
        iq.ofType(IQ.Type.get);
        iq.addExtensions(List.of(command));
        try {
            // An error reply throws; no reply at all (the component knows no such room) times out.
            main.smack().sendIqRequestAndWaitForResponse(iq.build());
        } catch (SmackException.NoResponseException e) {
            TimeoutException timeout = new TimeoutException("no answer from " + to + " for " + room);
            timeout.initCause(e);
            throw timeout;
        } catch (XMPPException.XMPPErrorException e) {
            throw new ComponentErrorException(to + " answered " + e.getStanzaError().getCondition() + " for " + room);
        }
    }
}
