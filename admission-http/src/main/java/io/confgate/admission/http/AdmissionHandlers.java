package io.confgate.admission.http;

import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.conference.TokenReader;
import io.confgate.admission.http.internal.ClientIds;
import io.confgate.admission.http.internal.Cors;
import io.confgate.admission.http.internal.HttpReplies;
import io.confgate.admission.http.internal.OversizedBodies;
import io.confgate.admission.http.internal.ResponseTimer;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.http.pathmap.PathSpec;
import io.confgate.admission.conference.ConferenceAnswers;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.handler.DoSHandler;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.server.handler.SizeLimitHandler;

/**
 * The admission endpoints, assembled from small handlers for a Jetty 12 server of the focus's own or the
 * standalone one:
 *
 * <ul>
 *   <li>{@code /conference-request/v1} and {@code /conference-request}: {@link ConferenceRequestHandler}</li>
 *   <li>{@code /conference-request/v1/promotion/<action>}: {@link PromotionHandlers}</li>
 *   <li>{@code /event-sync/events/...}, when configured: {@link EventSyncHandler}</li>
 * </ul>
 *
 * Each is wrapped, outside in, by a {@link ResponseTimer} (status and latency to the {@link HttpObserver}),
 * CORS ({@link Cors}, Jetty's {@code CrossOriginHandler}) and Jetty's {@link SizeLimitHandler}.
 *
 * <pre>{@code
 * PathMappingsHandler routes = new PathMappingsHandler();
 * AdmissionHandlers handlers = AdmissionHandlers.builder(engine, settings).tokens(tokens).observer(metrics).build();
 * handlers.mount(routes);
 * server.setHandler(handlers.limitingPromotionCalls(routes));
 * }</pre>
 */
public final class AdmissionHandlers {
    /** The conference request's path, as Jitsi Meet's {@code conferenceRequestUrl} names it. */
    public static final String CONFERENCE_REQUEST = "/conference-request/v1";
    /** Where the promotion actions live. */
    public static final String PROMOTION = CONFERENCE_REQUEST + "/promotion";
    /** mod_event_sync_component's {@code api_prefix} is {@code http://HOST:PORT} followed by this. */
    public static final String EVENT_SYNC = "/event-sync";

    private final AdmissionEngine engine;
    private final HttpSettings settings;
    private final TokenReader tokens;
    private final HttpObserver observer;
    private final Optional<EventSyncSettings> eventSync;
    private final java.util.List<PromotionHandlers> mounted = new java.util.concurrent.CopyOnWriteArrayList<>();

    private AdmissionHandlers(Builder b) {
        this.engine = b.engine;
        this.settings = b.settings;
        this.tokens = b.tokens;
        this.observer = b.observer;
        this.eventSync = b.eventSync;
    }

    public static Builder builder(AdmissionEngine engine, HttpSettings settings) {
        return new Builder(engine, settings);
    }

    /** Adds the endpoints to {@code routes}. */
    public void mount(PathMappingsHandler routes) {
        Handler conferenceRequest = wrap("conference-request", Set.of("POST", "OPTIONS"),
                new ConferenceRequestHandler(engine, settings, tokens, observer));
        routes.addMapping(PathSpec.from(CONFERENCE_REQUEST), conferenceRequest);
        routes.addMapping(PathSpec.from("/conference-request"), conferenceRequest);
        PromotionHandlers promotions = new PromotionHandlers(engine, settings, tokens, observer);
        mounted.add(promotions);
        for (String action : PromotionHandlers.ACTIONS) {
            routes.addMapping(PathSpec.from(PROMOTION + "/" + action),
                    wrap("promotion/" + action, Set.of("GET", "POST", "OPTIONS"), promotions.handler(action)));
        }
        routes.addMapping(PathSpec.from(PROMOTION + "/*"),
                wrap("promotion/unknown", Set.of("GET", "POST", "OPTIONS"), PromotionHandlers.unknownAction()));
        eventSync.ifPresent(sync -> {
            // Server to server: no CORS.
            SizeLimitHandler limited = new SizeLimitHandler(settings.maxBodyBytes(), -1);
            limited.setHandler(new EventSyncHandler(engine, sync, settings.maxBodyBytes()));
            routes.addMapping(PathSpec.from(EVENT_SYNC + "/events/*"), new ResponseTimer("event-sync", observer,
                    new OversizedBodies(settings.maxBodyBytes(), limited)));
        });
    }

    /**
     * Wraps the server's handler tree with the per-client bound on promotion calls: Jetty's
     * {@link DoSHandler}, applied to {@value #PROMOTION}{@code /*} only, one budget per client over every
     * action, keyed on the client's address (or a trusted proxy's forwarded one), never on an id the
     * client chooses. A client over its budget gets 429 {@code RATE_LIMITED}.
     */
    public Handler limitingPromotionCalls(Handler tree) {
        HttpSettings.ClientLimits limits = settings.clients();
        DoSHandler limiter = new DoSHandler(tree, new ClientIds(limits.trustedProxies()),
                new DoSHandler.LeakingBucketTrackerFactory(limits.requestsPerSecond()),
                (request, response, callback) -> {
                    observer.responded(promotionEndpoint(request), HttpStatus.TOO_MANY_REQUESTS_429, 0);
                    HttpReplies.error(response, HttpStatus.TOO_MANY_REQUESTS_429, "too many promotion calls from this"
                            + " client; slow down", "RATE_LIMITED", callback);
                    return true;
                }, limits.maxClients());
        limiter.includePath(PROMOTION + "/*");
        return limiter;
    }

