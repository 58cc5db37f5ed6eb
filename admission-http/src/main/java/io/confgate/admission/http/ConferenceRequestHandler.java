package io.confgate.admission.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.Decision;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.Reason;
import io.confgate.admission.TicketCheck;
import io.confgate.admission.http.internal.ConferenceAnswers;
import io.confgate.admission.http.internal.ConferenceRequestJson;
import io.confgate.admission.http.internal.Cors;
import io.confgate.admission.http.internal.ConferenceRequestJson.BadRequest;
import io.confgate.admission.http.internal.ConferenceRequestJson.Body;
import io.confgate.admission.http.internal.HttpReplies;
import io.confgate.admission.http.internal.RequestBodies;
import io.confgate.admission.http.internal.RoomJids;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers Jitsi Meet's conference request ({@code POST /conference-request/v1}) exactly as Jicofo does,
 * with the placement decided by an {@link AdmissionEngine}. A plain Jetty 12 {@link Handler}: mount it
 * at whatever path the focus's own server proxies (it answers every request it is given), or let
 * {@link AdmissionHttpServer} mount it at {@code /conference-request/v1} and {@code /conference-request}.
 *
 * <p>Status codes: 200 with the answer; 400 malformed JSON or room; 403 bad token or CORS origin; 405
 * other methods; 413 body over the limit; 415 not JSON; 503 when the decision is a refusal (no visitor
 * node and fallback {@code refuse}). No input produces a 500, and no body carries a stack trace.
 */
public final class ConferenceRequestHandler extends Handler.Abstract {
    private static final Logger log = LoggerFactory.getLogger(ConferenceRequestHandler.class);
    private static final String ENDPOINT = "conference-request";
    private static final String REASON_HEADER = "X-Admission-Reason";
    private static final String TICKET_HEADER = "X-Admission-Ticket";
    /** One header per reason, encoded once. */
    private static final HttpField[] REASON_FIELDS = preEncoded(REASON_HEADER, Reason.values());
    private static final HttpField[] TICKET_FIELDS = preEncoded(TICKET_HEADER, TicketCheck.values());
    /** Parsed room JIDs kept for reuse; far more rooms than one focus holds at once. */
    private static final int MAX_CACHED_ROOMS = 100_000;

    private final AdmissionEngine engine;
    private final ServerSettings.Http http;
    private final TokenReader tokens;
    private final AdmissionMetrics metrics;
    private final ObjectMapper mapper = ConferenceRequestJson.newMapper();
    private final JsonFactory json = mapper.getFactory();
    /** {@code visitors-supported}, {@code authentication} and {@code sipGatewayEnabled}, in that order. */
    private final Map<String, String> configuredProperties;
    private final String mainFocusJid;
    private final ConferenceAnswers answers;
    private final RoomJids rooms = new RoomJids(MAX_CACHED_ROOMS);

