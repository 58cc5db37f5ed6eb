package io.confgate.admission.core.internal;

import io.confgate.admission.promotion.Hand;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Waiters on hands, to complete once the room's lock is released, so that their callbacks (an HTTP
 * answer, say) never run under it.
 */
final class Completions {
    private List<CompletableFuture<Hand>> futures;
    private List<Hand> hands;

    /** Takes every waiter of a decided hand (the list is emptied). */
    void add(List<CompletableFuture<Hand>> waiters, Hand hand) {
        if (waiters.isEmpty()) {
            return;
        }
        if (futures == null) {
            futures = new ArrayList<>();
            hands = new ArrayList<>();
        }
        for (CompletableFuture<Hand> waiter : waiters) {
            futures.add(waiter);
            hands.add(hand);
        }
        waiters.clear();
    }

    /** Completes on this thread; call with no lock held. */
    void run() {
        if (futures != null) {
            for (int i = 0; i < futures.size(); i++) {
                futures.get(i).complete(hands.get(i));
            }
        }
    }

    /** Completes on the common pool; for callers that still hold the room's lock. */
    void runAsync() {
        if (futures != null) {
            for (int i = 0; i < futures.size(); i++) {
                Hand hand = hands.get(i);
                futures.get(i).completeAsync(() -> hand);
            }
        }
    }
}
