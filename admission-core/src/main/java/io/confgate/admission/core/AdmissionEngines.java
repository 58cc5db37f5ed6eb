package io.confgate.admission.core;

import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.RoomFactsSource;
import io.confgate.admission.Ticker;
import io.confgate.admission.core.internal.DefaultAdmissionEngine;
import io.confgate.admission.event.NodeLinkListener;
import io.confgate.admission.event.PromotionListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Static factories for {@link AdmissionEngine}.
 *
 * <pre>{@code
 * AdmissionEngine engine = AdmissionEngines.builder(config)
 *         .roomFacts(room -> myFocus.factsFor(room))
 *         .nodeLinkListener(event -> xmpp.sendAsync(event))
 *         .promotionListener(event -> moderators.notify(event))
 *         .build();
 * }</pre>
 */
public final class AdmissionEngines {

    private AdmissionEngines() {
    }

    /** An engine with the system ticker, no room facts and no node link listener. */
    public static AdmissionEngine create(AdmissionConfig config) {
        return builder(config).build();
    }

    /** A builder for an engine running with {@code config}. */
    public static Builder builder(AdmissionConfig config) {
        return new Builder(config);
    }

    /** Assembles an engine from its configuration and the SPIs at its edges. */
    public static final class Builder {
        private final AdmissionConfig config;
        private Ticker ticker = Ticker.systemTicker();
        private RoomFactsSource roomFacts = RoomFactsSource.unknownRooms();
        private NodeLinkListener nodeLinkListener = NodeLinkListener.none();
        private PromotionListener promotionListener = PromotionListener.none();
        private Optional<DefaultAdmissionEngine.StoreSettings> store = Optional.empty();
        private java.time.Clock wallClock = java.time.Clock.systemUTC();

        private Builder(AdmissionConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** The time source for every expiry; tests pass a fake one. */
        public Builder ticker(Ticker value) {
            this.ticker = Objects.requireNonNull(value, "ticker");
            return this;
        }

        /** Where facts for rooms come from when a request carries none. */
        public Builder roomFacts(RoomFactsSource value) {
            this.roomFacts = Objects.requireNonNull(value, "roomFacts");
            return this;
        }

        /** Who hears that a conference started or stopped using a node. */
        public Builder nodeLinkListener(NodeLinkListener value) {
            this.nodeLinkListener = Objects.requireNonNull(value, "nodeLinkListener");
            return this;
        }

        /** Who hears raised, decided and demoted hands (to tell moderators, nodes and visitors). */
        public Builder promotionListener(PromotionListener value) {
            this.promotionListener = Objects.requireNonNull(value, "promotionListener");
            return this;
        }

        /**
         * Keeps the engine's state (held places with their deadlines, reported occupancy, hands, tickets,
         * demotions, node states set at run time) in an H2 MVStore file in {@code directory}, written every
         * {@code writeInterval} and at {@link AdmissionEngine#close}, and rebuilds it at {@link #build}.
         * After a crash at most the last interval is lost. Without this the engine keeps everything in memory.
         */
        public Builder store(Path directory, Duration writeInterval) {
            this.store = Optional.of(new DefaultAdmissionEngine.StoreSettings(directory, writeInterval, wallClock));
            return this;
        }

        /** The wall clock the store dates deadlines by; tests pass one that moves when told. */
        public Builder wallClock(java.time.Clock value) {
            this.wallClock = Objects.requireNonNull(value, "wallClock");
            store = store.map(s -> new DefaultAdmissionEngine.StoreSettings(s.directory(), s.writeInterval(), value));
            return this;
        }

        public AdmissionEngine build() {
            return new DefaultAdmissionEngine(config, ticker, roomFacts, nodeLinkListener, promotionListener, store);
        }
    }
}