    /** The endpoint name a promotion call is counted under: its action's, as its handler would count it. */
    private static String promotionEndpoint(org.eclipse.jetty.server.Request request) {
        String path = org.eclipse.jetty.server.Request.getPathInContext(request);
        String action = path.substring(path.lastIndexOf('/') + 1);
        return PromotionHandlers.ACTIONS.contains(action) ? "promotion/" + action : "promotion/unknown";
    }

    /**
     * Jetty's {@link GracefulHandler} around {@code tree} (requests in flight are waited for at stop), except that
     * a conference request arriving once the stop has begun (on a connection kept open, e.g. by a proxy) is
     * answered 200 {@code ready: false}, which lib-jitsi-meet asks again after a second, by then through the load
     * balancer to another server; Jetty's 503 would end the user's join ({@code CONFERENCE_REQUEST_FAILED}).
     * Every other request gets Jetty's 503.
     */
    public GracefulHandler graceful(Handler tree) {
        ConferenceAnswers answers = new ConferenceAnswers(engine.config(), settings.mainFocusJid(),
                settings.authentication(), settings.sipGatewayEnabled());
        java.util.Map<String, Object> answer = new java.util.LinkedHashMap<>();
        answer.put("ready", false);
        answer.put("focusJid", settings.mainFocusJid().toString());
        answer.put("properties", answers.baseProperties());
        byte[] notReady = HttpReplies.bytes(answer);
        // With the endpoint's CORS, so a browser on another origin reads the answer (and its preflight is answered).
        Handler stopping = Cors.wrap(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                                  Callback callback) {
                observer.stopping();
                response.getHeaders().put(ConferenceRequestHandler.REASON_HEADER, "STOPPING");
                // This connection is not for another request: a client that pooled it would send its next one
                // into a connection the stop closes, and see it cut.
                response.getHeaders().put(org.eclipse.jetty.http.HttpHeader.CONNECTION, "close");
                HttpReplies.json(response, HttpStatus.OK_200, notReady, callback);
                observer.responded("conference-request", HttpStatus.OK_200, 0);
                return true;
            }
        }, settings.corsAllowedOrigins(), Set.of("POST", "OPTIONS"));
        java.util.concurrent.atomic.AtomicInteger answering = new java.util.concurrent.atomic.AtomicInteger();
        GracefulHandler graceful = new GracefulHandler(tree) {
            @Override
            protected void handleShutdownRejection(org.eclipse.jetty.server.Request request,
                                                   org.eclipse.jetty.server.Response response, Callback callback) {
                String path = org.eclipse.jetty.server.Request.getPathInContext(request);
                boolean conferenceRequest = path.equals(CONFERENCE_REQUEST) || path.equals("/conference-request");
                if (!conferenceRequest || !("POST".equals(request.getMethod())
                        || "OPTIONS".equals(request.getMethod()))) {
                    super.handleShutdownRejection(request, response, callback);
                    return;
                }
                // Counted, so the stop waits for these answers too (Jetty counts only the requests it let in).
                answering.incrementAndGet();
                Callback done = Callback.from(callback, answering::decrementAndGet);
                try {
                    stopping.handle(request, response, done);
                } catch (Exception e) {
                    super.handleShutdownRejection(request, response, done);
                }
            }

            @Override
            public void setServer(org.eclipse.jetty.server.Server server) {
                super.setServer(server);
                stopping.setServer(server); // a bean, not the wrapped handler: given the server here
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> shutdown() {
                return super.shutdown().thenCompose(requestsDone -> java.util.concurrent.CompletableFuture.runAsync(
                        () -> {
                            // Bounded by the server's stop timeout, which gives up on this future.
                            while (answering.get() > 0) {
                                try {
                                    Thread.sleep(5);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                    return;
                                }
                            }
                        }));
            }
        };
        graceful.addBean(stopping, true); // started and stopped with the handler tree
        return graceful;
    }

    /** Answers every long poll now with its current state; call when the server starts to stop. */
    public void drain() {
        mounted.forEach(PromotionHandlers::drain);
    }

    private Handler wrap(String endpoint, Set<String> methods, Handler handler) {
        SizeLimitHandler limited = new SizeLimitHandler(settings.maxBodyBytes(), -1);
        limited.setHandler(handler);
        return new ResponseTimer(endpoint, observer, Cors.wrap(new OversizedBodies(settings.maxBodyBytes(), limited),
                settings.corsAllowedOrigins(), methods));
    }

    /** Assembles the endpoints from the engine, the settings and the SPIs at the edge. */
    public static final class Builder {
        private final AdmissionEngine engine;
        private final HttpSettings settings;
        private TokenReader tokens = TokenReader.ignoring();
        private HttpObserver observer = HttpObserver.none();
        private Optional<EventSyncSettings> eventSync = Optional.empty();

        private Builder(AdmissionEngine engine, HttpSettings settings) {
            this.engine = Objects.requireNonNull(engine, "engine");
            this.settings = Objects.requireNonNull(settings, "settings");
        }

        /** How tokens are read; by default they are ignored. */
        public Builder tokens(TokenReader value) {
            this.tokens = Objects.requireNonNull(value, "tokens");
            return this;
        }

        /** Who hears of every answer and decision; by default nobody. */
        public Builder observer(HttpObserver value) {
            this.observer = Objects.requireNonNull(value, "observer");
            return this;
        }

        /** Serves mod_event_sync_component's reports under {@link #EVENT_SYNC}; off unless set. */
        public Builder eventSync(EventSyncSettings value) {
            this.eventSync = Optional.of(Objects.requireNonNull(value, "eventSync"));
            return this;
        }

        public AdmissionHandlers build() {
            return new AdmissionHandlers(this);
        }
    }
}
