package io.confgate.admission.http.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

    @Test
    void theDefaultTrustsLoopbackAndPrivateRangesInBothFamilies() {
        TrustedProxies proxies = TrustedProxies.of(TrustedProxies.DEFAULT);
        for (String trusted : List.of("127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "10.1.2.3", "172.16.0.9",
                "172.31.255.255", "192.168.1.1", "fd00::5", "fe80::1")) {
            assertTrue(proxies.trusts(trusted), trusted);
        }
        for (String untrusted : List.of("8.8.8.8", "172.32.0.1", "2001:db8::1", "192.169.0.1", "localhost", "",
                "unknown", "_hidden", "10.0.0.1:443")) {
            assertFalse(proxies.trusts(untrusted), untrusted);
        }
    }

    @Test
    void entriesAreAddressesOrCidrBlocksMatchedAsAddresses() {
        TrustedProxies proxies = TrustedProxies.of(List.of("203.0.113.0/24", "2001:db8::/32", "198.51.100.7",
                "::1"));
        assertTrue(proxies.trusts("203.0.113.200"));
        assertTrue(proxies.trusts("2001:db8:0:0:0:0:0:42"));
        assertTrue(proxies.trusts("198.51.100.7"));
        assertTrue(proxies.trusts("0:0:0:0:0:0:0:1"), "::1 in Java's long form");
        assertFalse(proxies.trusts("203.0.114.1"));
        assertFalse(proxies.trusts("127.0.0.1"), "only what is listed");
        assertFalse(TrustedProxies.of(List.of()).trusts("127.0.0.1"), "[] trusts none");
    }

    @Test
    void aWrongEntryIsRefusedNamingIt() {
        for (String wrong : List.of("proxy.example.org", "10.0.0.0/33", "lan", "10.0.0.0/8x")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TrustedProxies.of(List.of(wrong)));
            assertTrue(e.getMessage().contains("'" + wrong + "'") && e.getMessage().contains("trusted-proxies"),
                    e.getMessage());
        }
    }

    @Test
    void literalsAreNeverResolved() {
        assertNull(TrustedProxies.literal("example.org"));
        assertNull(TrustedProxies.literal("face"), "hex letters alone are not an address");
    }
}
