package io.confgate.admission.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.Identity;
import io.confgate.admission.conference.InvalidTokenException;
import io.confgate.admission.conference.TokenClaims;
import io.confgate.admission.conference.TokenReader;
import io.confgate.admission.http.internal.ConferenceRequestJson;
import io.confgate.admission.http.internal.HandJson;
import io.confgate.admission.http.internal.HttpReplies;
import io.confgate.admission.http.internal.Refusal;
import io.confgate.admission.http.internal.RequestBodies;
import io.confgate.admission.http.internal.RequestInput;
import io.confgate.admission.promotion.Hand;
import io.confgate.admission.promotion.HandState;
import io.confgate.admission.promotion.PromotionError;
import io.confgate.admission.promotion.PromotionRequest;
import io.confgate.admission.promotion.PromotionResult;
import io.confgate.admission.promotion.Promotions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.jxmpp.jid.EntityBareJid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Promotion over HTTP, one small handler per action, mounted under {@code /conference-request/v1/promotion/}
 * so that the nginx rule that already proxies {@code /conference-request/v1(/.*)?} needs no change.
 *
 * <table>
 *   <caption>Actions</caption>
 *   <tr><th>action</th><th>method</th><th>who</th><th>input</th></tr>
 *   <tr><td>raise-hand</td><td>POST</td><td>visitor</td><td>{room, sessionId|machineUid, displayName, vnode}</td></tr>
 *   <tr><td>lower-hand</td><td>POST</td><td>visitor</td><td>{room, requestId, sessionId|machineUid}</td></tr>
 *   <tr><td>status</td><td>GET</td><td>visitor</td><td>?room&amp;requestId[&amp;wait=seconds]</td></tr>
 *   <tr><td>pending</td><td>GET</td><td>moderator</td><td>?room</td></tr>
 *   <tr><td>approve, deny</td><td>POST</td><td>moderator</td><td>{room, requestIds: [...]}</td></tr>
 *   <tr><td>approve-all</td><td>POST</td><td>moderator</td><td>{room}</td></tr>
 *   <tr><td>demote</td><td>POST</td><td>moderator</td><td>{room, memberKey}</td></tr>
 * </table>
 *
 * <p>The room is the body's {@code room}, else the {@code ?room=} query (which a room-sharded proxy routes
 * on); a query room without a domain is a room of the main MUC service. Moderator actions need a
 * verified token ({@link TokenClaims#verified()}): 401 without one, 403 with a bad, unverified or
 * non-moderator one. Refusals carry {@code {"error": message, "code": ...}}: 400 unknown request or bad
 * input, 403 not allowed, 409 already in the main room, 429 past a bound.
 */
public final class PromotionHandlers {
    private static final Logger log = LoggerFactory.getLogger(PromotionHandlers.class);
    /** The actions, in the order the table above lists them. */
    public static final List<String> ACTIONS =
            List.of("raise-hand", "lower-hand", "status", "pending", "approve", "deny", "approve-all", "demote");

    private final Promotions promotions;
    private final HttpSettings settings;
    private final TokenReader tokens;
    private final ObjectMapper mapper = ConferenceRequestJson.newMapper();
    /** Long polls waiting now: a drain answers them at once with the hand's current state. */
    private final java.util.Set<java.util.concurrent.CompletableFuture<Hand>> polls =
            java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final HttpObserver observer;

    public PromotionHandlers(AdmissionEngine engine, HttpSettings settings, TokenReader tokens) {
        this(engine, settings, tokens, HttpObserver.none());
    }

    /** Handlers that report to {@code observer} what metrics count beyond the status (a room mismatch). */
    public PromotionHandlers(AdmissionEngine engine, HttpSettings settings, TokenReader tokens, HttpObserver observer) {
        this.promotions = engine.promotions();
        this.settings = settings;
        this.tokens = tokens;
        this.observer = observer;
    }

    /** The handler of one action (one of {@link #ACTIONS}). */
    public Handler handler(String action) {
        return switch (action) {
            case "raise-hand" -> post((request, body) -> forVisitor(promotions.raiseHand(new PromotionRequest(
                    RequestInput.room(request, body, settings.conferenceService()), requester(request, body, true),
                    RequestInput.text(body, "displayName"), RequestInput.text(body, "vnode")))));
            case "lower-hand" -> post((request, body) -> forVisitor(promotions.lowerHand(
                    RequestInput.room(request, body, settings.conferenceService()),
                    RequestInput.requiredText(body, "requestId"), requester(request, body, false))));
            case "status" -> new Action(HttpMethod.GET, this::status);
            case "pending" -> new Action(HttpMethod.GET, (request, response, callback) -> {
                Moderator moderator = moderator(request);
                EntityBareJid room = moderator.scoped(RequestInput.room(request, null, settings.conferenceService()));
                answer(response, callback, forModerator(promotions.pending(room, moderator.identity())));
            });
            case "approve" -> moderatorPost((body, room, moderator) ->
                    promotions.approve(room, moderator, RequestInput.requestIds(body)));
            case "deny" -> moderatorPost((body, room, moderator) ->
                    promotions.deny(room, moderator, RequestInput.requestIds(body)));
            case "approve-all" -> moderatorPost((body, room, moderator) -> promotions.approveAll(room, moderator));
            case "demote" -> moderatorPost((body, room, moderator) ->
                    promotions.demote(room, moderator, RequestInput.requiredText(body, "memberKey")));
            default -> throw new IllegalArgumentException("no promotion action " + action);
        };
    }

    /** Set by {@link #drain}: a long poll that starts after it is answered at once. */
    private volatile boolean draining;

    /**
     * Ends every long poll now, each answered with its hand's current state (the server is stopping), and answers
     * at once every poll that starts from now on.
     */
    public void drain() {
        draining = true;
        for (java.util.concurrent.CompletableFuture<Hand> poll : List.copyOf(polls)) {
            poll.completeExceptionally(new TimeoutException("the server is stopping"));
        }
    }

    /** Answers 404 naming the actions, for any other path under the promotion prefix. */
    public static Handler unknownAction() {
        return new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String path = request.getHttpURI().getPath();
                String action = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
                HttpReplies.error(response, HttpStatus.NOT_FOUND_404, "no promotion action '" + action + "'; see "
                        + String.join(", ", ACTIONS), "NOT_FOUND", callback);
                return true;
            }
        };
    }

    // ---------------------------------------------------------------- the action skeleton

    @FunctionalInterface
    private interface Exchange {
        void run(Request request, Response response, Callback callback) throws Refusal;
    }

    @FunctionalInterface
    private interface BodyCall {
        Reply call(Request request, JsonNode body) throws Refusal;
    }

    @FunctionalInterface
    private interface ModeratorCall {
        PromotionResult call(JsonNode body, EntityBareJid room, Identity moderator) throws Refusal;
    }

    /** A verified moderator token, and the rooms its {@code room} claim lets it act in. */
    private record Moderator(Identity identity, TokenClaims claims) {
        EntityBareJid scoped(EntityBareJid room) throws Refusal {
            if (!claims.coversRoom(room.getLocalpart().toString())) {
                throw new Refusal(HttpStatus.FORBIDDEN_403, PromotionError.NOT_MODERATOR.name(), "the token is for room '"
                        + claims.room().orElse("") + "', not " + room);
            }
            return room;
        }
    }

    /** A result and how to show it: a visitor sees its hand with the ticket, a moderator a list without. */
    private record Reply(PromotionResult result, boolean forVisitor) {
    }

    private static Reply forVisitor(PromotionResult result) {
        return new Reply(result, true);
    }

    private static Reply forModerator(PromotionResult result) {
        return new Reply(result, false);
    }

    /** One action: its method, refusals as answers, and a bug of ours as a bare 500. */
    private final class Action extends Handler.Abstract {
        private final HttpMethod method;
        private final Exchange exchange;

        Action(HttpMethod method, Exchange exchange) {
            this.method = method;
            this.exchange = exchange;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            try {
                if (!method.is(request.getMethod())) {
                    response.getHeaders().put(HttpHeader.ALLOW, method.asString() + ", OPTIONS");
                    throw new Refusal(HttpStatus.METHOD_NOT_ALLOWED_405, "METHOD", "use " + method.asString());
                }
                exchange.run(request, response, callback);
            } catch (Refusal r) {
                refuse(response, callback, r);
            } catch (RuntimeException e) {
                log.error("Promotion request failed", e);
                HttpReplies.error(response, HttpStatus.INTERNAL_SERVER_ERROR_500, "internal error", callback);
            }
            return true;
        }
    }

    private Handler post(BodyCall call) {
        return new Action(HttpMethod.POST, (request, response, callback) -> withBody(request, response, callback,
                body -> answer(response, callback, call.call(request, body))));
    }

    private Handler moderatorPost(ModeratorCall call) {
        return new Action(HttpMethod.POST, (request, response, callback) -> {
            Moderator moderator = moderator(request); // before reading anything else
            withBody(request, response, callback, body -> answer(response, callback, forModerator(call.call(body,
                    moderator.scoped(RequestInput.room(request, body, settings.conferenceService())),
                    moderator.identity()))));
        });
    }

    @FunctionalInterface
    private interface BodyUse {
        void use(JsonNode body) throws Refusal;
    }

    /** Reads the JSON object body without holding a thread while it arrives, then uses it. */
    private void withBody(Request request, Response response, Callback callback, BodyUse use) {
        RequestBodies.readJsonBytesAsync(request, settings.maxBodyBytes(), new RequestBodies.BodyHandler() {
            @Override
            public void body(byte[] bytes) {
                try {
                    use.use(RequestInput.object(bytes, mapper));
                } catch (Refusal r) {
                    refuse(response, callback, r);
                } catch (RuntimeException e) {
                    log.error("Promotion request failed", e);
                    HttpReplies.error(response, HttpStatus.INTERNAL_SERVER_ERROR_500, "internal error", callback);
                }
            }

            @Override
            public void failed(RequestBodies.Failure failure) {
                refuse(response, callback, new Refusal(failure.status(), "BAD_INPUT", failure.getMessage()));
            }
        });
    }

    // ---------------------------------------------------------------- status and long poll

    private void status(Request request, Response response, Callback callback) throws Refusal {
        Fields query = RequestInput.query(request);
        EntityBareJid room = RequestInput.room(request, null, settings.conferenceService());
        String requestId = query.getValue("requestId");
        if (requestId == null || requestId.isBlank()) {
            throw Refusal.badInput("requestId is required");
        }
        long waitSeconds = waitSeconds(query.getValue("wait"));
        Hand hand = promotions.status(room, requestId).orElseThrow(() -> unknown(requestId, room));
        if (hand.state() != HandState.PENDING || waitSeconds == 0 || draining) {
            HttpReplies.json(response, HttpStatus.OK_200, HandJson.of(hand, true), callback);
            return;
        }
        java.util.concurrent.CompletableFuture<Hand> poll = promotions.awaitDecision(room, requestId)
                .orTimeout(waitSeconds, TimeUnit.SECONDS);
        polls.add(poll);
        poll.whenComplete((h, e) -> {
            polls.remove(poll);
            try {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (cause == null) {
                    HttpReplies.json(response, HttpStatus.OK_200, HandJson.of(h, true), callback);
                } else if (cause instanceof TimeoutException || cause instanceof NoSuchElementException) {
                    // Still waiting (or decided just now): answer with the current state.
                    Optional<Hand> now = promotions.status(room, requestId);
                    if (now.isPresent()) {
                        HttpReplies.json(response, HttpStatus.OK_200, HandJson.of(now.get(), true), callback);
                    } else {
                        refuse(response, callback, unknown(requestId, room));
                    }
                } else {
                    throw new IllegalStateException(cause);
                }
            } catch (RuntimeException failure) {
                log.error("Promotion long poll failed", failure);
                HttpReplies.error(response, HttpStatus.INTERNAL_SERVER_ERROR_500, "internal error", callback);
            }
        });
    }

    private long waitSeconds(String raw) throws Refusal {
        if (raw == null || raw.isBlank()) {
            return 0;
        }
        long max = settings.maxWait().toSeconds();
        try {
            long wait = Long.parseLong(raw.trim());
            if (wait >= 0 && wait <= max) {
                return wait;
            }
        } catch (NumberFormatException e) {
            // the message below says what is accepted
        }
        throw Refusal.badInput("wait must be a number of seconds from 0 to " + max);
    }

    // ---------------------------------------------------------------- who is asking

    /** The visitor: identity from the body (sessionId, machineUid) and the token's user, never moderator unverified. */
    private Identity requester(Request request, JsonNode body, boolean raising) throws Refusal {
        TokenClaims claims = claims(request);
        if (raising && tokens.verifying() && !claims.verified()) {
            // With a key, a hand is bound to a verified user: ids a client makes up cannot flood a room.
            throw new Refusal(HttpStatus.UNAUTHORIZED_401, "NO_TOKEN",
                    "raising a hand needs a valid token (admission.jwt has a key)");
        }
        return new Identity(claims.userId(), claims.groupId(), claims.verified() && claims.moderator(),
                RequestInput.text(body, "machineUid"), RequestInput.text(body, "sessionId"), Optional.empty());
    }

    private Moderator moderator(Request request) throws Refusal {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization == null || authorization.isBlank()) {
            throw new Refusal(HttpStatus.UNAUTHORIZED_401, "NO_TOKEN", "moderator actions need a Bearer token");
        }
        TokenClaims claims = claims(request);
        if (!claims.verified()) {
            throw new Refusal(HttpStatus.FORBIDDEN_403, PromotionError.NOT_MODERATOR.name(),
                    "moderator actions need a verified token; configure admission.jwt (or, in development only,"
                            + " admission.promotion.development-moderator-token)");
        }
        return new Moderator(new Identity(claims.userId(), claims.groupId(), claims.moderator(), Optional.empty(),
                Optional.empty(), Optional.empty()), claims);
    }

    private TokenClaims claims(Request request) throws Refusal {
        try {
            return tokens.readAuthorization(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        } catch (InvalidTokenException e) {
            throw new Refusal(HttpStatus.FORBIDDEN_403, "BAD_TOKEN", e.getMessage());
        }
    }

    private static Refusal unknown(String requestId, EntityBareJid room) {
        return new Refusal(HttpStatus.BAD_REQUEST_400, PromotionError.UNKNOWN_REQUEST.name(),
                "no hand '" + requestId + "' in " + room);
    }

    // ---------------------------------------------------------------- output

    private void answer(Response response, Callback callback, Reply reply) {
        if (reply.result() instanceof PromotionResult.Refused r) {
            refuse(response, callback, new Refusal(statusOf(r.error()), r.error().name(), r.message()));
            return;
        }
        List<Hand> hands = ((PromotionResult.Done) reply.result()).hands();
        if (reply.forVisitor()) {
            HttpReplies.json(response, HttpStatus.OK_200, HandJson.of(hands.get(0), true), callback);
            return;
        }
        List<Map<String, Object>> out = new ArrayList<>(hands.size());
        for (Hand hand : hands) {
            out.add(HandJson.of(hand, false));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("hands", out);
        HttpReplies.json(response, HttpStatus.OK_200, json, callback);
    }

    private void refuse(Response response, Callback callback, Refusal refusal) {
        if (io.confgate.admission.http.internal.RoomQuery.MISMATCH.equals(refusal.code())) {
            observer.roomMismatch();
        }
        HttpReplies.error(response, refusal.status(), refusal.getMessage(), refusal.code(), callback);
    }

    static int statusOf(PromotionError error) {
        return switch (error) {
            case NOT_MODERATOR, SELF_APPROVAL, NOT_YOUR_REQUEST -> HttpStatus.FORBIDDEN_403;
            case UNKNOWN_REQUEST, NOT_IN_MAIN, NO_IDENTITY, UNKNOWN_NODE -> HttpStatus.BAD_REQUEST_400;
            case ALREADY_IN_MAIN -> HttpStatus.CONFLICT_409;
            case TOO_MANY_PENDING, RATE_LIMITED -> HttpStatus.TOO_MANY_REQUESTS_429;
            case CAPACITY -> HttpStatus.SERVICE_UNAVAILABLE_503;
        };
    }
}
