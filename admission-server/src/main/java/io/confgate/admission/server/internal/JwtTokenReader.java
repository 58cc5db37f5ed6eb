package io.confgate.admission.server.internal;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.auth0.jwt.interfaces.Verification;
import io.confgate.admission.conference.InvalidTokenException;
import io.confgate.admission.conference.TokenClaims;
import io.confgate.admission.conference.TokenReader;
import io.confgate.admission.server.ServerSettings;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jitsi JWTs through auth0 java-jwt: HS256 and RS256 verification, or unverified decoding. Without a key,
 * a token that cannot be decoded is ignored (no claims), as Jicofo's {@code ConferenceIqHandler.parseToken}
 * ignores it; with a key, it is refused.
 */
public final class JwtTokenReader implements TokenReader {
    private static final Logger log = LoggerFactory.getLogger(JwtTokenReader.class);

    private final List<JWTVerifier> hs256;
    private final List<JWTVerifier> rs256;
    /** Development only: a token the keys do not verify is read unverified instead of refused. */
    private final boolean fallbackUnverified;

    private JwtTokenReader(List<JWTVerifier> hs256, List<JWTVerifier> rs256, boolean fallbackUnverified) {
        this.hs256 = hs256;
        this.rs256 = rs256;
        this.fallbackUnverified = fallbackUnverified;
    }

    /**
     * Development mode: tokens signed with {@code secret} are verified (so they can act as moderator);
     * every other token is read unverified, for placement only, as without any key.
     */
    public static TokenReader development(byte[] secret) {
        JWTVerifier verifier = JWT.require(Algorithm.HMAC256(secret)).acceptLeeway(30).build();
        return new JwtTokenReader(List.of(verifier), List.of(), true);
    }

    /** A moderator token signed with {@code secret}, valid for {@code validity}. */
    public static String developmentModeratorToken(byte[] secret, Duration validity) {
        Instant now = Instant.now();
        return JWT.create()
                .withClaim("context", Map.of("user", Map.of("id", "dev-moderator", "name", "Development moderator",
                        "moderator", true)))
                .withClaim("moderator", true)
                .withIssuedAt(now)
                .withExpiresAt(now.plus(validity))
                .sign(Algorithm.HMAC256(secret));
    }

    public static TokenReader create(ServerSettings.Tokens settings) {
        List<JWTVerifier> hs = new ArrayList<>();
        List<JWTVerifier> rs = new ArrayList<>();
        settings.hs256Secret().ifPresent(secret ->
                hs.add(verifier(Algorithm.HMAC256(secret.getBytes(StandardCharsets.UTF_8)), settings)));
        for (int i = 0; i < settings.rs256PublicKeys().size(); i++) {
            RSAPublicKey key = parsePublicKey(settings.rs256PublicKeys().get(i), i);
            rs.add(verifier(Algorithm.RSA256(key, null), settings));
        }
        if (hs.isEmpty() && rs.isEmpty()) {
            log.warn("No JWT secret or public key configured (admission.jwt): token claims are read UNVERIFIED "
                    + "and used for placement only, as Jicofo does. Configure a key before trusting them.");
        }
        return new JwtTokenReader(List.copyOf(hs), List.copyOf(rs), false);
    }

    private static JWTVerifier verifier(Algorithm algorithm, ServerSettings.Tokens settings) {
        Verification v = JWT.require(algorithm).acceptLeeway(settings.leeway().toSeconds());
        if (!settings.audiences().isEmpty()) {
            v = v.withAnyOfAudience(settings.audiences().toArray(String[]::new));
        }
        if (!settings.issuers().isEmpty()) {
            v = v.withIssuer(settings.issuers().toArray(String[]::new));
        }
        return v.build();
    }

    private static RSAPublicKey parsePublicKey(String pem, int index) {
        String body = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        try {
            byte[] der = Base64.getDecoder().decode(body);
            return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("invalid configuration 'admission.jwt.rs256-public-keys[" + index
                    + "]': not an RSA public key in PEM (X.509 SubjectPublicKeyInfo) form", e);
        }
    }

    @Override
    public boolean verifying() {
        return !fallbackUnverified && (!hs256.isEmpty() || !rs256.isEmpty());
    }

    @Override
    public TokenClaims read(String token) throws InvalidTokenException {
        DecodedJWT decoded;
        try {
            decoded = JWT.decode(token);
        } catch (JWTDecodeException e) {
            if (!verifying()) {
                return TokenClaims.none();
            }
            throw new InvalidTokenException("token is not a valid JWT");
        }
        if (hs256.isEmpty() && rs256.isEmpty()) {
            return claims(decoded, false);
        }
        List<JWTVerifier> candidates = switch (decoded.getAlgorithm() == null ? "" : decoded.getAlgorithm()) {
            case "HS256" -> hs256;
            case "RS256" -> rs256;
            default -> List.of();
        };
        if (candidates.isEmpty()) {
            if (fallbackUnverified) {
                return claims(decoded, false);
            }
            throw new InvalidTokenException("token algorithm '" + decoded.getAlgorithm() + "' is not accepted");
        }
        JWTVerificationException last = null;
        for (JWTVerifier verifier : candidates) {
            try {
                return claims(verifier.verify(decoded), true);
            } catch (JWTVerificationException e) {
                last = e;
            }
        }
        if (fallbackUnverified) {
            return claims(decoded, false);
        }
        throw new InvalidTokenException(reason(last));
    }

    private static String reason(JWTVerificationException e) {
        if (e instanceof TokenExpiredException) {
            return "token has expired";
        }
        // java-jwt messages name the failing claim without echoing secrets.
        return "token rejected: " + e.getMessage();
    }

    @SuppressWarnings("unchecked")
    private static TokenClaims claims(DecodedJWT jwt, boolean verified) {
        Optional<String> userId = Optional.empty();
        Optional<String> groupId = Optional.empty();
        boolean moderator = truthy(jwt.getClaim("moderator"));
        Claim context = jwt.getClaim("context");
        if (!context.isMissing() && !context.isNull()) {
            Map<String, Object> ctx = context.asMap();
            if (ctx != null) {
                Object group = ctx.get("group");
                if (group instanceof String s && !s.isBlank()) {
                    groupId = Optional.of(s);
                }
                if (ctx.get("user") instanceof Map<?, ?> user) {
                    Object id = user.get("id");
                    if (id instanceof String s && !s.isBlank()) {
                        userId = Optional.of(s);
                    } else if (id instanceof Number n) {
                        userId = Optional.of(n.toString());
                    }
                    moderator |= truthy(user.get("moderator"));
                }
            }
        }
        Claim room = jwt.getClaim("room");
        Optional<String> roomClaim = room.isMissing() || room.isNull() ? Optional.empty()
                : Optional.ofNullable(room.asString()).filter(r -> !r.isBlank());
        return new TokenClaims(userId, groupId, moderator, verified, roomClaim);
    }

    private static boolean truthy(Claim claim) {
        if (claim.isMissing() || claim.isNull()) {
            return false;
        }
        Boolean b = claim.asBoolean();
        return b != null ? b : "true".equalsIgnoreCase(claim.asString());
    }

    private static boolean truthy(Object value) {
        return Boolean.TRUE.equals(value) || (value instanceof String s && s.equalsIgnoreCase("true"));
    }
}
