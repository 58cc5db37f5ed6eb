package io.confgate.admission.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.conference.ConferenceAnswers;
import io.confgate.admission.conference.TokenReader;
import io.confgate.admission.core.AdmissionEngines;
import io.confgate.admission.http.AdmissionHandlers;
import io.confgate.admission.http.HttpSettings;
import io.confgate.admission.http.internal.ConferenceRequestJson;
import io.confgate.admission.http.internal.HttpReplies;
import io.confgate.admission.http.internal.RequestBodies;
import io.confgate.admission.server.internal.AboutHandlers;
import io.confgate.admission.server.internal.JwtTokenReader;
import io.confgate.admission.xmpp.XmppSignaling;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.MinimumDataRateHandler;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone admission server: a Jetty 12 server with the {@link AdmissionHandlers} endpoints, plus
 * {@code GET /about/health}, {@code GET /about/version} and {@code GET /metrics} (Prometheus). It runs the
 * engine's {@link AdmissionEngine#cleanUp()} every second and, when configured
 * ({@code admission.xmpp.enabled}), the {@link XmppSignaling} toward the visitors component and the nodes.
 * Close it to stop.
 */
public final class AdmissionServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdmissionServer.class);

    private final Server server;
    private final ServerConnector connector;
    private final AdmissionEngine engine;
    private final ScheduledExecutorService maintenance;
    private final Optional<String> developmentModeratorToken;
    private final Optional<XmppSignaling> xmpp;
    private final AdmissionHandlers handlers;
    private final AtomicBoolean draining;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Duration drainDelay;

    private AdmissionServer(Server server, ServerConnector connector, AdmissionEngine engine,
                            ScheduledExecutorService maintenance, Optional<String> developmentModeratorToken,
                            Optional<XmppSignaling> xmpp, AdmissionHandlers handlers, AtomicBoolean draining,
                            Duration drainDelay) {
        this.drainDelay = drainDelay;
        this.handlers = handlers;
        this.draining = draining;
        this.server = server;
        this.connector = connector;
        this.engine = engine;
        this.maintenance = maintenance;
        this.developmentModeratorToken = developmentModeratorToken;
        this.xmpp = xmpp;
    }

    /**
     * Starts a server with a new engine built from {@code settings}, and with XMPP signaling when
     * {@code settings.xmpp()} is present (its connections come up in the background, with retries).
     */
    public static AdmissionServer start(ServerSettings settings) throws Exception {
        Objects.requireNonNull(settings, "settings");
        TokenReader tokens = JwtTokenReader.create(settings.tokens());
        if (settings.xmpp().isEmpty()) {
            return start(settings, engine(settings, AdmissionEngines.builder(settings.admission())), Optional.empty(),
                    tokens);
        }
        // Conference IQs read their token with the same reader as HTTP's Bearer header (the development moderator
        // key, if any, is HTTP-only: promotion endpoints are not offered over XMPP).
        XmppSignaling xmpp = XmppSignaling.create(settings.xmpp().get(), tokens);
        try {
            AdmissionEngine engine = engine(settings, AdmissionEngines.builder(settings.admission())
                    .nodeLinkListener(xmpp));
            return start(settings, engine, Optional.of(xmpp), tokens);
        } catch (Exception | Error e) {
            xmpp.close();
            throw e;
        }
    }

    /** The engine, restored from the store when one is configured ({@code admission.store.path}). */
    private static AdmissionEngine engine(ServerSettings settings, AdmissionEngines.Builder builder) {
        settings.operation().storePath().ifPresent(path -> builder.store(path, settings.operation().writeInterval()));
        return builder.build();
    }

    /**
     * Starts a server around an existing engine (its configuration should be {@code settings.admission()}).
     * It speaks HTTP only: a focus that brings its own engine wires {@link XmppSignaling} (a
     * {@code NodeLinkListener}) into that engine itself.
     */
    public static AdmissionServer start(ServerSettings settings, AdmissionEngine engine) throws Exception {
        if (settings.xmpp().isPresent()) {
            log.warn("admission.xmpp is configured but the engine was supplied: XMPP signaling is not started");
        }
        return start(settings, engine, Optional.empty(), JwtTokenReader.create(settings.tokens()));
    }

    private static AdmissionServer start(ServerSettings settings, AdmissionEngine engine, Optional<XmppSignaling> xmpp,
                                         TokenReader tokens) throws Exception {
        Objects.requireNonNull(engine, "engine");
        AdmissionMetrics metrics = AdmissionMetrics.create(engine);
        // The process's own figures (heap, GC, threads, CPU, open files), as every JVM service exports them.
        io.prometheus.metrics.instrumentation.jvm.JvmMetrics.builder().register(metrics.registry());
        xmpp.ifPresent(metrics::registerXmpp);
        TokenPolicy policy = tokenPolicy(settings, tokens);
        ServerSettings.Operation operation = settings.operation();
        Server server = new Server();
        ServerConnector connector = connector(server, settings.rest(), operation);
        AtomicBoolean draining = new AtomicBoolean();
        AdmissionHandlers handlers = handlerChain(server, settings, engine, policy.tokens(), metrics, draining);
        ScheduledExecutorService maintenance = maintenance(engine);
        try {
            server.start();
            // After HTTP is up, so a bad XMPP account cannot leave a half-started server behind.
            xmpp.ifPresent(x -> startXmpp(x, engine, settings.http()));
        } catch (Exception | Error e) {
            maintenance.shutdownNow();
            server.stop();
            engine.close();
            throw e;
        }
        return new AdmissionServer(server, connector, engine, maintenance, policy.developmentToken(), xmpp, handlers,
                draining, operation.drainDelay());
    }

    /** The token reader the endpoints use, and the development moderator token when that is on. */
    private record TokenPolicy(TokenReader tokens, Optional<String> developmentToken) {
    }

    private static TokenPolicy tokenPolicy(ServerSettings settings, TokenReader tokens) {
        if (!settings.moderation().developmentModeratorToken()) {
            return new TokenPolicy(tokens, Optional.empty());
        }
        if (settings.tokens().verifying()) {
            log.info("admission.promotion.development-moderator-token is ignored: admission.jwt has a key");
            return new TokenPolicy(tokens, Optional.empty());
        }
        // A random key for this run only: the printed token works until the server stops.
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        log.warn("DEVELOPMENT MODERATOR TOKEN enabled (admission.promotion.development-moderator-token):"
                + " anyone holding the printed token can act as moderator. Never use this in production.");
        return new TokenPolicy(JwtTokenReader.development(secret),
                Optional.of(JwtTokenReader.developmentModeratorToken(secret, Duration.ofDays(1))));
    }

    /** The HTTP connector ({@code jicofo.rest}) with the connection bounds, and the stop's timing. */
    private static ServerConnector connector(Server server, ServerSettings.Rest rest, ServerSettings.Operation operation) {
        HttpConfiguration httpConfig = new HttpConfiguration();
        httpConfig.setSendServerVersion(false);
        httpConfig.setSendXPoweredBy(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(httpConfig));
        connector.setHost(rest.host());
        connector.setPort(rest.port());
        connector.setIdleTimeout(operation.idleTimeout().toMillis());
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(operation.maxConnections(), connector));
        // The grace covers both steps of close(): the drain delay, then the wait for requests in flight.
        server.setStopTimeout(Math.max(1, operation.shutdownGrace().minus(operation.drainDelay()).toMillis()));
        server.setStopAtShutdown(false); // the shutdown hook drains first (AdmissionServerMain)
        return connector;
    }

    /** The routes and the wrappers around them, set as the server's handler; the endpoints' owner is returned. */
    private static AdmissionHandlers handlerChain(Server server, ServerSettings settings, AdmissionEngine engine,
                                                  TokenReader tokens, AdmissionMetrics metrics, AtomicBoolean draining) {
        ObjectMapper mapper = ConferenceRequestJson.newMapper();
        PathMappingsHandler routes = new PathMappingsHandler();
        AdmissionHandlers.Builder builder = AdmissionHandlers.builder(engine, settings.http()).tokens(tokens)
                .observer(metrics);
        settings.eventSync().ifPresent(builder::eventSync);
        AdmissionHandlers handlers = builder.build();
        if (settings.rest().conferenceRequestEnabled()) {
            handlers.mount(routes);
        }
        routes.addMapping(PathSpec.from("/about/health"), AboutHandlers.health(mapper, draining::get));
        routes.addMapping(PathSpec.from("/about/version"), AboutHandlers.version(mapper));
        routes.addMapping(PathSpec.from("/metrics"), AboutHandlers.metrics(mapper, metrics.registry()));
        routes.addMapping(PathSpec.from("/*"), notFound());
        // Outside in: requests in flight are waited for at stop; a body that trickles in below the minimum
        // rate is cut off (bodies are read without holding a thread, and idle connections are closed).
        GracefulHandler graceful = handlers.graceful(new MinimumDataRateHandler(
                handlers.limitingPromotionCalls(routes), settings.operation().minRequestDataRate(), 0));
        // At stop, a keep-alive connection with no request in flight is closed after this, not the idle timeout.
        graceful.setShutdownIdleTimeout(200);
        server.setHandler(graceful);
        server.setErrorHandler(errors(settings.http()));
        return handlers;
    }

    /** The engine's clean-up every second, on a thread of its own. */
    private static ScheduledExecutorService maintenance(AdmissionEngine engine) {
        ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "admission-maintenance");
            t.setDaemon(true);
            return t;
        });
        maintenance.scheduleWithFixedDelay(() -> {
            try {
                engine.cleanUp();
            } catch (Throwable e) { // any Throwable would end the schedule for good
                log.error("Engine maintenance failed; trying again in a second: {}", e.toString());
            }
        }, 1, 1, TimeUnit.SECONDS);
        return maintenance;
    }

    private static void startXmpp(XmppSignaling xmpp, AdmissionEngine engine, HttpSettings http) {
        xmpp.start(engine, new ConferenceAnswers(engine.config(), http.mainFocusJid(), http.authentication(),
                http.sipGatewayEnabled()));
    }

    /**
     * Jetty's own errors (malformed HTTP, a URI too long, a body over the limit): a JSON message, never a
     * stack trace, and {@code Connection: close}, since Jetty closes the connection after them and a pooled
     * client must not send its next request into it.
     */
    private static Request.Handler errors(HttpSettings http) {
        return (request, response, callback) -> {
            int status = response.getStatus() >= 400 ? response.getStatus() : HttpStatus.BAD_REQUEST_400;
            String message = status == HttpStatus.PAYLOAD_TOO_LARGE_413 ? RequestBodies.tooLarge(http.maxBodyBytes())
                    : HttpStatus.getMessage(status);
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
            HttpReplies.error(response, status, message, callback);
            return true;
        };
    }

    private static Handler notFound() {
        return new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                HttpReplies.error(response, HttpStatus.NOT_FOUND_404, "no such endpoint", callback);
                return true;
            }
        };
    }

    /** The port the server listens on (useful when configured with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** The address actually bound, e.g. {@code http://0.0.0.0:8888 (all interfaces)}. */
    public String boundAddress() {
        String host = connector.getHost() == null ? "0.0.0.0" : connector.getHost();
        boolean all = host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
        return "http://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port()
                + (all ? " (all interfaces)" : "");
    }

    /** The base address to call from this host, e.g. {@code http://127.0.0.1:8888}. */
    public URI uri() {
        String host = connector.getHost() == null || connector.getHost().equals("0.0.0.0") ? "127.0.0.1"
                : connector.getHost();
        return URI.create("http://" + host + ":" + port());
    }

    /**
     * The moderator token signed at start with a random key, when
     * {@code admission.promotion.development-moderator-token} is on and no JWT key is configured.
     */
    public Optional<String> developmentModeratorToken() {
        return developmentModeratorToken;
    }

    /** The engine behind the server. */
    public AdmissionEngine engine() {
        return engine;
    }

    /** The XMPP signaling, when {@code admission.xmpp.enabled}. */
    public Optional<XmppSignaling> xmpp() {
        return xmpp;
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        server.join();
    }

    /** Whether the server is draining: {@code /about/health} then answers 503. */
    public boolean draining() {
        return draining.get();
    }

    /**
     * Stops as a container stop (SIGTERM) asks, within {@code admission.http.shutdown-grace}: health turns
     * 503 and long polls are answered with their current state; for {@code admission.http.drain-delay} the
     * server still answers, so a load balancer sees the 503 and stops sending; then new connections are
     * refused and requests in flight finish; then XMPP closes and the store is written a last time.
     */
    @Override
    public void close() throws Exception {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        draining.set(true);
        handlers.drain();
        log.info("Stopping: /about/health answers 503 and long polls were answered; serving {} ms more for the load"
                + " balancer", drainDelay.toMillis());
        Thread.sleep(drainDelay.toMillis());
        try {
            server.stop(); // graceful: stops accepting, waits for what is in flight up to the stop timeout
        } finally {
            maintenance.shutdownNow();
            xmpp.ifPresent(XmppSignaling::close);
            engine.close();
            engine.storeStats().ifPresent(s -> log.info("Store written ({} writes since the start)", s.writes()));
        }
    }
}
