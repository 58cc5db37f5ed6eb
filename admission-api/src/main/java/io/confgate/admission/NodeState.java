package io.confgate.admission;

/** Whether a visitor node takes new visitors. */
public enum NodeState {
    /** Healthy: takes new visitors. */
    UP,
    /** Being emptied on purpose: keeps its visitors, takes no new ones. */
    DRAINING,
    /** Unreachable: takes no new visitors. */
    DOWN;

    /** Whether new visitors may be sent to a node in this state. */
    public boolean acceptsVisitors() {
        return this == UP;
    }
}
