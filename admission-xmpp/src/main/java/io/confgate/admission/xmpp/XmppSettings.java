package io.confgate.admission.xmpp;

import io.confgate.admission.Backoff;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.Jid;

/**
 * What {@link XmppSignaling} connects to.
 *
 * @param main              the focus's account on the main Prosody (answers conference IQs, sends
 *                          connect-vnode / disconnect-vnode)
 * @param visitorsComponent the visitors component's address on the main Prosody; when empty it is
 *                          discovered after each login, as Jicofo does: the identity of category
 *                          {@code component} and type {@code visitors} in the disco#info of the main
 *                          account's XMPP domain (what mod_visitors_component advertises) names it
 * @param conferenceDomain  the main MUC domain (the rooms conference IQs name)
 * @param nodes             node id → the focus's account on that node's Prosody
 * @param replyTimeout      how long a sent IQ waits for its reply
 * @param retryMin          first retry delay (sends and reconnects), doubled up to {@code retryMax}
 * @param retryMax          longest retry delay
 * @param maxSendAttempts   attempts per connect-vnode / disconnect-vnode before it is dropped (and counted)
 * @param resource          the XMPP resource of every login ({@code admission.xmpp.resource}, default
 *                          {@value #DEFAULT_RESOURCE}): not Jicofo's, so a Jicofo on the same account is not
 *                          logged out by this process, nor this one by it
 */
public record XmppSettings(XmppAccount main, Optional<Jid> visitorsComponent, DomainBareJid conferenceDomain,
                           Map<String, XmppAccount> nodes, Duration replyTimeout, Duration retryMin,
                           Duration retryMax, int maxSendAttempts, String resource) {
    /** The resource this library logs in with unless told otherwise. */
    public static final String DEFAULT_RESOURCE = "admission";

    public XmppSettings {
        Objects.requireNonNull(main, "main");
        Objects.requireNonNull(visitorsComponent, "visitorsComponent");
        Objects.requireNonNull(conferenceDomain, "conferenceDomain");
        nodes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(nodes));
        positive(replyTimeout, "replyTimeout");
        positive(retryMin, "retryMin");
        positive(retryMax, "retryMax");
        if (maxSendAttempts < 1) {
            throw new IllegalArgumentException("maxSendAttempts must be >= 1");
        }
        Objects.requireNonNull(resource, "resource");
        if (resource.isBlank()) {
            throw new IllegalArgumentException("resource must not be empty");
        }
    }

    /** Settings with the default resource ({@value #DEFAULT_RESOURCE}). */
    public XmppSettings(XmppAccount main, Optional<Jid> visitorsComponent, DomainBareJid conferenceDomain,
                        Map<String, XmppAccount> nodes, Duration replyTimeout, Duration retryMin,
                        Duration retryMax, int maxSendAttempts) {
        this(main, visitorsComponent, conferenceDomain, nodes, replyTimeout, retryMin, retryMax, maxSendAttempts,
                DEFAULT_RESOURCE);
    }

    /** Settings with a configured component address (no discovery). */
    public XmppSettings(XmppAccount main, Jid visitorsComponent, DomainBareJid conferenceDomain,
                        Map<String, XmppAccount> nodes, Duration replyTimeout, Duration retryMin,
                        Duration retryMax, int maxSendAttempts) {
        this(main, Optional.of(visitorsComponent), conferenceDomain, nodes, replyTimeout, retryMin, retryMax,
                maxSendAttempts);
    }

    /** The retry schedule: {@code retryMin}, doubled up to {@code retryMax}. */
    public Backoff backoff() {
        return new Backoff(retryMin, retryMax);
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
        }
    }
}
