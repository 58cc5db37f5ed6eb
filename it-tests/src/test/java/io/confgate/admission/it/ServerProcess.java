package io.confgate.admission.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The standalone server as a process ({@code AdmissionServerMain --config FILE}), started from the test's class
 * path, its output in a log file of its own. {@link #kill9} is what a crash or a replaced container does.
 */
record ServerProcess(Process process, URI uri, Path log) implements AutoCloseable {

    /** Launches the server on {@code config}; does not wait for it (see {@link #awaitHealthy}). */
    static ServerProcess launch(Path config, int port, Path logDir) throws IOException {
        return launch(java.util.List.of("--config", config.toString()), port, logDir, logDir);
    }

    /** Launches {@code AdmissionServerMain} with {@code args}, in {@code workDir}, its output in {@code logDir}. */
    static ServerProcess launch(java.util.List<String> args, int port, Path workDir, Path logDir) throws IOException {
        Path log = logDir.resolve("server-" + System.nanoTime() + ".log");
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-cp", System.getProperty("java.class.path"), "io.confgate.admission.server.AdmissionServerMain"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().remove("ADMISSION_CONFIG");
        return new ServerProcess(builder.start(), URI.create("http://127.0.0.1:" + port), log);
    }

    /** Waits for a process that should end by itself; its exit status. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill9();
            throw new AssertionError("the process did not end by itself");
        }
        return process.exitValue();
    }

    /** Launches the server and waits until {@code /about/health} answers 200. */
    static ServerProcess start(Path config, int port, Path logDir) throws Exception {
        return launch(config, port, logDir).awaitHealthy();
    }

    ServerProcess awaitHealthy() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                if (get("/about/health").statusCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the server did not start:\n" + output());
    }

    HttpResponse<String> get(String path) throws Exception {
        return ItSupport.get(uri, path);
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return ItSupport.post(uri, path, body, null);
    }

    /** The value of one sample line of {@code /metrics}, or NaN when the series is absent. */
    double metric(String series) throws Exception {
        for (String line : get("/metrics").body().lines().toList()) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return Double.NaN;
    }

    String output() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /**
     * Polls until every change so far is in the store: at least one write, then no write for 600 ms (three of the
     * tests' 200 ms write intervals; the writer writes in every interval that had a change).
     */
    void awaitStoreWritten() throws Exception {
        long[] last = {-1, System.nanoTime()};
        ItSupport.await("the store written and quiet", 15, () -> {
            try {
                long writes = (long) metric("admission_store_writes_total");
                if (writes != last[0]) {
                    last[0] = writes;
                    last[1] = System.nanoTime();
                    return false;
                }
                return writes > 0 && System.nanoTime() - last[1] > 600_000_000L;
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** kill -9: no shutdown hook, no last write, sockets closed by the kernel. */
    void kill9() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    static int freePort() throws IOException {
        return ItSupport.freePort();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill9();
            }
        }
    }
}
