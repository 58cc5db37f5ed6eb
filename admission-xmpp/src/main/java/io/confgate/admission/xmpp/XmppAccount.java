package io.confgate.admission.xmpp;

import java.util.Objects;
import org.jxmpp.jid.DomainBareJid;

/**
 * One XMPP login: the focus's account on the main Prosody, or on a visitor node's Prosody (Jicofo's
 * {@code jicofo.xmpp.client} and {@code jicofo.xmpp.visitors.<id>} blocks).
 *
 * @param host              where to connect
 * @param port              the c2s port
 * @param domain            the login domain (e.g. {@code auth.v1.meet.jitsi})
 * @param xmppDomain        the Prosody's virtual host ({@code xmpp-domain}): for the main account, where the
 *                          visitors component is discovered; a node's room is the main room's address with
 *                          the main xmpp-domain replaced by the node's, as Jicofo's
 *                          {@code ConferenceUtil.getVisitorMucJid} makes it
 * @param conferenceService the MUC service ({@code conference-muc-jid} / {@code conference-service}); a node
 *                          room is placed here when the main room's address does not hold the main xmpp-domain
 * @param username          the account
 * @param password          its password
 * @param useTls            require TLS (a loopback test server may run without)
 * @param disableCertificateVerification accept any server certificate and host name (Jicofo's key of the
 *                          same name, used with self-signed node certificates); TLS still encrypts
 */
public record XmppAccount(String host, int port, DomainBareJid domain, DomainBareJid xmppDomain,
                          DomainBareJid conferenceService, String username, String password, boolean useTls,
                          boolean disableCertificateVerification) {
    /** An account whose server certificate is verified. */
    public XmppAccount(String host, int port, DomainBareJid domain, DomainBareJid xmppDomain,
                       DomainBareJid conferenceService, String username, String password, boolean useTls) {
        this(host, port, domain, xmppDomain, conferenceService, username, password, useTls, false);
    }

    public XmppAccount {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be 1..65535, was " + port);
        }
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(xmppDomain, "xmppDomain");
        Objects.requireNonNull(conferenceService, "conferenceService");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
        return "XmppAccount{" + username + "@" + domain + " via " + host + ":" + port + '}'; // never the password
    }
}
