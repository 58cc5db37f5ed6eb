package io.confgate.admission.xmpp.internal;

import io.confgate.admission.Backoff;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the visitors component as Jicofo does ({@code XmppProvider.discoverComponents}): the disco#info
 * of the main XMPP domain lists an identity of category {@code component} and type {@code visitors}
 * whose name is the component's address (mod_visitors adds it to the main virtual host:
 * {@code module:add_identity('component', 'visitors', 'visitors.'..module.host)}). Asked after every
 * login; Jicofo asks once per login, this asks again on the {@link Backoff} schedule until found, so a
 * component loaded after the focus logged in is still found.
 */
public final class ComponentDiscovery {
    private static final Logger log = LoggerFactory.getLogger(ComponentDiscovery.class);

    private final DomainBareJid domain;
    private final Backoff backoff;
    private final ScheduledExecutorService scheduler;
    private final Consumer<Jid> found;
    private final AtomicLong failures = new AtomicLong();
    /** Bumped by every login, so a search of an earlier session stops. */
    private final AtomicLong session = new AtomicLong();

    public ComponentDiscovery(DomainBareJid domain, Backoff backoff, ScheduledExecutorService scheduler,
                              Consumer<Jid> found) {
        this.domain = domain;
        this.backoff = backoff;
        this.scheduler = scheduler;
        this.found = found;
    }

    /** Starts a search on a connection that just logged in. */
    public void search(XMPPConnection connection) {
        long current = session.incrementAndGet();
        scheduler.execute(() -> attempt(connection, current, 1));
    }

    /** disco#info lookups that did not find the component. */
    public long failures() {
        return failures.get();
    }

    private void attempt(XMPPConnection connection, long searchSession, int attempt) {
        if (searchSession != session.get() || !connection.isAuthenticated()) {
            return;
        }
        String failure;
        try {
            DiscoverInfo info = ServiceDiscoveryManager.getInstanceFor(connection).discoverInfo(domain);
            Optional<String> address = info.getIdentities().stream()
                    .filter(i -> "component".equals(i.getCategory()) && "visitors".equals(i.getType()))
                    .map(DiscoverInfo.Identity::getName)
                    .filter(name -> name != null && !name.isBlank())
                    .findFirst();
            if (address.isPresent()) {
                Jid component = JidCreate.from(address.get().trim());
                log.info("Visitors component at {} (disco#info of {})", component, domain);
                found.accept(component);
                return;
            }
            failure = "no identity component/visitors in its disco#info (is mod_visitors loaded on the main host?)";
        } catch (XmppStringprepException e) {
            failure = "the advertised address is not a JID: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            failure = e.toString();
        }
        failures.incrementAndGet();
        long delay = backoff.delay(attempt).toMillis();
        log.warn("Visitors component not found on {}: {}; asking again in {} ms", domain, failure, delay);
        scheduler.schedule(() -> attempt(connection, searchSession, attempt + 1), delay, TimeUnit.MILLISECONDS);
    }
}
