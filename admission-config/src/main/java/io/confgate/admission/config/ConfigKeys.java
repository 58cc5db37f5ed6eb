package io.confgate.admission.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Strict keys: a misspelled key must not pass silently with its default. Under {@code admission.*} (our keys) an
 * unknown key stops the start, naming it and the nearest known key; under {@code jicofo.visitors} and
 * {@code jicofo.xmpp} (Jicofo's, where jicofo.conf carries many keys this library does not read) a key that
 * neither this library nor Jicofo knows is returned for a WARN.
 */
public final class ConfigKeys {
    /** Optional {@code admission.*} keys with no default; {@code <id>} is any visitor node id. */
    private static final Set<String> OPTIONAL = Set.of("admission.http.sip-gateway-enabled",
            "admission.nodes.<id>.capacity", "admission.nodes.<id>.weight", "admission.nodes.<id>.draining");
    private static final Set<String> JICOFO = jicofoKeys();

    private ConfigKeys() {
    }

    /**
     * Refuses an unknown key under {@code admission} in {@code given} (the operator's file, before defaults).
     *
     * @param reference every default this process reads (its known keys)
     * @throws IllegalArgumentException the first unknown key, where it is, and the nearest known one
     */
    public static void checkAdmission(Config given, Config reference) {
        if (!given.hasPath("admission")) {
            return;
        }
        Set<String> known = new TreeSet<>(OPTIONAL);
        if (reference.hasPath("admission")) {
            reference.getConfig("admission").entrySet().forEach(e -> known.add("admission." + e.getKey()));
        }
        for (Map.Entry<String, ConfigValue> e : sorted(given.getConfig("admission").entrySet())) {
            String key = "admission." + e.getKey();
            if (!matches(known, key)) {
                String where = e.getValue().origin().lineNumber() > 0 ? " (" + e.getValue().origin().description()
                        + ")" : "";
                throw new IllegalArgumentException("unknown configuration key '" + key + "'" + where
                        + "; did you mean '" + nearest(known, key) + "'?");
            }
        }
    }

    /** Keys under {@code jicofo.visitors} and {@code jicofo.xmpp} of {@code given} that neither we nor Jicofo know. */
    public static List<String> unknownJicofoKeys(Config given, Config reference) {
        Set<String> known = new TreeSet<>(JICOFO);
        for (String root : List.of("jicofo.visitors", "jicofo.xmpp")) {
            if (reference.hasPath(root)) {
                reference.getConfig(root).entrySet().forEach(e -> known.add(root + "." + e.getKey()));
            }
        }
        List<String> unknown = new ArrayList<>();
        for (String root : List.of("jicofo.visitors", "jicofo.xmpp")) {
            if (!given.hasPath(root)) {
                continue;
            }
            for (Map.Entry<String, ConfigValue> e : sorted(given.getConfig(root).entrySet())) {
                String key = root + "." + e.getKey();
                if (!matches(known, key)) {
                    unknown.add(key + " (did you mean '" + nearest(known, key) + "'?)");
                }
            }
        }
        return unknown;
    }

    private static List<Map.Entry<String, ConfigValue>> sorted(Set<Map.Entry<String, ConfigValue>> entries) {
        List<Map.Entry<String, ConfigValue>> list = new ArrayList<>(entries);
        list.sort(Map.Entry.comparingByKey());
        return list;
    }

    /** Whether {@code key} is known, a node id standing for {@code <id>}. */
    private static boolean matches(Set<String> known, String key) {
        if (known.contains(key)) {
            return true;
        }
        for (String pattern : List.of("admission.nodes.", "jicofo.xmpp.visitors.")) {
            if (key.startsWith(pattern)) {
                String rest = key.substring(pattern.length());
                int dot = rest.lastIndexOf('.');
                if (dot > 0 && known.contains(pattern + "<id>" + rest.substring(dot))) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The known key closest to {@code key} by edit distance (a few hundred keys, checked once at start: the
     * textbook dynamic programme, no library needed for it).
     */
    static String nearest(Set<String> known, String key) {
        String best = "";
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = distance(key, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static Set<String> jicofoKeys() {
        Set<String> keys = new TreeSet<>();
        try (InputStream in = ConfigKeys.class.getResourceAsStream("/jicofo-known-keys.txt");
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            reader.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(keys::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Set.copyOf(keys);
    }
}
