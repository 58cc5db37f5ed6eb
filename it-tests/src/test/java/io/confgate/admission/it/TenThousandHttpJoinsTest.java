package io.confgate.admission.it;

import static io.confgate.admission.it.HttpHarness.webClientBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.confgate.admission.NodeLoad;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The reference deployment over real HTTP: 10,000 joins to one room from 16 concurrent clients. */
class TenThousandHttpJoinsTest {

    @Test
    void exactlyMaxParticipantsInMainTheRestOnVisitorNodesWithinCapacity() throws Exception {
        try (HttpHarness http = HttpHarness.start(HttpHarness.embedded())) {
            int joins = 10_000;
            int threads = 16;
            AtomicInteger next = new AtomicInteger();
            AtomicInteger main = new AtomicInteger();
            Map<String, AtomicInteger> perNode = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int i = next.getAndIncrement(); i < joins; i = next.getAndIncrement()) {
                        HttpResponse<String> r = http.post(webClientBody("townhall@conference.meet.jitsi", "p" + i));
                        assertEquals(200, r.statusCode(), r.body());
                        JsonNode answer = HttpHarness.parse(r);
                        if (answer.has("vnode")) {
                            String node = answer.get("vnode").asText();
                            assertEquals("focus@auth." + node + ".meet.jitsi", answer.get("focusJid").asText());
                            perNode.computeIfAbsent(node, n -> new AtomicInteger()).incrementAndGet();
                        } else {
                            assertEquals("focus@auth.meet.jitsi", answer.get("focusJid").asText());
                            main.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get(5, TimeUnit.MINUTES);
            }
            pool.shutdown();

            assertEquals(30, main.get());
            assertEquals(9_970, perNode.values().stream().mapToInt(AtomicInteger::get).sum());
            for (NodeLoad load : http.server.engine().nodeLoads()) {
                assertTrue(load.load() <= load.capacity(), load.toString());
                assertEquals(perNode.getOrDefault(load.nodeId(), new AtomicInteger()).get(), load.pending(),
                        load.toString());
            }
        }
    }
}
