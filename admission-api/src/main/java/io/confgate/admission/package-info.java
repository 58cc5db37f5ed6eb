/**
 * The public API of visitor admission: what a conference focus (the Jicofo role in a Jitsi Meet
 * deployment) asks, what it is told, and the small SPIs through which it supplies room facts and
 * receives node link events.
 *
 * <p>The one question: for a {@link io.confgate.admission.JoinRequest}, does the participant go to the
 * main room or to a visitor node? {@link io.confgate.admission.AdmissionEngine#decide} answers with a
 * {@link io.confgate.admission.Decision} that always carries a machine-readable
 * {@link io.confgate.admission.Reason}. The engine itself lives in {@code admission-core}; this module
 * has no dependency beyond jxmpp-jid.
 */
package io.confgate.admission;
