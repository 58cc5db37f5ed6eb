package io.confgate.admission;

/** What a visitor gets when no visitor node is healthy. */
public enum NoNodeFallback {
    /** Join the main room anyway (Jicofo's behaviour): better crowded than out. */
    MAIN,
    /** Refuse the join. */
    REFUSE
}
