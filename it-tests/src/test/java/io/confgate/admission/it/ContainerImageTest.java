package io.confgate.admission.it;

import static io.confgate.admission.it.HttpHarness.webClientBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image as the build writes it: admission-server's {@code image-configuration-check} execution builds
 * the Jib image on {@code scratch} during {@code package} (no registry, no Docker daemon). This test reads its
 * configuration, unpacks its layers and runs its entrypoint against the unpacked tree, with the host's JRE standing
 * in for the base image's: the server must start from the image's own configuration file, answer, and write its
 * store into the volume.
 */
class ContainerImageTest {
    private static final Path IMAGE = Path.of("..", "admission-server", "target", "image-configuration-check.tar");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** Every process a test started: none outlives its test, whatever assertion failed. */
    private final List<Process> started = new java.util.concurrent.CopyOnWriteArrayList<>();

    @AfterEach
    void stopWhatIsStillRunning() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theImageRunsAsAnUnprivilegedUserWithItsStoreOnAVolume() throws Exception {
        assertTrue(Files.isRegularFile(IMAGE), "built by `mvn package` in admission-server: " + IMAGE.toAbsolutePath());
        Path image = Files.createDirectory(dir.resolve("image"));
        untar(IMAGE, image, false);
        JsonNode manifest = JSON.readTree(image.resolve("manifest.json").toFile()).get(0);
        JsonNode config = JSON.readTree(image.resolve(manifest.get("Config").asText()).toFile()).get("config");

        String[] user = config.get("User").asText().split(":");
        assertFalse(user[0].equals("0") || user[0].equals("root"), "never root: " + config.get("User"));
        assertTrue(config.get("ExposedPorts").has("8888/tcp"), "Jicofo's REST port");
        assertEquals("/var/lib/admission", config.get("WorkingDir").asText());
        assertTrue(config.get("Volumes").has("/var/lib/admission/data"), "the store's directory is a volume");
        List<String> entrypoint = new ArrayList<>();
        config.get("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
        assertEquals("java", entrypoint.get(0));
        assertTrue(entrypoint.contains("-XX:+ExitOnOutOfMemoryError"), "an OOM ends the process; the runtime restarts it");
        assertTrue(entrypoint.stream().anyMatch(f -> f.startsWith("-XX:MaxRAMPercentage=")), "heap from the limit");
        assertEquals("io.confgate.admission.server.AdmissionServerMain", entrypoint.get(entrypoint.size() - 1));
        String configFile = null;
        for (JsonNode env : config.get("Env")) {
            if (env.asText().startsWith("ADMISSION_CONFIG=")) {
                configFile = env.asText().substring("ADMISSION_CONFIG=".length());
            }
        }
        assertEquals("/etc/admission/admission.conf", configFile);

        Path root = Files.createDirectory(dir.resolve("root"));
        String volumeEntry = null;
        for (JsonNode layer : manifest.get("Layers")) {
            untar(image.resolve(layer.asText()), root, true);
            volumeEntry = list(image.resolve(layer.asText())).stream().filter(e -> e.endsWith(" var/lib/admission/data/"))
                    .findFirst().orElse(volumeEntry);
        }
        // A named volume starts as a copy of the image's directory, owner and mode included: the image's user must
        // be able to write there (this test itself runs as whoever runs the build, often root, so it checks this).
        assertTrue(volumeEntry != null, "the image has the volume's directory");
        assertTrue(writableBy(volumeEntry, user[0], user.length > 1 ? user[1] : user[0]),
                "the image's user " + config.get("User").asText() + " can write the store's directory: " + volumeEntry);
        Path workDir = inside(root, config.get("WorkingDir").asText());
        Path volume = inside(root, "/var/lib/admission/data");
        assertTrue(Files.isDirectory(volume), "the volume's mount point exists in the image");
        assertTrue(Files.isRegularFile(inside(root, configFile)), "the configuration the image points at is in it");

        // The entrypoint with the unpacked tree as its root: the classpath file and the configuration path are
        // rewritten under it; everything else (flags, main class, working directory) is the image's.
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (int i = 1; i < entrypoint.size(); i++) {
            String part = entrypoint.get(i);
            if (part.startsWith("@/")) {
                String classpath = Files.readString(inside(root, part.substring(1))).trim();
                StringBuilder relocated = new StringBuilder();
                for (String entry : classpath.split(":")) {
                    relocated.append(relocated.length() == 0 ? "" : java.io.File.pathSeparator)
                            .append(inside(root, entry));
                }
                command.add(relocated.toString());
            } else {
                command.add(part);
            }
        }
        Path imageConfig = inside(root, configFile);
        Process server = run(command, workDir, imageConfig, "server.log", "--port", Integer.toString(port));
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            URI uri = URI.create("http://127.0.0.1:" + port);
            awaitHealthy(client, uri, server);
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(uri.resolve("/conference-request/v1"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(webClientBody("image@conference.meet.jitsi", "s1")))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
            // The container health check (Jib writes no HEALTHCHECK; ECS and Compose run a command).
            Process probe = run(command, workDir, imageConfig, "probe-up.log", "--port", Integer.toString(port),
                    "--health-check");
            assertEquals(0, probe.waitFor(), Files.readString(dir.resolve("probe-up.log")));
        } finally {
            server.destroy(); // SIGTERM, as `docker stop` sends
            assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the server stops on SIGTERM");
        }
        Process probe = run(command, workDir, imageConfig, "probe-down.log", "--port", Integer.toString(port),
                "--health-check");
        assertEquals(1, probe.waitFor(), "a stopped server is unhealthy: " + Files.readString(dir.resolve("probe-down.log")));
        try (Stream<Path> files = Files.list(volume)) {
            assertFalse(files.filter(f -> !f.getFileName().toString().startsWith(".")).toList().isEmpty(),
                    "the store was written into the volume: " + Files.readString(dir.resolve("server.log")));
        }
    }

    private Process run(List<String> entrypoint, Path workDir, Path config, String log, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(entrypoint);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(log).toFile());
        builder.environment().put("ADMISSION_CONFIG", config.toString());
        Process process = builder.start();
        started.add(process);
        return process;
    }

