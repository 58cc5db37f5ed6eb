package io.confgate.admission.core.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

/** What the store logged while {@code action} ran (slf4j-simple writes to System.err, looked up per line). */
record StoreLog<T>(T result, List<String> lines) {

    static synchronized <T> StoreLog<T> capture(Callable<T> action) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        T result;
        try {
            result = action.call();
        } finally {
            System.setErr(original);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        original.print(text);
        return new StoreLog<>(result, text.lines().toList());
    }

    List<String> at(String level) {
        return lines.stream().filter(l -> l.contains(" " + level + " ")).toList();
    }
}
