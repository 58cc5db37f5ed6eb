package io.confgate.admission.conference;

/**
 * Reads the claims of a Jitsi token, from an HTTP {@code Authorization} header or a conference IQ's
 * {@code token} attribute. Thread-safe.
 *
 * <p>Jicofo's rule, kept here: without a verification key a token is read for placement only, and one
 * that cannot be read is ignored, not refused (Jicofo {@code ConferenceIqHandler.parseToken}: "no
 * validation is performed on the token, this is intentional"). With a key, a token that fails it is
 * refused ({@link InvalidTokenException}).
 */
public interface TokenReader {

    /**
     * The claims of {@code token}.
     *
     * @throws InvalidTokenException only when a key is configured and the token fails it
     */
    TokenClaims read(String token) throws InvalidTokenException;

    /** Whether claims are verified against a key (otherwise they are read unverified). */
    boolean verifying();

    /**
     * The claims of an {@code Authorization} header value: none when it is absent or blank. The
     * {@code Bearer } prefix is stripped when present; otherwise the whole value is the token, as Jicofo's
     * REST API takes it.
     *
     * @throws InvalidTokenException only when a key is configured and the token fails it
     */
    default TokenClaims readAuthorization(String authorization) throws InvalidTokenException {
        if (authorization == null || authorization.isBlank()) {
            return TokenClaims.none();
        }
        String value = authorization.trim();
        if (value.length() >= 7 && value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            value = value.substring(7).trim();
        }
        return read(value);
    }

    /** A reader that ignores every token: no claims, nothing refused. */
    static TokenReader ignoring() {
        return new TokenReader() {
            @Override
            public TokenClaims read(String token) {
                return TokenClaims.none();
            }

            @Override
            public boolean verifying() {
                return false;
            }
        };
    }
}
