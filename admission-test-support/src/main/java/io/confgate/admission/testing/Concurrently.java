package io.confgate.admission.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs a task many times on many threads released together: the racing the tests count exactly. */
public final class Concurrently {
    private Concurrently() {
    }

    /** A task for index {@code i}. */
    @FunctionalInterface
    public interface IntTask {
        void run(int i) throws Exception;
    }

    /**
     * Runs {@code task(i)} for i in [0, count) on {@code threads} threads that start together; rethrows the
     * first failure. Gives up after {@code timeoutMinutes}.
     */
    public static void run(int threads, int count, long timeoutMinutes, IntTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            AtomicInteger next = new AtomicInteger();
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        task.run(i);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(timeoutMinutes, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
