package io.confgate.admission.http;

import com.fasterxml.jackson.core.JsonFactory;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.Decision;
import io.confgate.admission.Reason;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.TicketCheck;
import io.confgate.admission.conference.ConferenceAnswer;
import io.confgate.admission.conference.ConferenceAnswers;
import io.confgate.admission.conference.ConferenceRequest;
import io.confgate.admission.conference.InvalidTokenException;
import io.confgate.admission.conference.TokenClaims;
import io.confgate.admission.conference.TokenReader;
import io.confgate.admission.http.internal.AnswerBytes;
import io.confgate.admission.http.internal.ConferenceRequestJson;
import io.confgate.admission.http.internal.ConferenceRequestJson.BadRequest;
import io.confgate.admission.http.internal.HttpReplies;
import io.confgate.admission.http.internal.Refusal;
import io.confgate.admission.http.internal.RequestBodies;
import io.confgate.admission.http.internal.RequestInput;
import io.confgate.admission.http.internal.RoomQuery;
import io.confgate.admission.http.internal.RoomJids;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
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
 * Answers Jitsi Meet's conference request ({@code POST /conference-request/v1}) as Jicofo does, with the
 * placement decided by an {@link AdmissionEngine}. A plain Jetty 12 {@link Handler}: it answers every
 * request it is given; {@link AdmissionHandlers} mounts it with CORS, a body size limit and timing.
 *
 * <p>Status codes, as lib-jitsi-meet ({@code moderator.js}) acts on them: 200 with the answer, including every
 * refusal ({@code ready: false}, which the client asks again after 1, 2, 4 … s; the reason in
 * {@code X-Admission-Reason}); 400 malformed JSON or room; 405 other methods; 413 body over the limit; 415 not
 * JSON (none of these comes from the real client). A token that fails verification is ignored, the request
 * placed as an anonymous client's ({@code X-Admission-Token: IGNORED}), since a 403 here reaches no listener in
 * the client. The room may also be named in a {@code ?room=} query, which a room-sharding proxy routes on: it
 * must name the body's room, spelled as the proxy can hash it, or the answer is 400 {@code ROOM_MISMATCH}
 * ({@link RoomQuery}). No input produces a 500.
 */
public final class ConferenceRequestHandler extends Handler.Abstract {
    private static final Logger log = LoggerFactory.getLogger(ConferenceRequestHandler.class);
    static final String REASON_HEADER = "X-Admission-Reason";
    private static final String TICKET_HEADER = "X-Admission-Ticket";
    private static final String TOKEN_HEADER = "X-Admission-Token";
    /** One header per reason, encoded once. */
    private static final HttpField[] REASON_FIELDS = preEncoded(REASON_HEADER, Reason.values());
    private static final HttpField[] TICKET_FIELDS = preEncoded(TICKET_HEADER, TicketCheck.values());
    /** Parsed room JIDs kept for reuse; far more rooms than one focus holds at once. */
    private static final int MAX_CACHED_ROOMS = 100_000;

    private final AdmissionEngine engine;
    private final HttpSettings settings;
    private final TokenReader tokens;
    private final HttpObserver observer;
    private final JsonFactory json = ConferenceRequestJson.newMapper().getFactory();
    private final ConferenceAnswers answers;
    private final AnswerBytes answerBytes = new AnswerBytes(json);
    private final RoomJids rooms = new RoomJids(MAX_CACHED_ROOMS);

    public ConferenceRequestHandler(AdmissionEngine engine, HttpSettings settings, TokenReader tokens,
                                    HttpObserver observer) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.observer = Objects.requireNonNull(observer, "observer");
        this.answers = new ConferenceAnswers(engine.config(), settings.mainFocusJid(), settings.authentication(),
                settings.sipGatewayEnabled());
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!HttpMethod.POST.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST, OPTIONS");
            HttpReplies.error(response, HttpStatus.METHOD_NOT_ALLOWED_405, "use POST", callback);
            return true;
        }
        // The body is read without holding a thread while it arrives; the answer follows on the thread that
        // completes it.
        RequestBodies.readJsonBytesAsync(request, settings.maxBodyBytes(), new RequestBodies.BodyHandler() {
            @Override
            public void body(byte[] body) {
                try {
                    answer(request, response, callback, body);
                } catch (RuntimeException e) {
                    // A bug of ours, never a caller's input: say nothing about it to the caller.
                    log.error("Conference request failed", e);
                    HttpReplies.error(response, HttpStatus.INTERNAL_SERVER_ERROR_500, "internal error", callback);
                }
            }

            @Override
            public void failed(RequestBodies.Failure failure) {
                HttpReplies.error(response, failure.status(), failure.getMessage(), callback);
            }
        });
        return true;
    }

    private void answer(Request request, Response response, Callback callback, byte[] bytes) {
        ConferenceRequest body;
        try {
            body = ConferenceRequestJson.read(json, bytes);
        } catch (BadRequest e) {
            HttpReplies.error(response, HttpStatus.BAD_REQUEST_400, e.getMessage(), callback);
            return;
        } catch (IOException e) {
            RequestBodies.Failure malformed = RequestBodies.malformed(e);
            HttpReplies.error(response, malformed.status(), malformed.getMessage(), callback);
            return;
        }
        TokenClaims claims;
        try {
            claims = tokens.readAuthorization(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        } catch (InvalidTokenException e) {
            // Placed as an anonymous client, as Jicofo's endpoint (which reads no token) would: a 403 here reaches
            // no listener in lib-jitsi-meet and the page waits for good. Counted; the X-Admission-Token header
            // says why the identity was not used.
            observer.tokenIgnored();
            response.getHeaders().put(TOKEN_HEADER, "IGNORED");
            claims = TokenClaims.none();
        }
        JoinRequest join;
        try {
            join = body.toJoinRequest(rooms.parse(body.room()), claims, Optional.empty());
        } catch (IllegalArgumentException e) {
            HttpReplies.error(response, HttpStatus.BAD_REQUEST_400, e.getMessage(), callback);
            return;
        }
        if (request.getHttpURI().getQuery() != null) { // most clients send none: no parsing on their path
            try {
                String queryRoom = RequestInput.query(request).getValue("room");
                if (queryRoom != null && !queryRoom.isBlank()) {
                    RoomQuery.check(queryRoom, join.room(), settings.conferenceService());
                }
            } catch (Refusal e) {
                if (RoomQuery.MISMATCH.equals(e.code())) {
                    observer.roomMismatch();
                }
                HttpReplies.error(response, e.status(), e.getMessage(), e.code(), callback);
                return;
            }
        }
        Decision decision = engine.decide(join);
        observer.decided(decision);
        response.getHeaders().add(REASON_FIELDS[decision.reason().ordinal()]);
        if (decision.ticket() != TicketCheck.NONE) {
            response.getHeaders().add(TICKET_FIELDS[decision.ticket().ordinal()]);
        }
        // A refusal (a bound reached, no node for a visitor) is answered ready:false, which the client asks again.
        ConferenceAnswer answer = answers.answer(decision, body.sessionId(), engine.visitorsAvailable());
        HttpReplies.jsonAfterBody(response, HttpStatus.OK_200, answerBytes.write(answer), callback);
    }

    private static HttpField[] preEncoded(String name, Enum<?>[] values) {
        HttpField[] fields = new HttpField[values.length];
        for (Enum<?> value : values) {
            fields[value.ordinal()] = new PreEncodedHttpField(name, value.name());
        }
        return fields;
    }
}
