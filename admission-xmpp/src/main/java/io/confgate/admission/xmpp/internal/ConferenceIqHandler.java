package io.confgate.admission.xmpp.internal;

import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.Decision;
import io.confgate.admission.conference.ConferenceAnswer;
import io.confgate.admission.conference.ConferenceAnswers;
import io.confgate.admission.conference.ConferenceRequest;
import io.confgate.admission.conference.InvalidTokenException;
import io.confgate.admission.conference.TokenClaims;
import io.confgate.admission.conference.TokenReader;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jitsi.xmpp.extensions.jitsimeet.ConferenceIq;
import org.jivesoftware.smack.iqrequest.AbstractIqRequestHandler;
import org.jivesoftware.smack.iqrequest.IQRequestHandler;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.jxmpp.jid.EntityBareJid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conference IQ ({@code <conference xmlns='http://jitsi.org/protocol/focus'>}, type {@code set}) on
 * the main connection, answered like {@code POST /conference-request/v1}: the same {@link
 * ConferenceRequest}, the same decision, the same {@link ConferenceAnswers}. Errors follow Jicofo's
 * {@code ConferenceIqHandler}: no room is {@code bad-request}; a token that fails a configured key is
 * {@code not-authorized} (without a key, an unreadable token is ignored); a refusal for want of a node is
 * {@code service-unavailable}.
 */
public final class ConferenceIqHandler extends AbstractIqRequestHandler {
    private static final Logger log = LoggerFactory.getLogger(ConferenceIqHandler.class);

    private final AdmissionEngine engine;
    private final TokenReader tokens;
    private final ConferenceAnswers answers;
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong refusedTokens = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();

    public ConferenceIqHandler(AdmissionEngine engine, TokenReader tokens, ConferenceAnswers answers) {
        super(ConferenceIq.ELEMENT, ConferenceIq.NAMESPACE, IQ.Type.set, IQRequestHandler.Mode.async);
        this.engine = engine;
        this.tokens = tokens;
        this.answers = answers;
    }

    public long answered() {
        return answered.get();
    }

    public long refusedTokens() {
        return refusedTokens.get();
    }

    public long malformed() {
        return malformed.get();
    }

    @Override
    public IQ handleIQRequest(IQ request) {
        try {
            return answer((ConferenceIq) request);
        } catch (RuntimeException e) {
            log.error("Conference IQ failed: {}", request, e);
            return error(request, StanzaError.Condition.internal_server_error, "internal error");
        }
    }

    private IQ answer(ConferenceIq iq) {
        answered.incrementAndGet();
        EntityBareJid room = iq.getRoom();
        if (room == null) {
            malformed.incrementAndGet();
            return error(iq, StanzaError.Condition.bad_request, "No 'room' specified.");
        }
        TokenClaims claims = TokenClaims.none();
        if (iq.getToken() != null) {
            try {
                claims = tokens.read(iq.getToken());
            } catch (InvalidTokenException e) {
                refusedTokens.incrementAndGet();
                return error(iq, StanzaError.Condition.not_authorized, e.getMessage());
            }
        }
        ConferenceRequest request = new ConferenceRequest(room.toString(), Optional.ofNullable(iq.getSessionId()),
                Optional.ofNullable(iq.getMachineUID()), Optional.ofNullable(iq.getIdentity()), iq.getPropertiesMap());
        Decision decision = engine.decide(request.toJoinRequest(room, claims, Optional.ofNullable(iq.getFrom())));
        return result(iq, room, answers.answer(decision, request.sessionId(), engine.visitorsAvailable()));
    }

    private static IQ result(ConferenceIq request, EntityBareJid room, ConferenceAnswer answer) {
        ConferenceIq result = new ConferenceIq();
        result.setType(IQ.Type.result);
        result.setStanzaId(request.getStanzaId());
        result.setTo(request.getFrom());
        result.setFrom(request.getTo());
        result.setRoom(room);
        result.setReady(answer.ready());
        result.setFocusJid(answer.focusJid());
        answer.sessionId().ifPresent(result::setSessionId);
        answer.vnode().ifPresent(result::setVnode);
        answer.properties().forEach(result::addProperty);
        return result;
    }

    private static IQ error(IQ request, StanzaError.Condition condition, String text) {
        return IQ.createErrorResponse(request, StanzaError.getBuilder(condition).setDescriptiveEnText(text));
    }
}
