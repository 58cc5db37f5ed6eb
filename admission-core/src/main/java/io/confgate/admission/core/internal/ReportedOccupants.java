package io.confgate.admission.core.internal;

import java.util.HashSet;
import java.util.Set;

/**
 * A room's main occupants as Prosody reports them (mod_event_sync_component): who is in, by real JID,
 * so that a retried report counts once, and how many count toward the limit. Prosody's own count
 * ({@code active_occupants_count}) is the truth the joined count follows; occupants of ignored domains
 * (recorders, transcribers) are in it but do not count, as Jicofo's {@code getUserParticipantCount}
 * leaves out jibri and transcribers. Guarded by the room's lock.
 */
final class ReportedOccupants {
    private final Set<String> counted = new HashSet<>();
    private final Set<String> uncounted = new HashSet<>();
    private int count;

    /**
     * Records a join; false for an occupant already in (a retried report). Without Prosody's count, the count is
     * the occupants reported so far.
     */
    boolean joined(String jid, boolean isUncounted, java.util.OptionalInt activeOccupants) {
        if (counted.contains(jid) || uncounted.contains(jid)) {
            return false;
        }
        (isUncounted ? uncounted : counted).add(jid);
        follow(activeOccupants);
        return true;
    }

    /** Records a leave; the count follows Prosody's even for an occupant never seen joining (a restart). */
    void left(String jid, java.util.OptionalInt activeOccupants) {
        if (!counted.remove(jid)) {
            uncounted.remove(jid);
        }
        follow(activeOccupants);
    }

    private void follow(java.util.OptionalInt activeOccupants) {
        count = activeOccupants.isPresent() ? Math.max(0, activeOccupants.getAsInt() - uncounted.size())
                : counted.size();
    }

    /** Occupants that count toward the limit. */
    int count() {
        return count;
    }

    int uncounted() {
        return uncounted.size();
    }

    java.util.Collection<String> countedOccupants() {
        return java.util.Collections.unmodifiableSet(counted);
    }

    java.util.Collection<String> uncountedOccupants() {
        return java.util.Collections.unmodifiableSet(uncounted);
    }

    /** What a store kept: the occupants and Prosody's last count. */
    void restore(java.util.Collection<String> countedOccupants, java.util.Collection<String> uncountedOccupants,
                 int lastCount) {
        counted.addAll(countedOccupants);
        uncounted.addAll(uncountedOccupants);
        count = lastCount;
    }

    boolean isEmpty() {
        return count == 0 && counted.isEmpty() && uncounted.isEmpty();
    }
}
