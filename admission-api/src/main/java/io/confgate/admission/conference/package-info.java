/**
 * The conference request as Jitsi Meet clients send it, over HTTP or as a conference IQ, and its answer:
 * one request model ({@link io.confgate.admission.conference.ConferenceRequest}), one mapping of a
 * decision to the answer ({@link io.confgate.admission.conference.ConferenceAnswers}), and the token
 * rules both edges share ({@link io.confgate.admission.conference.TokenReader}).
 */
package io.confgate.admission.conference;
