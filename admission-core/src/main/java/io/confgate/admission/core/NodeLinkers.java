package io.confgate.admission.core;

import io.confgate.admission.core.internal.NodeLinkRunners;
import io.confgate.admission.link.LinkSettings;
import io.confgate.admission.link.NodeLinker;
import io.confgate.admission.link.NodeRoom;
import io.confgate.admission.link.VisitorsComponent;

/**
 * Static factories for {@link NodeLinker}.
 *
 * <pre>{@code
 * NodeLinker linker = NodeLinkers.create(nodeRooms, visitorsComponent, linkSettings);
 * AdmissionEngine engine = AdmissionEngines.builder(config).nodeLinkListener(linker).build();
 * }</pre>
 */
public final class NodeLinkers {

    private NodeLinkers() {
    }

    /**
     * A linker working on {@code settings.workers()} daemon threads of its own, which {@link NodeLinker#close}
     * stops.
     */
    public static NodeLinker create(NodeRoom rooms, VisitorsComponent component, LinkSettings settings) {
        return NodeLinkRunners.threaded(rooms, component, settings);
    }
}
