/**
 * The admission endpoints as Jetty 12 handlers, to mount in the focus's own server or the standalone one
 * ({@code admission-server}): {@link io.confgate.admission.http.ConferenceRequestHandler} answers
 * {@code POST /conference-request/v1} as Jicofo does, {@link io.confgate.admission.http.PromotionHandlers}
 * serves the promotion actions, {@link io.confgate.admission.http.AdmissionHandlers} assembles them with
 * CORS, size limits and timing. Depends on Jetty, Jackson and the API only.
 */
package io.confgate.admission.http;
