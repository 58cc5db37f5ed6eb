package io.confgate.admission.core.internal;

/**
 * Where one conference-node link stands on the wire, as the focus and Jitsi's modules hold it, and the step
 * that moves it toward what the engine wants. Each state owns its transitions: {@link #next} says which step
 * to take, {@link #after} where a step that succeeded leads.
 */
enum LinkState {
    /**
     * Not touched by this process: after a start the main Prosody may still count the node as connected for
     * this conference ({@code mod_visitors.lua} {@code connect_vnode} returns early for a node it has, and only
     * {@code disconnect_vnode} forgets it), so a wanted link is reset first.
     */
    UNKNOWN {
        @Override
        Step next(Want want) {
            return want == Want.NONE ? null : Step.PROBE;
        }
    },
    /** Nothing on the wire. */
    NONE {
        @Override
        Step next(Want want) {
            return want == Want.NONE ? null : Step.OPEN;
        }
    },
    /** The focus is in the node's room; visitors queue there until the connect. */
    OPEN {
        @Override
        Step next(Want want) {
            return switch (want) {
                case NONE -> Step.LEAVE;
                case OPEN -> null;
                case CONNECTED -> Step.CONNECT;
            };
        }
    },
    /** {@code connect-vnode} was answered: the node hosts the conference. */
    CONNECTED {
        @Override
        Step next(Want want) {
            return want == Want.NONE ? Step.DISCONNECT : null;
        }
    },
    /**
     * The node room is gone (the node ended it, or the focus lost it with its connection) while the main
     * Prosody still counts the node as connected: {@code disconnect-vnode} first, whatever comes next.
     */
    STALE {
        @Override
        Step next(Want want) {
            return want == Want.NONE ? Step.DISCONNECT : Step.RESET;
        }
    };

    /** The step toward {@code want}, or null when there. */
    abstract Step next(Want want);

    /**
     * Where a successful {@code step} from this state leads; {@code opened} is what a {@link Step#PROBE} found.
     * A probed room with occupants lived on connected (only a connect lets anyone in); one the focus created, or
     * found empty, may still be counted as connected by the main Prosody and is reset. A room the focus only
     * prepared stays prepared.
     */
    LinkState after(Step step, io.confgate.admission.link.NodeRoom.Opened opened) {
        return switch (step) {
            case RESET, LEAVE, DISCONNECT -> NONE;
            case OPEN -> OPEN;
            case CONNECT -> CONNECTED;
            case PROBE -> this == OPEN ? OPEN
                    : opened == io.confgate.admission.link.NodeRoom.Opened.OCCUPIED ? CONNECTED : STALE;
        };
    }

    /** What the engine wants of a link. */
    enum Want {
        NONE, OPEN, CONNECTED
    }

    /** One thing done on the wire. */
    enum Step {
        /**
         * Join the node's room to see whether it lived on: after a start, or after the node's connection came
         * back.
         */
        PROBE,
        /** {@code disconnect-vnode}, then a pause before the room is made (or found) again. */
        RESET,
        /** Join (creating) the node's room. */
        OPEN,
        /** {@code connect-vnode}. */
        CONNECT,
        /** {@code disconnect-vnode}, then leave the room. */
        DISCONNECT,
        /** Leave the room (never connected). */
        LEAVE
    }
}
