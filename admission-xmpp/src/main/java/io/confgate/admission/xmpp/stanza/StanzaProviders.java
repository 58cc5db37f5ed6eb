package io.confgate.admission.xmpp.stanza;

import io.confgate.admission.JoinRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.provider.IQProvider;
import org.jivesoftware.smack.provider.ProviderManager;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.jivesoftware.smack.xml.XmlPullParserException;
import org.jxmpp.jid.EntityBareJid;

/**
 * Smack providers for {@link VisitorsIq} and {@link ConferenceIq}. They never throw for bad content:
 * they read the element to its end and hand back an IQ whose {@code problem()} names what was wrong, so
 * a bad stanza is answered with {@code bad-request} and never closes the connection.
 */
public final class StanzaProviders {
    private static final AtomicBoolean REGISTERED = new AtomicBoolean();
    /** Longest attribute value or nick accepted; longer is a malformed stanza. */
    static final int MAX_VALUE_LENGTH = 1024;
    static final int MAX_CHILDREN = 64;

    private StanzaProviders() {
    }

    /** Registers both providers with Smack's ProviderManager; idempotent. */
    public static void register() {
        if (REGISTERED.compareAndSet(false, true)) {
            ProviderManager.addIQProvider(VisitorsIq.ELEMENT, VisitorsIq.NAMESPACE, new VisitorsIqProvider());
            ProviderManager.addIQProvider(ConferenceIq.ELEMENT, ConferenceIq.NAMESPACE, new ConferenceIqProvider());
        }
    }

    /** Collects the first problem while the element is read to its end. */
    private static final class Problems {
        String first;

        void add(String problem) {
            if (first == null) {
                first = problem;
            }
        }
    }

    private static Optional<String> attribute(XmlPullParser parser, String name, Problems problems) {
        String value = parser.getAttributeValue("", name);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        if (value.length() > MAX_VALUE_LENGTH) {
            problems.add("attribute '" + name + "' is longer than " + MAX_VALUE_LENGTH + " characters");
            return Optional.empty();
        }
        return Optional.of(value);
    }

    private static EntityBareJid room(XmlPullParser parser, Problems problems) {
        Optional<String> raw = attribute(parser, "room", problems);
        if (raw.isEmpty()) {
            problems.add("the 'room' attribute is required");
            return null;
        }
        try {
            return JoinRequest.parseRoom(raw.get());
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return null;
        }
    }

    /**
     * Advances to the next start tag inside the element opened at {@code initialDepth}; false once that
     * element ends (or the input does, which is recorded as a problem).
     */
    private static boolean nextStartInside(XmlPullParser parser, int initialDepth, String element, Problems problems)
            throws XmlPullParserException, IOException {
        while (true) {
            XmlPullParser.Event event = parser.next();
            if (event == XmlPullParser.Event.END_ELEMENT && parser.getDepth() == initialDepth) {
                return false;
            }
            if (event == XmlPullParser.Event.END_DOCUMENT) {
                problems.add("the stanza ended inside <" + element + ">");
                return false;
            }
            if (event == XmlPullParser.Event.START_ELEMENT) {
                return true;
            }
        }
    }

