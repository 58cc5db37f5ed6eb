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

    /** Whether claims are verified against a key (otherwise they are read unverified). */
    boolean verifying();

    /** A reader for these settings: verifying when a secret or key is configured, unverified otherwise. */
    static TokenReader from(ServerSettings.Tokens settings) {
        return JwtTokenReader.create(settings);
    }
}
