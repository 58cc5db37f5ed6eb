package io.confgate.admission;

/** What kind of member is joining. Everything but {@link #NORMAL} always goes to the main room. */
public enum MemberKind {
    /** A person with a Jitsi Meet client. */
    NORMAL,
    /** A Jibri recording or streaming the conference. */
    RECORDER,
    /** A transcriber (Jigasi in transcription mode). */
    TRANSCRIBER,
    /** A SIP gateway (Jigasi dialing in or out). */
    SIP_GATEWAY;

    /** Whether members of this kind are placed in the main room and never counted toward the limit. */
    public boolean isService() {
        return this != NORMAL;
    }
}