    private static Path inside(Path root, String absolute) {
        return root.resolve(absolute.replaceFirst("^/+", ""));
    }

    private static void awaitHealthy(HttpClient client, URI uri, Process server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && server.isAlive()) {
            try {
                if (client.send(HttpRequest.newBuilder(uri.resolve("/about/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the image's server did not become healthy");
    }

    /** Whether a {@code tar -tv --numeric-owner} line ("drwxrwxr-x 0/0 0 date time path") is writable by uid:gid. */
    private static boolean writableBy(String entry, String uid, String gid) {
        String[] f = entry.trim().split("\\s+");
        String mode = f[0];
        String[] owner = f[1].split("/");
        return owner[0].equals(uid) && mode.charAt(2) == 'w' || owner[1].equals(gid) && mode.charAt(5) == 'w'
                || mode.charAt(8) == 'w';
    }

    private static List<String> list(Path layer) throws Exception {
        Process tar = new ProcessBuilder("tar", "--numeric-owner", "-tvzf", layer.toAbsolutePath().toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> entries = new String(tar.getInputStream().readAllBytes()).lines().toList();
        assertEquals(0, tar.waitFor(), "tar -t " + layer);
        return entries;
    }

    /** The system's tar: the image and its layers are plain (gzipped) tar archives. */
    private static void untar(Path archive, Path into, boolean gzip) throws Exception {
        Process tar = new ProcessBuilder("tar", gzip ? "-xzf" : "-xf", archive.toAbsolutePath().toString(),
                "-C", into.toString()).redirectErrorStream(true).start();
        String output = new String(tar.getInputStream().readAllBytes());
        assertEquals(0, tar.waitFor(), "tar " + archive + ": " + output);
    }

    private static int freePort() throws IOException {
        return ItSupport.freePort();
    }
}
