package io.confgate.admission.core.internal;

import io.confgate.admission.VisitorNode;
import io.confgate.admission.event.NodeLinkEvent;
import io.confgate.admission.link.LinkSettings;
import io.confgate.admission.link.ComponentErrorException;
import io.confgate.admission.link.LinkStats;
import io.confgate.admission.link.NodeLinker;
import io.confgate.admission.link.NodeRoom;
import io.confgate.admission.link.VisitorsComponent;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jxmpp.jid.EntityBareJid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link NodeLinker}: one {@link Link} per conference and node, holding what the engine wants of it and
 * where it stands ({@link LinkState}); a link with work is driven by one worker at a time, step by step, until
 * it stands where it is wanted. Links of different conferences run side by side on the workers: a link that
 * waits on an answer (up to the reply timeout) never holds up another conference's link to the same node.
 *
 * <p>The JDK has no executor that keeps order per key over a shared pool; this is the smallest one that does
 * (a running flag per link), because one worker per node made one room's slow relink hold the next room's
 * link for the reply timeout (15 s, seen against Jitsi's modules).
 */
final class NodeLinkRunner implements NodeLinker {
    private static final Logger log = LoggerFactory.getLogger(NodeLinkRunner.class);

    /** Waits the runner needs: a retry after a failure, the settle after a reset. */
    interface Delays {
        void after(Duration delay, Runnable task);
    }

    private final NodeRoom rooms;
    private final VisitorsComponent component;
    private final LinkSettings settings;
    private final Executor workers;
    private final Delays delays;
    private final Map<String, Link> links = new ConcurrentHashMap<>();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong resets = new AtomicLong();
    private volatile boolean closed;

    NodeLinkRunner(NodeRoom rooms, VisitorsComponent component, LinkSettings settings, Executor workers,
                   Delays delays) {
        this.rooms = Objects.requireNonNull(rooms, "rooms");
        this.component = Objects.requireNonNull(component, "component");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.workers = Objects.requireNonNull(workers, "workers");
        this.delays = Objects.requireNonNull(delays, "delays");
    }

    @Override
    public void onNodeLink(NodeLinkEvent event) {
        LinkState.Want want;
        if (event instanceof NodeLinkEvent.Prepare) {
            want = LinkState.Want.OPEN;
        } else if (event instanceof NodeLinkEvent.Connect) {
            want = LinkState.Want.CONNECTED;
        } else {
            want = LinkState.Want.NONE;
        }
        for (;;) {
            Link link = links.computeIfAbsent(key(event.room(), event.node().id()),
                    k -> new Link(event.room(), event.node()));
            synchronized (link) {
                if (link.removed) {
                    continue; // dropped at rest just now: a fresh one takes the change
                }
                // A prepare after the link is already further along changes nothing (connected includes open).
                if (want != LinkState.Want.OPEN || link.want == LinkState.Want.NONE) {
                    link.want = want;
                }
                link.changed();
            }
            kick(link);
            return;
        }
    }

    @Override
    public void nodeRoomEnded(EntityBareJid room, String nodeId) {
        Link link = links.get(key(room, nodeId));
        if (link == null) {
            return;
        }
        synchronized (link) {
            if (link.removed) {
                return;
            }
            link.roomEnded = true;
            link.changed();
        }
        kick(link);
    }

    @Override
    public void nodeUp(String nodeId) {
        for (Link link : links.values()) {
            if (link.node.id().equals(nodeId)) {
                synchronized (link) {
                    if (link.removed) {
                        continue;
                    }
                    if (link.state == LinkState.OPEN || link.state == LinkState.CONNECTED) {
                        link.rejoin = true;
                    }
                    link.changed(); // a link waiting to be tried again is tried now
                }
                kick(link);
            }
        }
    }

    @Override
    public LinkStats stats() {
        int connected = 0;
        for (Link link : links.values()) {
            synchronized (link) {
                if (link.state == LinkState.CONNECTED) {
                    connected++;
                }
            }
        }
        return new LinkStats(acknowledged.get(), failures.get(), dropped.get(), resets.get(), connected);
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Where the link of {@code room} to {@code nodeId} stands, for tests; null if there is none. */
    LinkState stateOf(EntityBareJid room, String nodeId) {
        Link link = links.get(key(room, nodeId));
        if (link == null) {
            return null;
        }
        synchronized (link) {
            return link.state;
        }
    }

    private static String key(EntityBareJid room, String nodeId) {
        return room + "|" + nodeId;
    }

    /** Starts driving the link unless a worker already does, or it waits for a delay. */
    private void kick(Link link) {
        synchronized (link) {
            if (link.running || link.waiting || link.settling || closed) {
                return;
            }
            link.running = true;
        }
        workers.execute(() -> drive(link));
    }

    /** Runs the link's steps until it stands where it is wanted, a step fails, or a pause is due. */
    private void drive(Link link) {
        for (;;) {
            LinkState.Step step;
            long version;
            boolean lastAttempt;
            synchronized (link) {
                step = closed ? null : link.nextStep();
                if (step == null) {
                    link.running = false;
                    if ((link.state == LinkState.NONE || link.state == LinkState.UNKNOWN)
                            && link.want == LinkState.Want.NONE) {
                        link.removed = true;
                        links.remove(key(link.room, link.node.id()), link);
                    }
                    return;
                }
                version = link.version;
                lastAttempt = link.attempt + 1 >= settings.maxAttempts();
            }
            NodeRoom.Opened opened;
            try {
                opened = run(step, link, lastAttempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                synchronized (link) {
                    link.running = false;
                }
                return;
            } catch (Exception e) {
                failed(link, step, version, e);
                return;
            }
            boolean settle = step == LinkState.Step.RESET && !settings.relinkSettle().isZero();
            synchronized (link) {
                link.attempt = 0;
                LinkState next = link.state.after(step, opened);
                if (next == LinkState.STALE) {
                    link.staleCause = link.state == LinkState.UNKNOWN
                            ? "first use since this process started, and the node room did not live on"
                            : "the node room was lost with the node's connection";
                }
                link.state = next;
                if (settle) {
                    link.running = false;
                    link.settling = true;
                }
            }
            if (settle) {
                delays.after(settings.relinkSettle(), () -> settled(link));
                return;
            }
        }
    }

    private void resume(Link link) {
        synchronized (link) {
            link.waiting = false;
        }
        kick(link);
    }

    private void settled(Link link) {
        synchronized (link) {
            link.settling = false;
        }
        kick(link);
    }

    /**
     * Runs one step on the wire; returns what a probe found (null for other steps). {@code lastAttempt}: a
     * disconnect-vnode without an answer then counts as done (the component answers every IQ for a room it knows).
     */
    private NodeRoom.Opened run(LinkState.Step step, Link link, boolean lastAttempt) throws Exception {
        EntityBareJid room = link.room;
        VisitorNode node = link.node;
        switch (step) {
            case PROBE -> {
                return rooms.open(room, node);
            }
            case RESET -> {
                resets.incrementAndGet();
                log.info("Resetting the link of {} to node {} (disconnect-vnode, then again): {}", room, node.id(),
                        link.staleCause);
                // The focus stays in the room it may have just made: where the main Prosody held nothing for this
                // node, the disconnect changes nothing and visitors keep queueing in the room; where it held a stale
                // link, the node ends the room on it, and the open after the settle makes it again.
                disconnectForReset(room, node);
                return null;
            }
            case OPEN -> {
                rooms.open(room, node);
                return null;
            }
            case CONNECT -> {
                component.connect(room, node);
                acknowledged.incrementAndGet();
                log.info("Linked {} to node {} (connect-vnode acknowledged)", room, node.id());
                return null;
            }
            case DISCONNECT -> {
                disconnect(room, node, lastAttempt);
                rooms.leave(room, node);
                log.info("Unlinked {} from node {}", room, node.id());
                return null;
            }
            case LEAVE -> {
                rooms.leave(room, node);
                return null;
            }
            default -> throw new IllegalStateException("unknown step " + step);
        }
    }

    /**
     * disconnect-vnode of a link that may be stale: best effort. No answer (the component knows no such room) or an
     * error answer (older components refuse a disconnect for a conference they never connected) means there is no
     * link to forget.
     */
    private void disconnectForReset(EntityBareJid room, VisitorNode node) throws Exception {
        try {
            component.disconnect(room, node);
            acknowledged.incrementAndGet();
        } catch (TimeoutException | ComponentErrorException e) {
            log.debug("disconnect-vnode {} for {} not acknowledged ({}): no link to forget", node.id(), room,
                    e.getMessage());
        }
    }

    /**
     * disconnect-vnode of a connected link. An answer lost on the way would leave the main room closed while the
     * engine opens it again, so no answer is retried; only at the last attempt is it taken as done (the component
     * answers every IQ for a room it knows, and the main room is gone at a conference's end).
     */
    private void disconnect(EntityBareJid room, VisitorNode node, boolean lastAttempt) throws Exception {
        try {
            component.disconnect(room, node);
            acknowledged.incrementAndGet();
        } catch (TimeoutException e) {
            if (!lastAttempt) {
                throw e;
            }
            log.debug("No answer to disconnect-vnode {} for {} at the last attempt: the component holds no such room",
                    node.id(), room);
        }
    }

    private void failed(Link link, LinkState.Step step, long version, Exception e) {
        failures.incrementAndGet();
        int attempt;
        boolean changed;
        synchronized (link) {
            changed = link.version != version;
            attempt = changed ? 0 : ++link.attempt;
            link.running = false;
            if (attempt >= settings.maxAttempts()) {
                link.attempt = 0;
            }
            if (!changed) {
                link.waiting = true;
            }
        }
        String what = step.name().toLowerCase(java.util.Locale.ROOT) + " of " + link.room + " on node " + link.node.id();
        if (changed) {
            // The link changed while the step ran (a new event, the node back): the next step is tried at once.
            log.debug("The {} failed ({}), and the link changed meanwhile: trying again", what, e.toString());
            kick(link);
            return;
        }
        Duration delay;
        if (attempt >= settings.maxAttempts()) {
            dropped.incrementAndGet();
            delay = settings.backoff().max();
            log.error("The {} failed {} times in a row: {}; trying again in {} s, or at the link's next change", what,
                    attempt, e.toString(), delay.toSeconds());
        } else {
            delay = settings.backoff().delay(attempt);
            log.warn("The {} failed (attempt {}): {}; again in {} ms", what, attempt, e.toString(), delay.toMillis());
        }
        delays.after(delay, () -> resume(link));
    }

    /** One conference's link to one node. Guarded by its own monitor. */
    private static final class Link {
        final EntityBareJid room;
        final VisitorNode node;
        LinkState state = LinkState.UNKNOWN;
        LinkState.Want want = LinkState.Want.NONE;
        /** A worker drives it now. */
        boolean running;
        /** A retry is scheduled: nothing but an outside change starts it meanwhile. */
        boolean waiting;
        /** The pause after a reset: nothing starts it before the node handled the disconnect. */
        boolean settling;
        /** Dropped from the map at rest: a change finds a fresh link instead. */
        boolean removed;
        /** Counts outside changes, so a step that failed while the link changed is tried again at once. */
        long version;
        int attempt;
        /** The node ended the room. */
        boolean roomEnded;
        /** The node's connection came back: join the room again and see whether it lived on. */
        boolean rejoin;
        /** Why the link became stale, for the log line of its reset. */
        String staleCause = "";

        Link(EntityBareJid room, VisitorNode node) {
            this.room = room;
            this.node = node;
        }

        /** An outside change: the link is worked on again at once, with fresh attempts. */
        void changed() {
            version++;
            attempt = 0;
            waiting = false;
        }

        LinkState.Step nextStep() {
            if (roomEnded) {
                roomEnded = false;
                if (state == LinkState.CONNECTED) {
                    state = LinkState.STALE;
                    staleCause = "the node ended the room while it was linked";
                } else if (state == LinkState.OPEN) {
                    state = LinkState.NONE; // never connected: the main Prosody holds nothing for it
                }
            }
            if (rejoin) {
                rejoin = false;
                if (state == LinkState.OPEN || state == LinkState.CONNECTED) {
                    return LinkState.Step.PROBE;
                }
            }
            return state.next(want);
        }
    }
}