    static final class VisitorsIqProvider extends IQProvider<VisitorsIq> {
        @Override
        public VisitorsIq parse(XmlPullParser parser, int initialDepth, XmlEnvironment environment)
                throws XmlPullParserException, IOException {
            Problems problems = new Problems();
            EntityBareJid room = room(parser, problems);
            Optional<String> focusJid = attribute(parser, "focusjid", problems);
            List<VisitorsCommand> commands = new ArrayList<>();
            Optional<String> nick = Optional.empty();
            int requestIndex = -1;
            while (nextStartInside(parser, initialDepth, VisitorsIq.ELEMENT, problems)) {
                String name = parser.getName();
                if (name.equals("nick") && VisitorsIq.NICK_NAMESPACE.equals(parser.getNamespace())) {
                    String text = parser.nextText();
                    nick = text.length() > MAX_VALUE_LENGTH ? Optional.empty() : Optional.of(text.trim());
                    continue;
                }
                if (parser.getDepth() != initialDepth + 1) {
                    continue; // grandchildren other than a nick are ignored
                }
                if (commands.size() >= MAX_CHILDREN) {
                    problems.add("more than " + MAX_CHILDREN + " commands in one IQ");
                    continue;
                }
                try {
                    switch (name) {
                        case "connect-vnode" -> commands.add(new VisitorsCommand.ConnectVnode(
                                attribute(parser, "vnode", problems).orElse(null)));
                        case "disconnect-vnode" -> commands.add(new VisitorsCommand.DisconnectVnode(
                                attribute(parser, "vnode", problems).orElse(null)));
                        case "promotion-request" -> {
                            requestIndex = commands.size();
                            commands.add(new VisitorsCommand.PromotionRequest(
                                    attribute(parser, "jid", problems).orElse(null),
                                    time(attribute(parser, "time", problems)),
                                    attribute(parser, "userId", problems), attribute(parser, "groupId", problems),
                                    "true".equalsIgnoreCase(parser.getAttributeValue("", "forcePromote")),
                                    Optional.empty()));
                        }
                        case "promotion-response" -> commands.add(new VisitorsCommand.PromotionResponse(
                                attribute(parser, "jid", problems).orElse(null),
                                attribute(parser, "username", problems).orElse(null),
                                "true".equalsIgnoreCase(parser.getAttributeValue("", "allow"))));
                        default -> { } // unknown children (e.g. broadcast) are not ours to judge
                    }
                } catch (IllegalArgumentException e) {
                    problems.add("<" + name + ">: " + e.getMessage());
                }
            }
            if (requestIndex >= 0 && nick.isPresent()) {
                VisitorsCommand.PromotionRequest r = (VisitorsCommand.PromotionRequest) commands.get(requestIndex);
                commands.set(requestIndex, new VisitorsCommand.PromotionRequest(r.jid(), r.time(), r.userId(),
                        r.groupId(), r.forcePromote(), nick));
            }
            if (problems.first != null) {
                return VisitorsIq.malformed(room, problems.first);
            }
            return new VisitorsIq(room, focusJid, commands);
        }

        private static long time(Optional<String> raw) {
            if (raw.isEmpty()) {
                return 0; // mod_visitors sends no time when a hand is lowered
            }
            try {
                return Long.parseLong(raw.get().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("time must be a number, was '" + raw.get() + "'");
            }
        }
    }

    static final class ConferenceIqProvider extends IQProvider<ConferenceIq> {
        @Override
        public ConferenceIq parse(XmlPullParser parser, int initialDepth, XmlEnvironment environment)
                throws XmlPullParserException, IOException {
            Problems problems = new Problems();
            EntityBareJid room = room(parser, problems);
            Optional<String> machineUid = attribute(parser, "machine-uid", problems);
            Optional<String> sessionId = attribute(parser, "session-id", problems);
            Optional<String> token = Optional.ofNullable(parser.getAttributeValue("", "token"))
                    .filter(t -> !t.isBlank());
            Optional<Boolean> ready = attribute(parser, "ready", problems).map(Boolean::parseBoolean);
            Optional<String> focusJid = attribute(parser, "focusjid", problems);
            Optional<String> vnode = attribute(parser, "vnode", problems);
            Map<String, String> properties = new LinkedHashMap<>();
            while (nextStartInside(parser, initialDepth, ConferenceIq.ELEMENT, problems)) {
                if (parser.getName().equals("property") && parser.getDepth() == initialDepth + 1) {
                    Optional<String> name = attribute(parser, "name", problems);
                    if (name.isEmpty()) {
                        problems.add("a <property> needs a name");
                    } else if (properties.size() >= MAX_CHILDREN) {
                        problems.add("more than " + MAX_CHILDREN + " properties");
                    } else {
                        properties.put(name.get(), attribute(parser, "value", problems).orElse(""));
                    }
                }
            }
            if (problems.first != null) {
                return ConferenceIq.malformed(problems.first);
            }
            return new ConferenceIq(room, machineUid, sessionId, token, ready, focusJid, vnode, properties);
        }
    }
}
