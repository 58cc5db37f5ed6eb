package io.confgate.admission.server.internal;

import io.confgate.admission.http.internal.HttpReplies;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** The small GET endpoints: health, version, metrics. */
public final class AboutHandlers {
    private AboutHandlers() {
    }

    /**
     * {@code GET /about/health}: 200 while the server is serving, 503 once it is draining (SIGTERM), so that
     * a load balancer stops sending to it while it finishes what is in flight.
     */
    public static Handler health(ObjectMapper mapper, java.util.function.BooleanSupplier draining) {
        byte[] ok = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
        byte[] leaving = "{\"status\":\"draining\"}".getBytes(StandardCharsets.UTF_8);
        return get(mapper, (request, response, callback) -> {
            boolean stopping = draining.getAsBoolean();
            HttpReplies.json(response, stopping ? 503 : 200, stopping ? leaving : ok, callback);
        });
    }

    /** {@code GET /about/version}: name, version and OS, as Jicofo's endpoint gives them. */
    public static Handler version(ObjectMapper mapper) {
        Properties p = new Properties();
        try (InputStream in = AboutHandlers.class.getResourceAsStream("/admission-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> info = new LinkedHashMap<>();
        info.put("name", p.getProperty("name", "confgate-admission"));
        info.put("version", p.getProperty("version", "unknown"));
        info.put("os", System.getProperty("os.name"));
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(info);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return get(mapper, (request, response, callback) -> HttpReplies.json(response, 200, body, callback));
    }

    /** {@code GET /metrics}: the registry in Prometheus (or OpenMetrics, if asked) text format. */
    public static Handler metrics(ObjectMapper mapper, PrometheusRegistry registry) {
        ExpositionFormats formats = ExpositionFormats.init();
        return get(mapper, (request, response, callback) -> {
            ExpositionFormatWriter writer = formats.findWriter(request.getHeaders().get(HttpHeader.ACCEPT));
            ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
            try {
                writer.write(out, registry.scrape());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            HttpReplies.text(response, 200, writer.getContentType(), out.toByteArray(), callback);
        });
    }

    @FunctionalInterface
    private interface Exchange {
        void run(Request request, Response response, Callback callback);
    }

    private static Handler get(ObjectMapper mapper, Exchange exchange) {
        return new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
                    response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
                    HttpReplies.error(response, HttpStatus.METHOD_NOT_ALLOWED_405, "use GET", callback);
                    return true;
                }
                exchange.run(request, response, callback);
                return true;
            }
        };
    }
}