    public ConferenceRequestHandler(AdmissionEngine engine, ServerSettings.Http http, TokenReader tokens,
                                    AdmissionMetrics metrics) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.http = Objects.requireNonNull(http, "http");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.mainFocusJid = http.mainFocusJid().toString();
        Map<String, String> configured = new LinkedHashMap<>();
        configured.put("visitors-supported",
                Boolean.toString(engine.config().enabled() && !engine.config().nodes().isEmpty()));
        configured.put("authentication", Boolean.toString(http.authentication()));
        http.sipGatewayEnabled().ifPresent(sip -> configured.put("sipGatewayEnabled", sip.toString()));
        this.configuredProperties = java.util.Collections.unmodifiableMap(configured);
        this.answers = new ConferenceAnswers(mapper, mainFocusJid, configuredProperties, engine.config().nodes());
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        int status;
        try {
            status = exchange(request, response, callback);
        } catch (RuntimeException e) {
            // A bug of ours, never a caller's input: say nothing about it to the caller.
            log.error("Conference request failed", e);
            status = HttpStatus.INTERNAL_SERVER_ERROR_500;
            HttpReplies.error(mapper, response, status, "internal error", callback);
        }
        metrics.recordResponse(ENDPOINT, status, System.nanoTime() - start);
        return true;
    }

    private int exchange(Request request, Response response, Callback callback) {
        String method = request.getMethod();
        boolean originAllowed = Cors.apply(request, response, http);
        if (HttpMethod.OPTIONS.is(method)) {
            if (!originAllowed) {
                return fail(response, callback, HttpStatus.FORBIDDEN_403, "origin not allowed");
            }
            return Cors.preflight(response, callback, "POST, OPTIONS");
        }
        if (!HttpMethod.POST.is(method)) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST, OPTIONS");
            return fail(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "use POST");
        }
        Body body;
        try {
            body = ConferenceRequestJson.read(json, RequestBodies.readJsonBytes(request, http.maxBodyBytes()));
        } catch (RequestBodies.Failure e) {
            return fail(response, callback, e.status(), e.getMessage());
        } catch (BadRequest e) {
            return fail(response, callback, HttpStatus.BAD_REQUEST_400, e.getMessage());
        } catch (IOException e) {
            RequestBodies.Failure malformed = RequestBodies.malformed(e);
            return fail(response, callback, malformed.status(), malformed.getMessage());
        }
        TokenClaims claims;
        try {
            claims = tokens.readAuthorization(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        } catch (InvalidTokenException e) {
            return fail(response, callback, HttpStatus.FORBIDDEN_403, e.getMessage());
        }
        JoinRequest join;
        try {
            join = JoinRequest.builder(rooms.parse(body.room()))
                    .sessionId(body.sessionId().orElse(null))
                    .machineUid(body.machineUid().orElse(null))
                    .userId(claims.userId().orElse(null))
                    .groupId(claims.groupId().orElse(null))
                    .moderator(claims.moderator())
                    .supportsVisitors(body.supportsVisitors())
                    .visitorRequested(body.visitorRequested())
                    .promotionTicket(body.promotionTicket().orElse(null))
                    .build();
        } catch (IllegalArgumentException e) {
            return fail(response, callback, HttpStatus.BAD_REQUEST_400, e.getMessage());
        }
        Decision decision = engine.decide(join);
        metrics.recordDecision(decision);
        response.getHeaders().add(REASON_FIELDS[decision.reason().ordinal()]); // set once, here: no need to look for another
        if (decision.ticket() != TicketCheck.NONE) {
            response.getHeaders().add(TICKET_FIELDS[decision.ticket().ordinal()]);
        }
        return answer(response, callback, body, decision);
    }

    private int answer(Response response, Callback callback, Body body, Decision decision) {
        if (decision instanceof Decision.Refused) {
            return fail(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503,
                    "no visitor node available (" + decision.reason() + ")");
        }
        String room = decision.room().toString();
        String session = body.sessionId().orElse(null);
        byte[] answer = null;
        if (decision.reason() != Reason.PROMOTED) { // the common answers, from parts encoded at start
            if (decision instanceof Decision.Visitor v) {
                answer = answers.visitor(room, session, v.node());
            } else if (decision instanceof Decision.Main) {
                answer = answers.main(room, session);
            }
        }
        if (answer == null) {
            answer = writtenAnswer(room, session, decision);
        }
        HttpReplies.jsonAfterBody(response, HttpStatus.OK_200, answer, callback);
        return HttpStatus.OK_200;
    }

    /** Answers field by field: queued and promoted ones, which add a property, and unusual strings. */
    private byte[] writtenAnswer(String room, String session, Decision decision) {
        Map<String, String> properties = new LinkedHashMap<>(configuredProperties);
        if (decision.reason() == Reason.PROMOTED) {
            properties.put("promoted", "true");
        }
        if (decision instanceof Decision.Visitor v) {
            return ConferenceRequestJson.answer(json, room, true, v.node().focusJid().toString(), session,
                    v.node().id(), properties);
        }
        if (decision instanceof Decision.Queued) {
            properties.put("live", "false");
            return ConferenceRequestJson.answer(json, room, false, mainFocusJid, session, null, properties);
        }
        return ConferenceRequestJson.answer(json, room, true, mainFocusJid, session, null, properties);
    }

    private static HttpField[] preEncoded(String name, Enum<?>[] values) {
        HttpField[] fields = new HttpField[values.length];
        for (Enum<?> value : values) {
            fields[value.ordinal()] = new PreEncodedHttpField(name, value.name());
        }
        return fields;
    }

    private int fail(Response response, Callback callback, int status, String message) {
        HttpReplies.error(mapper, response, status, message, callback);
        return status;
    }
}
