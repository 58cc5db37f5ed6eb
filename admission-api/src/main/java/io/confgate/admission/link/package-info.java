/**
 * Making a conference's node links real on the wire: the {@link io.confgate.admission.link.NodeLinker} turns the
 * engine's {@link io.confgate.admission.event.NodeLinkEvent}s into steps on two small interfaces the focus
 * implements, {@link io.confgate.admission.link.NodeRoom} (the conference's room on a node) and
 * {@link io.confgate.admission.link.VisitorsComponent} ({@code connect-vnode}, {@code disconnect-vnode}).
 * The standalone server implements them with Smack; a focus such as Jicofo with its own XMPP stack.
 */
package io.confgate.admission.link;
