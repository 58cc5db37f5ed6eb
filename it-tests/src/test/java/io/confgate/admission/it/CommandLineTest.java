package io.confgate.admission.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line and the start as an operator meets them: {@code --help} and {@code --version} print and exit 0,
 * a wrong argument prints the usage and exits 2, and neither binds a port nor creates a store; a start that cannot
 * happen is one line with its cause and what to do, exit 2, never a stack trace.
 */
class CommandLineTest {
    @TempDir
    Path dir;

    private ServerProcess run(String... args) throws Exception {
        return ServerProcess.launch(List.of(args), 0, dir, dir);
    }

    private void assertNothingCreated() throws Exception {
        try (var files = Files.list(dir)) {
            assertTrue(files.allMatch(p -> p.getFileName().toString().startsWith("server-")), "no data/ created");
        }
    }

    private static List<String> lines(ServerProcess p) throws Exception {
        return p.output().lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void helpAndVersionPrintAndExitZeroWithoutStarting() throws Exception {
        ServerProcess help = run("--help");
        assertEquals(0, help.awaitExit());
        assertTrue(help.output().startsWith("usage: admission-server"), help.output());
        ServerProcess version = run("--version");
        assertEquals(0, version.awaitExit());
        assertTrue(version.output().matches("admission-server \\S+\\s*"), version.output());
        assertNothingCreated();
    }

    @Test
    void anUnknownArgumentPrintsTheUsageAndExitsTwo() throws Exception {
        for (String[] args : List.of(new String[] {"--bogus"}, new String[] {"--port", "x"},
                new String[] {"--config"}, new String[] {"--help=yes"})) {
            ServerProcess p = run(args);
            assertEquals(2, p.awaitExit(), String.join(" ", args));
            assertTrue(p.output().contains("usage: admission-server"), p.output());
            assertFalse(p.output().contains("\tat "), p.output());
        }
        assertNothingCreated();
    }

    @Test
    void configEqualsPathIsRead() throws Exception {
        int port = ServerProcess.freePort();
        Path config = dir.resolve("admission.conf");
        Files.writeString(config, """
                jicofo.visitors { enabled = true, max-participants = 7 }
                jicofo.rest { host = "127.0.0.1", port = %d }
                admission.store.path = "%s"
                """.formatted(port, dir.resolve("store")));
        try (ServerProcess server = ServerProcess.launch(List.of("--config=" + config), port, dir, dir)
                .awaitHealthy()) {
            assertTrue(server.output().contains("config " + config + ": "), server.output());
            assertTrue(server.output().contains("max-participants 7"), server.output());
            assertTrue(server.output().contains("listening on http://127.0.0.1:" + port), server.output());
        }
    }

    @Test
    void eachStartFailureIsOneLineAndExitTwo() throws Exception {
        Path plainFile = Files.writeString(dir.resolve("plain-file"), "x");
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            record Case(String name, String config, String expected) {
            }
            List<Case> cases = List.of(
                    new Case("port in use", "jicofo.rest { host = \"127.0.0.1\", port = " + taken.getLocalPort() + " }\n"
                            + "admission.store.path = \"" + dir.resolve("s1") + "\"", "another process has the port"),
                    new Case("store directory not creatable", "jicofo.rest.port = 0\nadmission.store.path = \""
                            + plainFile.resolve("store") + "\"", "cannot create the store directory"),
                    new Case("configuration invalid", "jicofo.visitors.max-participants = lots",
                            "jicofo.visitors.max-participants"),
                    new Case("variable unset", "jicofo.rest.port = ${ADMISSION_TEST_UNSET_PORT}",
                            "ADMISSION_TEST_UNSET_PORT"),
                    new Case("a value where a block belongs", "admission = \"x\"", "admission"));
            for (Case c : cases) {
                Path config = Files.writeString(dir.resolve(c.name().replace(' ', '-') + ".conf"), c.config());
                ServerProcess p = run("--config", config.toString());
                assertEquals(2, p.awaitExit(), c.name() + ":\n" + p.output());
                // The log lines of the start so far, then the refusal: one line, last, no stack trace.
                List<String> lines = lines(p);
                assertTrue(lines.stream().noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by")),
                        c.name() + ": no stack trace:\n" + p.output());
                assertEquals(1, lines.stream().filter(l -> l.startsWith("Cannot start: ")).count(), p.output());
                String last = lines.get(lines.size() - 1);
                assertTrue(last.startsWith("Cannot start: ") && last.contains(c.expected()), c.name() + ": " + last);
            }
            ServerProcess missing = run("--config", dir.resolve("nowhere.conf").toString());
            assertEquals(2, missing.awaitExit());
            assertEquals(List.of("Cannot start: the configuration file " + dir.resolve("nowhere.conf")
                    + " does not exist or cannot be read"), lines(missing));
        }
    }
}
