package io.confgate.admission.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.confgate.admission.server.ServerSettings;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** README's metric list and what a running server exposes agree, both ways. */
class MetricsReadmeTest {
    @TempDir
    Path dir;

    @Test
    void readmeListsEveryMetricAndNoOther() throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("user.dir")).resolveSibling("README.md"));
        String section = readme.substring(readme.indexOf("### Metrics\n"), readme.indexOf("## Embedding in a focus"));
        Set<String> listed = new TreeSet<>();
        Matcher m = Pattern.compile("`(admission_[a-z_]+)").matcher(section);
        while (m.find()) {
            listed.add(m.group(1));
        }

        ServerSettings base = HttpHarness.embedded();
        Set<String> exposed = new TreeSet<>();
        String text;
        try (HttpHarness http = HttpHarness.start(base.withOperation(base.operation()
                .withStorePath(Optional.of(dir.resolve("store")))))) {
            // Labelled series appear with their first data point: one answered request.
            assertEquals(200, http.post(HttpHarness.webClientBody("metrics@conference.meet.jitsi", "s1")).statusCode());
            text = http.send(HttpRequest.newBuilder(http.uri("/metrics")).GET().build()).body();
        }
        Set<String> histograms = new TreeSet<>();
        for (String line : text.lines().toList()) {
            if (line.startsWith("# TYPE ") && line.endsWith(" histogram")) {
                histograms.add(line.split(" ")[2]);
            }
        }
        for (String line : text.lines().toList()) {
            if (line.startsWith("admission_")) {
                String name = line.split("[{ ]", 2)[0];
                String base2 = name.replaceFirst("_(bucket|sum|count|created)$", "");
                exposed.add(histograms.contains(base2) ? base2 : name);
            }
        }
        Set<String> unlisted = new TreeSet<>(exposed);
        unlisted.removeAll(listed);
        assertEquals(Set.of(), unlisted, "exposed but not in README's Metrics");
        Set<String> notExposed = new TreeSet<>(listed);
        notExposed.removeAll(exposed);
        notExposed.removeIf(n -> n.startsWith("admission_xmpp_") || n.equals("admission_visitors_available"));
        assertEquals(Set.of(), notExposed, "in README but not exposed (XMPP's are exposed with XMPP only)");
        assertTrue(text.contains("\njvm_memory_used_bytes{") && text.contains("\nprocess_cpu_seconds_total "),
                "the JVM's and the process's own metrics");
    }
}
