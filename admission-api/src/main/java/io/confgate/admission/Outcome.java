package io.confgate.admission;

/** The four answers to a join request. */
public enum Outcome {
    /** Join the main room. */
    MAIN,
    /** Join as a visitor through the named visitor node. */
    VISITOR,
    /** The room is not live yet; ask again later. */
    QUEUED,
    /** Not admitted. */
    REFUSED
}
