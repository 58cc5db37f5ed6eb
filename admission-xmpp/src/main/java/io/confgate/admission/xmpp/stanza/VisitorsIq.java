package io.confgate.admission.xmpp.stanza;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.util.XmlStringBuilder;
import org.jxmpp.jid.EntityBareJid;

/**
 * {@code <iq><visitors xmlns='jitsi:visitors' room='…' [focusjid='…']>…</visitors></iq>}, as Jitsi's
 * mod_visitors and mod_visitors_component exchange it with the focus. A stanza that could not be read
 * arrives as an instance whose {@link #problem()} says why, so the handler can answer {@code bad-request}
 * instead of the connection failing on it.
 */
public final class VisitorsIq extends IQ {
    public static final String ELEMENT = "visitors";
    public static final String NAMESPACE = "jitsi:visitors";
    public static final String NICK_NAMESPACE = "http://jabber.org/protocol/nick";

    private final EntityBareJid room;
    private final Optional<String> focusJid;
    private final List<VisitorsCommand> commands;
    private final Optional<String> problem;

    /** A well-formed IQ. */
    public VisitorsIq(EntityBareJid room, Optional<String> focusJid, List<VisitorsCommand> commands) {
        this(Objects.requireNonNull(room, "room"), focusJid, commands, Optional.empty());
    }

    private VisitorsIq(EntityBareJid room, Optional<String> focusJid, List<VisitorsCommand> commands,
                       Optional<String> problem) {
        super(ELEMENT, NAMESPACE);
        this.room = room;
        this.focusJid = Objects.requireNonNull(focusJid, "focusJid");
        this.commands = List.copyOf(commands);
        this.problem = problem;
    }

    /** An IQ that could not be read; {@code room} is null when it was the room that was bad. */
    static VisitorsIq malformed(EntityBareJid room, String problem) {
        return new VisitorsIq(room, Optional.empty(), List.of(), Optional.of(problem));
    }

    /** The room, as the sender names it (a node uses its own MUC domain); empty only for a malformed IQ. */
    public Optional<EntityBareJid> room() {
        return Optional.ofNullable(room);
    }

    public Optional<String> focusJid() {
        return focusJid;
    }

    public List<VisitorsCommand> commands() {
        return commands;
    }

    /** Why the stanza could not be read, if it could not. */
    public Optional<String> problem() {
        return problem;
    }

    @Override
    protected IQChildElementXmlStringBuilder getIQChildElementBuilder(IQChildElementXmlStringBuilder xml) {
        xml.optAttribute("room", room == null ? null : room.toString());
        xml.optAttribute("focusjid", focusJid.orElse(null));
        if (commands.isEmpty()) {
            xml.setEmptyElement();
            return xml;
        }
        xml.rightAngleBracket();
        Optional<String> nick = Optional.empty();
        for (VisitorsCommand command : commands) {
            XmlStringBuilder child = new XmlStringBuilder();
            if (command instanceof VisitorsCommand.ConnectVnode c) {
                child.halfOpenElement("connect-vnode").attribute("vnode", c.vnode());
            } else if (command instanceof VisitorsCommand.DisconnectVnode d) {
                child.halfOpenElement("disconnect-vnode").attribute("vnode", d.vnode());
            } else if (command instanceof VisitorsCommand.PromotionRequest r) {
                child.halfOpenElement("promotion-request").attribute("jid", r.jid())
                        .attribute("time", Long.toString(r.time()))
                        .optAttribute("userId", r.userId().orElse(null))
                        .optAttribute("groupId", r.groupId().orElse(null))
                        .optAttribute("forcePromote", r.forcePromote() ? "true" : null);
                nick = r.nick();
            } else if (command instanceof VisitorsCommand.PromotionResponse r) {
                child.halfOpenElement("promotion-response").attribute("jid", r.jid())
                        .attribute("username", r.username()).attribute("allow", Boolean.toString(r.allow()));
            }
            child.xmlnsAttribute(NAMESPACE).closeEmptyElement();
            xml.append(child);
        }
        // mod_visitors puts the requester's nick beside the promotion-request.
        nick.ifPresent(n -> xml.halfOpenElement("nick").xmlnsAttribute(NICK_NAMESPACE).rightAngleBracket()
                .escape(n).closeElement("nick"));
        return xml;
    }
}
