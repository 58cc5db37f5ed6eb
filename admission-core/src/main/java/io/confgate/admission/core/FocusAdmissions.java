package io.confgate.admission.core;

import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.RoomFactsSource;
import io.confgate.admission.Ticker;
import io.confgate.admission.core.internal.DefaultFocusAdmission;
import io.confgate.admission.event.PromotionListener;
import io.confgate.admission.focus.FocusAdmission;
import io.confgate.admission.link.LinkSettings;
import io.confgate.admission.link.NodeLinker;
import io.confgate.admission.link.NodeRoom;
import io.confgate.admission.link.VisitorsComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Static factories for {@link FocusAdmission}, the library as a focus such as Jicofo links it in.
 *
 * <pre>{@code
 * FocusAdmission admission = FocusAdmissions.builder(config, nodeRooms, visitorsComponent)
 *         .store(Path.of("/var/lib/jicofo/admission"), Duration.ofSeconds(1))
 *         .build();
 * Decision decision = admission.conferenceRequest(request);   // where Jicofo calls redirectVisitor
 * admission.mainMemberJoined(room, member.getJid(), MemberKind.NORMAL);
 * }</pre>
 */
public final class FocusAdmissions {

    private FocusAdmissions() {
    }

    /**
     * A builder for a facade over a new engine running with {@code config}, whose node links go through the
     * focus's own {@code rooms} (the node rooms it holds) and {@code component} (connect-vnode, disconnect-vnode).
     */
    public static Builder builder(AdmissionConfig config, NodeRoom rooms, VisitorsComponent component) {
        return new Builder(config, Objects.requireNonNull(rooms, "rooms"), Objects.requireNonNull(component,
                "component"));
    }

    /** Assembles the facade. */
    public static final class Builder {
        private final AdmissionEngines.Builder engine;
        private final NodeRoom rooms;
        private final VisitorsComponent component;
        private LinkSettings linkSettings = new LinkSettings(new io.confgate.admission.Backoff(Duration.ofSeconds(1),
                Duration.ofSeconds(60)), 5, LinkSettings.DEFAULT_RELINK_SETTLE, LinkSettings.DEFAULT_WORKERS);
        private Optional<NodeLinker> linker = Optional.empty();
        private Duration maintenanceInterval = Duration.ofSeconds(1);

        private Builder(AdmissionConfig config, NodeRoom rooms, VisitorsComponent component) {
            this.engine = AdmissionEngines.builder(config);
            this.rooms = rooms;
            this.component = component;
        }

        /** Retries, the relink settle and the link workers (defaults: 1 s doubled up to 60 s, 5 attempts, 1 s, 8). */
        public Builder linkSettings(LinkSettings value) {
            this.linkSettings = Objects.requireNonNull(value, "linkSettings");
            return this;
        }

        /** Keeps the engine's state in a store; see {@link AdmissionEngines.Builder#store}. */
        public Builder store(Path directory, Duration writeInterval) {
            engine.store(directory, writeInterval);
            return this;
        }

        /** The time source of every expiry; tests pass a fake one. */
        public Builder ticker(Ticker value) {
            engine.ticker(value);
            return this;
        }

        /** Where facts of rooms come from when a request carries none. */
        public Builder roomFacts(RoomFactsSource value) {
            engine.roomFacts(value);
            return this;
        }

        /** Who hears raised, decided and demoted hands. */
        public Builder promotionListener(PromotionListener value) {
            engine.promotionListener(value);
            return this;
        }

        /**
         * How often the facade runs the engine's maintenance (expiry of idle rooms, links whose seats' grace ran
         * out); {@link Duration#ZERO} runs none, for a caller that calls {@link AdmissionEngine#cleanUp()} itself.
         */
        public Builder maintenanceInterval(Duration value) {
            if (value == null || value.isNegative() || !value.isZero() && value.toMillis() < 1) {
                throw new IllegalArgumentException("maintenanceInterval must be zero or at least 1 ms, was " + value);
            }
            this.maintenanceInterval = value;
            return this;
        }

        /** Uses this linker (built on the same {@code rooms} and {@code component}) instead of making one. */
        public Builder linker(NodeLinker value) {
            this.linker = Optional.of(Objects.requireNonNull(value, "linker"));
            return this;
        }

        public FocusAdmission build() {
            NodeLinker links = linker.orElseGet(() -> NodeLinkers.create(rooms, component, linkSettings));
            AdmissionEngine built = null;
            try {
                built = engine.nodeLinkListener(links).build();
                return new DefaultFocusAdmission(built, links, maintenanceInterval);
            } catch (RuntimeException | Error e) {
                links.close();
                if (built != null) {
                    built.close();
                }
                throw e;
            }
        }
    }
}
