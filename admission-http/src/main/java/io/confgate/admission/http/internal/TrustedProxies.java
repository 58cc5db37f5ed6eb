package io.confgate.admission.http.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.util.InetAddressPattern;

/**
 * The proxies whose {@code X-Forwarded-For} names the client ({@code admission.http.trusted-proxies}): addresses,
 * CIDR blocks (IPv4 and IPv6, matched as addresses, so {@code ::1} is {@code 0:0:0:0:0:0:0:1}), and the names
 * {@code loopback} and {@code private}. The default is both names, as Rails' {@code ActionDispatch::RemoteIp}
 * trusts loopback and private ranges: an nginx or HAProxy on the same host or network is trusted out of the box,
 * while a client on the internet cannot name itself.
 */
public final class TrustedProxies {
    /** The names an entry may use, and the blocks they stand for. */
    static final Map<String, List<String>> NAMES = Map.of(
            "loopback", List.of("127.0.0.0/8", "::1/128"),
            "private", List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "fc00::/7",
                    "fe80::/10"));
    /** The default entries. */
    public static final List<String> DEFAULT = List.of("loopback", "private");

    private final List<InetAddressPattern> patterns;

    private TrustedProxies(List<InetAddressPattern> patterns) {
        this.patterns = patterns;
    }

    /**
     * The proxies of {@code entries}.
     *
     * @throws IllegalArgumentException an entry that is neither a name, an address nor a CIDR block, naming it
     */
    public static TrustedProxies of(List<String> entries) {
        List<InetAddressPattern> patterns = new ArrayList<>();
        for (String entry : entries) {
            String e = entry.trim();
            for (String block : NAMES.getOrDefault(e, List.of(e))) {
                if (!isLiteral(block.replaceFirst("/\\d{1,3}$", ""))) {
                    throw invalid(entry);
                }
                try {
                    patterns.add(InetAddressPattern.from(block));
                } catch (RuntimeException bad) {
                    throw invalid(entry);
                }
            }
        }
        return new TrustedProxies(List.copyOf(patterns));
    }

    private static IllegalArgumentException invalid(String entry) {
        return new IllegalArgumentException("invalid configuration 'admission.http.trusted-proxies': '" + entry
                + "' is not an address, a CIDR block (10.0.0.0/8, fc00::/7) or one of " + NAMES.keySet());
    }

    boolean trusts(InetAddress address) {
        for (InetAddressPattern p : patterns) {
            if (p.test(address)) {
                return true;
            }
        }
        return false;
    }

    /** Whether an address written in a header is a trusted proxy; anything but an IP literal is not. */
    boolean trusts(String hop) {
        InetAddress address = literal(hop);
        return address != null && trusts(address);
    }

    /** The address of an IP literal, without a DNS look-up; null for anything else. */
    static InetAddress literal(String text) {
        if (!isLiteral(text)) {
            return null;
        }
        try {
            return InetAddress.getByName(text); // a literal: parsed, never resolved
        } catch (UnknownHostException | RuntimeException e) {
            return null;
        }
    }

    /** Digits, hex, dots and colons only: an IPv4 or IPv6 literal (never a host name to resolve). */
    private static boolean isLiteral(String text) {
        if (text.isEmpty() || text.length() > 45 || (text.indexOf(':') < 0 && text.indexOf('.') < 0)) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || c == '.' || c == ':' || (c >= 'a' && c <= 'f')
                    || (c >= 'A' && c <= 'F');
            if (!ok) {
                return false;
            }
        }
        return text.indexOf(':') >= 0 || text.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }
}
