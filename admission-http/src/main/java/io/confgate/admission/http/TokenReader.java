package io.confgate.admission.http;

import io.confgate.admission.http.internal.JwtTokenReader;

/** Reads the claims of a bearer token. Thread-safe. */
public interface TokenReader {

    /**
     * The claims of {@code token} (without the {@code Bearer } prefix).
     *
     * @throws InvalidTokenException when it cannot be decoded, or a configured key does not verify it
     */
    TokenClaims read(String token) throws InvalidTokenException;

    /**
     * The claims of an {@code Authorization} header value: none when it is absent or blank.
     *
     * @throws InvalidTokenException when it is not {@code Bearer <token>} or the token is rejected
     */
    default TokenClaims readAuthorization(String authorization) throws InvalidTokenException {
        if (authorization == null || authorization.isBlank()) {
            return TokenClaims.none();
        }
        String value = authorization.trim();
        if (value.length() < 7 || !value.substring(0, 7).equalsIgnoreCase("Bearer ")) {
            throw new InvalidTokenException("Authorization must be 'Bearer <token>'");
        }
        return read(value.substring(7).trim());
    }

    /** Whether claims are verified against a key (otherwise they are read unverified). */
    boolean verifying();

    /** A reader for these settings: verifying when a secret or key is configured, unverified otherwise. */
    static TokenReader from(ServerSettings.Tokens settings) {
        return JwtTokenReader.create(settings);
    }
}
