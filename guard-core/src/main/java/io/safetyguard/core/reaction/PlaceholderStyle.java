package io.safetyguard.core.reaction;

/** The image a blocked result carries instead of the unsafe one. */
public enum PlaceholderStyle {
    /** All black, the size of the blocked image ({@link Placeholders#black}). */
    BLACK,
    /** Blurred past recognition: colours and rough layout only ({@link Placeholders#blurred}). */
    BLURRED,
    /** No placeholder. */
    NONE
}
