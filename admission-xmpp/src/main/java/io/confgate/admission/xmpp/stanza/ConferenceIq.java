package io.confgate.admission.xmpp.stanza;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jivesoftware.smack.packet.IQ;
import org.jxmpp.jid.EntityBareJid;

/**
 * Jicofo's conference IQ, {@code <conference xmlns='http://jitsi.org/protocol/focus' room machine-uid
 * session-id token ready focusjid vnode><property name value/>…</conference>}: the request a client sends
 * the focus, and the answer (ready, focusjid, vnode) it gets back. A stanza that could not be read
 * arrives with a {@link #problem()}.
 */
public final class ConferenceIq extends IQ {
    public static final String ELEMENT = "conference";
    public static final String NAMESPACE = "http://jitsi.org/protocol/focus";

    private final EntityBareJid room;
    private final Optional<String> machineUid;
    private final Optional<String> sessionId;
    private final Optional<String> token;
    private final Optional<Boolean> ready;
    private final Optional<String> focusJid;
    private final Optional<String> vnode;
    private final Map<String, String> properties;
    private final Optional<String> problem;

    public ConferenceIq(EntityBareJid room, Optional<String> machineUid, Optional<String> sessionId,
                        Optional<String> token, Optional<Boolean> ready, Optional<String> focusJid,
                        Optional<String> vnode, Map<String, String> properties) {
        this(Objects.requireNonNull(room, "room"), machineUid, sessionId, token, ready, focusJid, vnode, properties,
                Optional.empty());
    }

    private ConferenceIq(EntityBareJid room, Optional<String> machineUid, Optional<String> sessionId,
                         Optional<String> token, Optional<Boolean> ready, Optional<String> focusJid,
                         Optional<String> vnode, Map<String, String> properties, Optional<String> problem) {
        super(ELEMENT, NAMESPACE);
        this.room = room;
        this.machineUid = Objects.requireNonNull(machineUid, "machineUid");
        this.sessionId = Objects.requireNonNull(sessionId, "sessionId");
        this.token = Objects.requireNonNull(token, "token");
        this.ready = Objects.requireNonNull(ready, "ready");
        this.focusJid = Objects.requireNonNull(focusJid, "focusJid");
        this.vnode = Objects.requireNonNull(vnode, "vnode");
        this.properties = Map.copyOf(new LinkedHashMap<>(properties));
        this.problem = problem;
    }

    static ConferenceIq malformed(String problem) {
        return new ConferenceIq(null, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Map.of(), Optional.of(problem));
    }

    /** A request for a room (what a client sends). */
    public static ConferenceIq request(EntityBareJid room, Optional<String> machineUid, Optional<String> sessionId,
                                      Map<String, String> properties) {
        return new ConferenceIq(room, machineUid, sessionId, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), properties);
    }

    /** The room; empty only for a malformed IQ. */
    public Optional<EntityBareJid> room() {
        return Optional.ofNullable(room);
    }

    public Optional<String> machineUid() {
        return machineUid;
    }

    public Optional<String> sessionId() {
        return sessionId;
    }

    public Optional<String> token() {
        return token;
    }

    public Optional<Boolean> ready() {
        return ready;
    }

    public Optional<String> focusJid() {
        return focusJid;
    }

    public Optional<String> vnode() {
        return vnode;
    }

    public Map<String, String> properties() {
        return properties;
    }

    public Optional<String> problem() {
        return problem;
    }

    @Override
    protected IQChildElementXmlStringBuilder getIQChildElementBuilder(IQChildElementXmlStringBuilder xml) {
        xml.optAttribute("room", room == null ? null : room.toString());
        xml.optAttribute("machine-uid", machineUid.orElse(null));
        xml.optAttribute("session-id", sessionId.orElse(null));
        xml.optAttribute("token", token.orElse(null));
        xml.optAttribute("ready", ready.map(String::valueOf).orElse(null));
        xml.optAttribute("focusjid", focusJid.orElse(null));
        xml.optAttribute("vnode", vnode.orElse(null));
        if (properties.isEmpty()) {
            xml.setEmptyElement();
            return xml;
        }
        xml.rightAngleBracket();
        for (Map.Entry<String, String> p : new java.util.TreeMap<>(properties).entrySet()) {
            xml.halfOpenElement("property").attribute("name", p.getKey()).attribute("value", p.getValue())
                    .closeEmptyElement();
        }
        return xml;
    }
}
