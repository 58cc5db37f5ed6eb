/**
 * The library as a conference focus links it in: {@link io.confgate.admission.focus.FocusAdmission} has one
 * method per place where Jicofo decides or observes (the conference request, members joining and leaving the
 * main room and each visitor room, a node's connection, a conference ending), in plain Java types, so that a
 * focus keeps its XMPP and media and the library decides and counts.
 */
package io.confgate.admission.focus;
