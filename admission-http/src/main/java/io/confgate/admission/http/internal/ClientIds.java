package io.confgate.admission.http.internal;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * Who a request comes from, for per-client limits: the connection's address; when that address is a
 * trusted proxy, the nearest address in {@code X-Forwarded-For} that is not one. A client cannot choose it
 * (unlike a session id), and an untrusted sender's {@code X-Forwarded-For} is ignored.
 */
public final class ClientIds implements Function<Request, String> {
    private final TrustedProxies trustedProxies;

    /** Client ids behind {@code trustedProxies} (entries as {@link TrustedProxies#of} takes them). */
    public ClientIds(List<String> trustedProxies) {
        this.trustedProxies = TrustedProxies.of(trustedProxies);
    }

    @Override
    public String apply(Request request) {
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        String peer = address(remote);
        if (!(remote instanceof InetSocketAddress inet && inet.getAddress() != null
                && trustedProxies.trusts(inet.getAddress()))) {
            return peer;
        }
        List<String> forwarded = request.getHeaders().getValuesList(HttpHeader.X_FORWARDED_FOR);
        String client = peer;
        // Right to left: each trusted proxy appended the address it got the request from.
        for (int i = forwarded.size() - 1; i >= 0; i--) {
            String[] hops = forwarded.get(i).split(",");
            for (int j = hops.length - 1; j >= 0; j--) {
                String hop = hops[j].trim();
                if (hop.isEmpty()) {
                    continue;
                }
                client = hop;
                if (!trustedProxies.trusts(hop)) {
                    return hop;
                }
            }
        }
        return client;
    }

    private static String address(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(address);
    }
}
