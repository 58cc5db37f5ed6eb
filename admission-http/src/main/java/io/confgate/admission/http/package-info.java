/**
 * HTTP for the admission engine on Jetty 12: {@link io.confgate.admission.http.ConferenceRequestHandler}
 * answers {@code POST /conference-request/v1} as Jicofo does and mounts in any Jetty server;
 * {@link io.confgate.admission.http.AdmissionHttpServer} assembles a standalone server around it;
 * {@link io.confgate.admission.http.ServerSettings} reads the HOCON operators already keep in jicofo.conf.
 */
package io.confgate.admission.http;
