package io.confgate.admission.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.Identity;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.http.internal.ConferenceRequestJson;
import io.confgate.admission.http.internal.ConferenceRequestJson.BadRequest;
import io.confgate.admission.http.internal.Cors;
import io.confgate.admission.http.internal.HttpReplies;
import io.confgate.admission.http.internal.RequestBodies;
import io.confgate.admission.promotion.Hand;
import io.confgate.admission.promotion.HandState;
import io.confgate.admission.promotion.PromotionError;
import io.confgate.admission.promotion.PromotionRequest;
import io.confgate.admission.promotion.PromotionResult;
import io.confgate.admission.promotion.Promotions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
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
 * Promotion over HTTP, under {@code /conference-request/v1/promotion/} so that the nginx rule that
 * already proxies {@code /conference-request/v1(/.*)?} to the focus needs no change. The action is the
 * last path segment:
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
 * <p>Moderator actions need a verified token ({@link TokenClaims#verified()}): 401 without a token, 403
 * with a bad one, an unverified one, or one whose bearer is not a moderator of the room. Refusals carry
 * {@code {"error": message, "code": PromotionError}}: 400 unknown request or bad input, 403 not allowed,
 * 409 already in the main room, 429 past a bound.
 */
public final class PromotionHandler extends Handler.Abstract {
    private static final Logger log = LoggerFactory.getLogger(PromotionHandler.class);
    private static final int MAX_IDS = 10_000;

    private final Promotions promotions;
    private final ServerSettings.Http http;
    private final ServerSettings.Moderation moderation;
    private final TokenReader tokens;
    private final AdmissionMetrics metrics;
    private final ObjectMapper mapper = ConferenceRequestJson.newMapper();

    public PromotionHandler(AdmissionEngine engine, ServerSettings.Http http, ServerSettings.Moderation moderation,
                            TokenReader tokens, AdmissionMetrics metrics) {
        this.promotions = Objects.requireNonNull(engine, "engine").promotions();
        this.http = Objects.requireNonNull(http, "http");
        this.moderation = Objects.requireNonNull(moderation, "moderation");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** What went wrong, for the caller; nothing was changed. */
    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;

        Refusal(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        // The URI's path, not getPathInContext: under PathMappingsHandler without a context the latter
        // fails in Jetty 12.1 (null context path).
        String path = request.getHttpURI().getDecodedPath();
        path = path == null ? "" : path;
        String action = path.substring(path.lastIndexOf('/') + 1);
        String endpoint = "promotion/" + (isKnown(action) ? action : "unknown");
        Callback measured = Callback.from(() -> {
            metrics.recordResponse(endpoint, response.getStatus(), System.nanoTime() - start);
            callback.succeeded();
        }, x -> {
            metrics.recordResponse(endpoint, response.getStatus(), System.nanoTime() - start);
            callback.failed(x);
        });
        try {
            boolean originAllowed = Cors.apply(request, response, http);
            if (HttpMethod.OPTIONS.is(request.getMethod())) {
                if (!originAllowed) {
                    throw new Refusal(HttpStatus.FORBIDDEN_403, "ORIGIN", "origin not allowed");
                }
                Cors.preflight(response, measured, "GET, POST, OPTIONS");
                return true;
            }
            route(action, request, response, measured);
        } catch (Refusal r) {
            refuse(response, measured, r);
        } catch (RuntimeException e) {
            log.error("Promotion request failed", e);
            HttpReplies.error(mapper, response, HttpStatus.INTERNAL_SERVER_ERROR_500, "internal error", measured);
        }
        return true;
    }

    private static boolean isKnown(String action) {
        return switch (action) {
            case "raise-hand", "lower-hand", "status", "pending", "approve", "deny", "approve-all", "demote" -> true;
            default -> false;
        };
    }

    private void route(String action, Request request, Response response, Callback callback) throws Refusal {
        switch (action) {
            case "status" -> {
                requireMethod(request, response, HttpMethod.GET);
                status(request, response, callback);
            }
            case "pending" -> {
                requireMethod(request, response, HttpMethod.GET);
                Identity moderator = moderator(request);
                EntityBareJid room = room(Request.extractQueryParameters(request).getValue("room"));
                answer(response, callback, promotions.pending(room, moderator), false);
            }
            case "raise-hand", "lower-hand" -> {
                requireMethod(request, response, HttpMethod.POST);
                JsonNode body = body(request);
                EntityBareJid room = room(text(body, "room").orElse(null));
                Identity visitor = requester(request, body);
                answer(response, callback, action.equals("raise-hand")
                        ? promotions.raiseHand(new PromotionRequest(room, visitor, text(body, "displayName"),
                                text(body, "vnode")))
                        : promotions.lowerHand(room, requiredText(body, "requestId"), visitor), true);
            }
            case "approve", "deny", "approve-all", "demote" -> {
                requireMethod(request, response, HttpMethod.POST);
                Identity moderator = moderator(request); // before reading anything else
                JsonNode body = body(request);
                EntityBareJid room = room(text(body, "room").orElse(null));
                answer(response, callback, switch (action) {
                    case "approve" -> promotions.approve(room, moderator, requestIds(body));
                    case "deny" -> promotions.deny(room, moderator, requestIds(body));
                    case "approve-all" -> promotions.approveAll(room, moderator);
                    default -> promotions.demote(room, moderator, requiredText(body, "memberKey"));
                }, false);
            }
            default -> throw new Refusal(HttpStatus.NOT_FOUND_404, "NOT_FOUND", "no promotion action '" + action
                    + "'; see raise-hand, lower-hand, status, pending, approve, deny, approve-all, demote");
        }
    }

    // ---------------------------------------------------------------- status and long poll

    private void status(Request request, Response response, Callback callback) throws Refusal {
        Fields query = Request.extractQueryParameters(request);
        EntityBareJid room = room(query.getValue("room"));
        String requestId = query.getValue("requestId");
        if (requestId == null || requestId.isBlank()) {
            throw badInput("requestId is required");
        }
        long waitSeconds = waitSeconds(query.getValue("wait"));
        Hand hand = promotions.status(room, requestId).orElseThrow(() -> unknown(requestId, room));
        if (hand.state() != HandState.PENDING || waitSeconds == 0) {
            writeHand(response, callback, hand);
            return;
        }
        promotions.awaitDecision(room, requestId).orTimeout(waitSeconds, TimeUnit.SECONDS).whenComplete((h, e) -> {
            try {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (cause == null) {
                    writeHand(response, callback, h);
                } else if (cause instanceof TimeoutException) {
                    // Still waiting: answer with the current state (pending, or decided just now).
                    Optional<Hand> now = promotions.status(room, requestId);
                    if (now.isPresent()) {
                        writeHand(response, callback, now.get());
                    } else {
                        refuse(response, callback, unknown(requestId, room));
                    }
                } else if (cause instanceof NoSuchElementException) {
                    refuse(response, callback, unknown(requestId, room));
                } else {
                    throw new IllegalStateException(cause);
                }
            } catch (RuntimeException failure) {
                log.error("Promotion long poll failed", failure);
                HttpReplies.error(mapper, response, HttpStatus.INTERNAL_SERVER_ERROR_500, "internal error", callback);
            }
        });
    }

    private long waitSeconds(String raw) throws Refusal {
        if (raw == null || raw.isBlank()) {
            return 0;
        }
        long max = moderation.maxWait().toSeconds();
        try {
            long wait = Long.parseLong(raw.trim());
            if (wait >= 0 && wait <= max) {
                return wait;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw badInput("wait must be a number of seconds from 0 to " + max);
    }

    // ---------------------------------------------------------------- who is asking

    /** The visitor: identity from the body (sessionId, machineUid) and the token's user, never moderator unverified. */
    private Identity requester(Request request, JsonNode body) throws Refusal {
        TokenClaims claims = claims(request);
        return new Identity(claims.userId(), claims.groupId(), claims.verified() && claims.moderator(),
                text(body, "machineUid"), text(body, "sessionId"), Optional.empty());
    }

    private Identity moderator(Request request) throws Refusal {
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
        return new Identity(claims.userId(), claims.groupId(), claims.moderator(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    private TokenClaims claims(Request request) throws Refusal {
        try {
            return tokens.readAuthorization(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        } catch (InvalidTokenException e) {
            throw new Refusal(HttpStatus.FORBIDDEN_403, "BAD_TOKEN", e.getMessage());
        }
    }

    // ---------------------------------------------------------------- input

    private JsonNode body(Request request) throws Refusal {
        JsonNode body;
        try {
            body = RequestBodies.readJson(request, http.maxBodyBytes(), mapper);
        } catch (RequestBodies.Failure e) {
            throw new Refusal(e.status(), "BAD_INPUT", e.getMessage());
        }
        if (body == null || !body.isObject()) {
            throw badInput("body must be a JSON object");
        }
        return body;
    }

    private static EntityBareJid room(String raw) throws Refusal {
        if (raw == null) {
            throw badInput("room is required");
        }
        try {
            return JoinRequest.parseRoom(raw);
        } catch (IllegalArgumentException e) {
            throw badInput(e.getMessage());
        }
    }

    private static Optional<String> text(JsonNode body, String field) throws Refusal {
        try {
            return ConferenceRequestJson.scalar(body, field);
        } catch (BadRequest e) {
            throw badInput(e.getMessage());
        }
    }

    private static String requiredText(JsonNode body, String field) throws Refusal {
        return text(body, field).orElseThrow(() -> badInput(field + " is required"));
    }

    private static List<String> requestIds(JsonNode body) throws Refusal {
        JsonNode ids = body.get("requestIds");
        if (ids == null || !ids.isArray() || ids.isEmpty()) {
            throw badInput("requestIds must be a non-empty array of request ids");
        }
        if (ids.size() > MAX_IDS) {
            throw badInput("at most " + MAX_IDS + " requestIds at once; use approve-all");
        }
        List<String> out = new ArrayList<>(ids.size());
        for (JsonNode id : ids) {
            if (!id.isTextual() || id.asText().isBlank()) {
                throw badInput("requestIds must hold non-blank strings");
            }
            out.add(id.asText());
        }
        return out;
    }

    private static void requireMethod(Request request, Response response, HttpMethod method) throws Refusal {
        if (!method.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, method.asString() + ", OPTIONS");
            throw new Refusal(HttpStatus.METHOD_NOT_ALLOWED_405, "METHOD", "use " + method.asString());
        }
    }

    private static Refusal badInput(String message) {
        return new Refusal(HttpStatus.BAD_REQUEST_400, "BAD_INPUT", message);
    }

    private static Refusal unknown(String requestId, EntityBareJid room) {
        return new Refusal(HttpStatus.BAD_REQUEST_400, PromotionError.UNKNOWN_REQUEST.name(),
                "no hand '" + requestId + "' in " + room);
    }

    // ---------------------------------------------------------------- output

    private void answer(Response response, Callback callback, PromotionResult result, boolean forVisitor) {
        if (result instanceof PromotionResult.Refused r) {
            refuse(response, callback, new Refusal(statusOf(r.error()), r.error().name(), r.message()));
            return;
        }
        List<Hand> hands = ((PromotionResult.Done) result).hands();
        if (forVisitor) {
            writeHand(response, callback, hands.get(0));
            return;
        }
        // Moderators see hands without tickets: a ticket is its visitor's credential.
        List<Map<String, Object>> out = new ArrayList<>(hands.size());
        for (Hand hand : hands) {
            out.add(handJson(hand, false));
        }
        write(response, callback, Map.of("hands", out));
    }

    private void writeHand(Response response, Callback callback, Hand hand) {
        write(response, callback, handJson(hand, true));
    }

    private static Map<String, Object> handJson(Hand hand, boolean withTicket) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("requestId", hand.requestId());
        json.put("room", hand.room().toString());
        json.put("state", hand.state().name().toLowerCase(Locale.ROOT));
        json.put("reason", hand.reason().name());
        json.put("memberKey", hand.memberKey());
        hand.userId().ifPresent(v -> json.put("userId", v));
        hand.displayName().ifPresent(v -> json.put("displayName", v));
        hand.nodeId().ifPresent(v -> json.put("vnode", v));
        if (withTicket) {
            hand.ticket().ifPresent(t -> {
                json.put("ticket", t.id());
                json.put("ticketValidForSeconds", t.validFor().toSeconds());
            });
        }
        return json;
    }

    private void write(Response response, Callback callback, Object json) {
        try {
            HttpReplies.json(response, HttpStatus.OK_200, mapper.writeValueAsBytes(json), callback);
        } catch (IOException e) {
            throw new IllegalStateException("could not serialize an answer", e);
        }
    }

    private void refuse(Response response, Callback callback, Refusal refusal) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", refusal.getMessage());
        body.put("code", refusal.code);
        try {
            HttpReplies.json(response, refusal.status, mapper.writeValueAsBytes(body), callback);
        } catch (IOException e) {
            HttpReplies.error(mapper, response, refusal.status, "refused", callback);
        }
    }

    static int statusOf(PromotionError error) {
        return switch (error) {
            case NOT_MODERATOR, SELF_APPROVAL, NOT_YOUR_REQUEST -> HttpStatus.FORBIDDEN_403;
            case UNKNOWN_REQUEST, NOT_IN_MAIN, NO_IDENTITY, UNKNOWN_NODE -> HttpStatus.BAD_REQUEST_400;
            case ALREADY_IN_MAIN -> HttpStatus.CONFLICT_409;
            case TOO_MANY_PENDING, RATE_LIMITED -> HttpStatus.TOO_MANY_REQUESTS_429;
        };
    }
}
