package io.safetyguard.examples.desktop;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * What the window shows, as plain values: a view renders it and nothing else, so every decision
 * (texts, colours) lives in {@link VerdictPresenter} and is tested without a display.
 *
 * @param status      where the check is
 * @param title       the image's file name, or a prompt to drop one
 * @param image       the decoded image to show; null before one is open or when it cannot be read
 * @param ratingText  "Safe", "Unsafe", "Unsafe (no verdict)", "Checking..."
 * @param ratingColor background of the rating badge
 * @param category    the policy category, or "" when there is none yet
 * @param rationale   the model's explanation, or why there is no verdict
 * @param details     where the verdict came from and how long it took
 */
public record ViewState(
        VerdictPresenter.Status status,
        String title,
        BufferedImage image,
        String ratingText,
        Color ratingColor,
        String category,
        String rationale,
        String details) {
    public ViewState {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(ratingText, "ratingText");
        Objects.requireNonNull(ratingColor, "ratingColor");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(rationale, "rationale");
        Objects.requireNonNull(details, "details");
    }
}
