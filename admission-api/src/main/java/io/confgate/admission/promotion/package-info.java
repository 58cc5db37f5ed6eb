/**
 * Promotion of visitors to the main room: a visitor raises a hand ({@link
 * io.confgate.admission.promotion.Promotions#raiseHand}), it is approved at once (automatic mode, or a
 * requester with moderator rights) or waits for a moderator, and approval issues a single-use
 * {@link io.confgate.admission.promotion.PromotionTicket} that places the visitor's next conference
 * request in the main room even when it is full.
 */
package io.confgate.admission.promotion;
