package io.confgate.admission.xmpp.internal;

import io.confgate.admission.Backoff;
import io.confgate.admission.xmpp.XmppAccount;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.X509TrustManager;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.ConnectionListener;
import org.jivesoftware.smack.ReconnectionManager;
import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.StreamError;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jxmpp.stringprep.XmppStringprepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Smack connection kept logged in: connected in the background, and after a failure or a loss
 * tried again on the {@link Backoff} schedule (reset by a login). Tells its {@link Listener} when it is
 * up and when it is down.
 */
public final class SupervisedConnection implements ConnectionListener {
    private static final Logger log = LoggerFactory.getLogger(SupervisedConnection.class);

    /** Told of every login and every loss, on Smack's or the scheduler's thread. */
    public interface Listener {
        void up(SupervisedConnection connection);

        void down(SupervisedConnection connection);
    }

    private final String name;
    private final XmppAccount account;
    private final String resource;
    private final XMPPTCPConnection connection;
    private final ScheduledExecutorService scheduler;
    private final Backoff backoff;
    private final Listener listener;
    private volatile int failures;
    private final AtomicLong unparsable = new AtomicLong();
    /** Sessions replaced by another login with the same account and resource (stream error conflict). */
    private final AtomicLong conflicts = new AtomicLong();
    /** When the last conflict ERROR was logged (nanoTime), so a fight with another process logs once. */
    private volatile long conflictLoggedAt;
    private volatile boolean conflictLogged;
    private volatile boolean closed;

    public SupervisedConnection(String name, XmppAccount account, String resource, Duration replyTimeout,
                                Backoff backoff, ScheduledExecutorService scheduler, Listener listener) {
        this.name = name;
        this.account = account;
        this.resource = resource;
        this.scheduler = scheduler;
        this.backoff = backoff;
        this.listener = listener;
        try {
            XMPPTCPConnectionConfiguration.Builder config = XMPPTCPConnectionConfiguration.builder()
                    .setUsernameAndPassword(account.username(), account.password())
                    .setXmppDomain(account.domain())
                    .setHost(account.host())
                    .setPort(account.port())
                    .setResource(resource)
                    .setSecurityMode(account.useTls() ? SecurityMode.required : SecurityMode.disabled)
                    .setConnectTimeout((int) replyTimeout.toMillis());
            if (account.disableCertificateVerification()) {
                // The operator's explicit choice (Jicofo's disable-certificate-verification).
                config.setCustomX509TrustManager(TrustAnyCertificate.INSTANCE).setHostnameVerifier((h, s) -> true);
            }
            this.connection = new XMPPTCPConnection(config.build());
        } catch (RuntimeException | XmppStringprepException e) {
            throw new IllegalArgumentException("invalid XMPP account " + account + ": " + e.getMessage(), e);
        }
        connection.setUseStreamManagement(false);
        connection.setReplyTimeout(replyTimeout.toMillis());
        // A stanza the providers cannot parse (Jitsi's ConferenceIqProvider refuses a conference IQ without a
        // valid room, as in Jicofo) is counted and dropped unanswered, in one log line; it never closes the
        // connection.
        connection.setParsingExceptionCallback(stanza -> {
            unparsable.incrementAndGet();
            log.warn("XMPP {}: dropped a stanza that cannot be parsed: {}", name,
                    stanza.getParsingException().toString());
        });
        ReconnectionManager.getInstanceFor(connection).disableAutomaticReconnection();
        connection.addConnectionListener(this);
    }

    public String name() {
        return name;
    }

    public XmppAccount account() {
        return account;
    }

    /** The Smack connection, for sending and for registering IQ handlers. */
    public XMPPTCPConnection smack() {
        return connection;
    }

    /** Sessions replaced by another login (stream error {@code conflict}). */
    public long conflicts() {
        return conflicts.get();
    }

    /** Stanzas dropped because they could not be parsed. */
    public long unparsable() {
        return unparsable.get();
    }

    public boolean isUp() {
        return connection.isAuthenticated();
    }

    /** Starts connecting in the background. */
    public void start() {
        attemptAfter(Duration.ZERO);
    }

    public void close() {
        closed = true;
        connection.disconnect();
    }

    private void attemptAfter(Duration delay) {
        if (!closed) {
            scheduler.schedule(this::attempt, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void attempt() {
        if (closed || connection.isAuthenticated()) {
            return;
        }
        try {
            if (!connection.isConnected()) {
                connection.connect();
            }
            connection.login();
        } catch (Exception e) {
            Duration delay = backoff.delay(++failures);
            log.info("XMPP {} ({}) not connected: {}; retrying in {} ms", name, account, e.getMessage(),
                    delay.toMillis());
            connection.disconnect();
            attemptAfter(delay);
        }
    }

    @Override
    public void authenticated(XMPPConnection c, boolean resumed) {
        failures = 0;
        log.info("XMPP {} connected as {}", name, c.getUser());
        listener.up(this);
    }

    @Override
    public void connectionClosedOnError(Exception e) {
        if (e instanceof XMPPException.StreamErrorException stream
                && stream.getStreamError().getCondition() == StreamError.Condition.conflict) {
            replaced();
            return;
        }
        log.warn("XMPP {} lost: {}", name, e.toString());
        lost();
    }

    /**
     * Another login with this account and resource replaced the session (Prosody's "Replaced by new connection").
     * Logging in again at once would replace the other one, which would do the same: two processes logging each
     * other out forever. So: one ERROR naming the JID and the likely cause (again at most every ten minutes),
     * counted, and the next attempt after the longest retry delay.
     */
    private void replaced() {
        conflicts.incrementAndGet();
        long now = System.nanoTime();
        if (!conflictLogged || now - conflictLoggedAt > TimeUnit.MINUTES.toNanos(10)) {
            conflictLogged = true;
            conflictLoggedAt = now;
            log.error("XMPP {}: the session of {}@{}/{} was replaced by another login with the same account and"
                    + " resource (stream error conflict): another process uses them, e.g. Jicofo or a second server"
                    + " with the same jicofo.conf; give each its own account or admission.xmpp.resource. Trying again"
                    + " every {} s", name, account.username(), account.domain(), resource,
                    backoff.delay(Integer.MAX_VALUE).toSeconds());
        }
        listener.down(this);
        attemptAfter(backoff.delay(Integer.MAX_VALUE));
    }

    @Override
    public void connectionClosed() {
        if (!closed) {
            lost();
        }
    }

    private void lost() {
        listener.down(this);
        attemptAfter(backoff.delay(1));
    }

    /** Accepts any certificate chain: only for accounts with disable-certificate-verification. */
    private enum TrustAnyCertificate implements X509TrustManager {
        INSTANCE;

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
