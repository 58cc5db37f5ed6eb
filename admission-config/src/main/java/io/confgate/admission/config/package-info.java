/**
 * The engine's settings read from HOCON, the same wherever the engine runs: Jicofo's keys
 * ({@code jicofo.visitors.*}, {@code jicofo.xmpp.visitors.*}) with Jicofo's defaults, and the library's own under
 * {@code admission.*}. The standalone server reads its file through it, and a focus such as Jicofo reads its
 * {@code jicofo.conf}.
 */
package io.confgate.admission.config;
