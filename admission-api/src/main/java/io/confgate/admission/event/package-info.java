/**
 * Events crossing the engine's edges: {@link io.confgate.admission.event.OccupancyEvent}s the focus
 * reports in, and {@link io.confgate.admission.event.NodeLinkEvent}s the engine emits when a conference
 * starts or stops using a visitor node.
 */
package io.confgate.admission.event;
