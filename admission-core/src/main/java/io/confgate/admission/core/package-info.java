/**
 * The admission engine. {@link io.confgate.admission.core.AdmissionEngines} builds an
 * {@link io.confgate.admission.AdmissionEngine}; everything under {@code internal} is machinery and may
 * change without notice.
 */
package io.confgate.admission.core;
