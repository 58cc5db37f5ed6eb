package io.confgate.admission.promotion;

import java.time.Duration;

/**
 * Immutable promotion settings ({@code admission.promotion.*}). Build with {@link #builder()}; {@link
 * Builder#build()} validates and names the offending key.
 *
 * <p>Defaults: moderators decide (the {@code auto_allow_visitor_promotion} of Prosody's mod_visitors is
 * off unless configured), tickets live 5 minutes, a hand waits at most 30 minutes, at most 5,000 hands
 * wait per room, a visitor may raise a hand 10 times a minute, a demoted member stays a visitor for 10
 * minutes, and at most 100,000 tickets exist at once, 50,000 hands and 50,000 visitors' raise-hand counts.
 */
public final class PromotionConfig {
    private static final PromotionConfig DEFAULTS = new Builder().build();

    private final boolean autoAllow;
    private final Duration ticketLifetime;
    private final Duration pendingLifetime;
    private final int maxPendingPerRoom;
    private final int maxRequestsPerVisitorPerMinute;
    private final Duration demotionLifetime;
    private final int maxTickets;
    private final int maxHands;
    private final int maxTrackedVisitors;

    private PromotionConfig(Builder b) {
        this.autoAllow = b.autoAllow;
        this.ticketLifetime = b.ticketLifetime;
        this.pendingLifetime = b.pendingLifetime;
        this.maxPendingPerRoom = b.maxPendingPerRoom;
        this.maxRequestsPerVisitorPerMinute = b.maxRequestsPerVisitorPerMinute;
        this.demotionLifetime = b.demotionLifetime;
        this.maxTickets = b.maxTickets;
        this.maxHands = b.maxHands;
        this.maxTrackedVisitors = b.maxTrackedVisitors;
    }

    /** The defaults. */
    public static PromotionConfig defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .autoAllow(autoAllow)
                .ticketLifetime(ticketLifetime)
                .pendingLifetime(pendingLifetime)
                .maxPendingPerRoom(maxPendingPerRoom)
                .maxRequestsPerVisitorPerMinute(maxRequestsPerVisitorPerMinute)
                .demotionLifetime(demotionLifetime)
                .maxTickets(maxTickets)
                .maxHands(maxHands)
                .maxTrackedVisitors(maxTrackedVisitors);
    }

    /** {@code auto-allow-promotion}: every raised hand is approved at once (a room's facts may override). */
    public boolean autoAllow() {
        return autoAllow;
    }

    /** {@code ticket-lifetime}: how long an approval's ticket can be used. */
    public Duration ticketLifetime() {
        return ticketLifetime;
    }

    /** {@code pending-lifetime}: how long a hand waits for a moderator before it expires. */
    public Duration pendingLifetime() {
        return pendingLifetime;
    }

    /** {@code max-pending-per-room}: hands that may wait in one room at once. */
    public int maxPendingPerRoom() {
        return maxPendingPerRoom;
    }

    /** {@code max-requests-per-visitor-per-minute}: raised hands one visitor may send per minute. */
    public int maxRequestsPerVisitorPerMinute() {
        return maxRequestsPerVisitorPerMinute;
    }

    /** {@code demotion-lifetime}: how long a demoted member's requests go to a visitor node. */
    public Duration demotionLifetime() {
        return demotionLifetime;
    }

    /** {@code max-tickets}: tickets that may exist at once; the oldest are dropped past it. */
    public int maxTickets() {
        return maxTickets;
    }

    /**
     * {@code admission.promotion.max-hands}: hands kept at once over all rooms, pending or remembered for
     * status polls (memory bound); past it raising a hand is refused.
     */
    public int maxHands() {
        return maxHands;
    }

    /**
     * {@code admission.promotion.max-tracked-visitors}: visitors whose raise-hand count of the last minute is kept
     * (for {@code max-requests-per-visitor-per-minute}). The key is the visitor's id, which a client without a
     * token picks, so this map is bounded; past it the least useful counts are dropped (the per-address limit at
     * the HTTP edge still holds such a client).
     */
    public int maxTrackedVisitors() {
        return maxTrackedVisitors;
    }

    @Override
    public String toString() {
        return "PromotionConfig{autoAllow=" + autoAllow + ", ticketLifetime=" + ticketLifetime
                + ", pendingLifetime=" + pendingLifetime + ", maxPendingPerRoom=" + maxPendingPerRoom
                + ", maxRequestsPerVisitorPerMinute=" + maxRequestsPerVisitorPerMinute
                + ", demotionLifetime=" + demotionLifetime + ", maxTickets=" + maxTickets + ", maxHands=" + maxHands
                + ", maxTrackedVisitors=" + maxTrackedVisitors + '}';
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private boolean autoAllow;
        private Duration ticketLifetime = Duration.ofMinutes(5);
        private Duration pendingLifetime = Duration.ofMinutes(30);
        private int maxPendingPerRoom = 5_000;
        private int maxRequestsPerVisitorPerMinute = 10;
        private Duration demotionLifetime = Duration.ofMinutes(10);
        private int maxTickets = 100_000;
        private int maxHands = 50_000;
        private int maxTrackedVisitors = 50_000;

        private Builder() {
        }

        public Builder autoAllow(boolean value) {
            this.autoAllow = value;
            return this;
        }

        public Builder ticketLifetime(Duration value) {
            this.ticketLifetime = value;
            return this;
        }

        public Builder pendingLifetime(Duration value) {
            this.pendingLifetime = value;
            return this;
        }

        public Builder maxPendingPerRoom(int value) {
            this.maxPendingPerRoom = value;
            return this;
        }

        public Builder maxRequestsPerVisitorPerMinute(int value) {
            this.maxRequestsPerVisitorPerMinute = value;
            return this;
        }

        public Builder demotionLifetime(Duration value) {
            this.demotionLifetime = value;
            return this;
        }

        public Builder maxTickets(int value) {
            this.maxTickets = value;
            return this;
        }

        public Builder maxHands(int value) {
            this.maxHands = value;
            return this;
        }

        public Builder maxTrackedVisitors(int value) {
            this.maxTrackedVisitors = value;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the key and the reason for the first bad field
         */
        public PromotionConfig build() {
            positive(ticketLifetime, "ticket-lifetime");
            positive(pendingLifetime, "pending-lifetime");
            positive(demotionLifetime, "demotion-lifetime");
            atLeastOne(maxPendingPerRoom, "max-pending-per-room");
            atLeastOne(maxRequestsPerVisitorPerMinute, "max-requests-per-visitor-per-minute");
            atLeastOne(maxTickets, "max-tickets");
            atLeastOne(maxHands, "max-hands");
            atLeastOne(maxTrackedVisitors, "max-tracked-visitors");
            return new PromotionConfig(this);
        }

        private static void positive(Duration value, String key) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw invalid(key, "must be a positive duration, was " + value);
            }
        }

        private static void atLeastOne(int value, String key) {
            if (value < 1) {
                throw invalid(key, "must be >= 1, was " + value);
            }
        }

        private static IllegalArgumentException invalid(String key, String reason) {
            return new IllegalArgumentException("invalid configuration 'admission.promotion." + key + "': " + reason);
        }
    }
}
