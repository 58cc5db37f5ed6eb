package io.confgate.admission.core.internal;

import io.confgate.admission.link.LinkSettings;
import io.confgate.admission.link.LinkStats;
import io.confgate.admission.link.NodeLinker;
import io.confgate.admission.link.NodeRoom;
import io.confgate.admission.link.VisitorsComponent;
import io.confgate.admission.event.NodeLinkEvent;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jxmpp.jid.EntityBareJid;

/** Builds a {@link NodeLinkRunner} on threads of its own. */
public final class NodeLinkRunners {

    private NodeLinkRunners() {
    }

    public static NodeLinker threaded(NodeRoom rooms, VisitorsComponent component, LinkSettings settings) {
        AtomicInteger count = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(settings.workers(), r -> {
            Thread t = new Thread(r, "admission-link-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "admission-link-delays");
            t.setDaemon(true);
            return t;
        });
        // After close both pools refuse work: a link kicked or delayed then simply stops.
        NodeLinkRunner runner = new NodeLinkRunner(rooms, component, settings, task -> {
            try {
                workers.execute(task);
            } catch (RejectedExecutionException closed) {
                // closing
            }
        }, (delay, task) -> {
            try {
                delays.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closed) {
                // closing
            }
        });
        return new NodeLinker() {
            @Override
            public void onNodeLink(NodeLinkEvent event) {
                runner.onNodeLink(event);
            }

            @Override
            public void nodeRoomEnded(EntityBareJid room, String nodeId) {
                runner.nodeRoomEnded(room, nodeId);
            }

            @Override
            public void nodeUp(String nodeId) {
                runner.nodeUp(nodeId);
            }

            @Override
            public LinkStats stats() {
                return runner.stats();
            }

            @Override
            public void close() {
                runner.close();
                delays.shutdownNow();
                workers.shutdownNow();
            }
        };
    }
}
