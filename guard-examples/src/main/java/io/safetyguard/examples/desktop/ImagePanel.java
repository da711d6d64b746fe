package io.safetyguard.examples.desktop;

import java.awt.Color;
import java.awt.Dimension;
import java.awt.FontMetrics;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import javax.swing.JComponent;

/** Shows an image scaled to fit (aspect kept, never enlarged past 2x), or a hint when there is none. */
final class ImagePanel extends JComponent {
    private static final long serialVersionUID = 1L;

    private transient BufferedImage image;
    private String hint = "";

    ImagePanel() {
        setPreferredSize(new Dimension(420, 360));
        setOpaque(true);
        setBackground(new Color(0x263238));
    }

    void show(BufferedImage value, String hintText) {
        this.image = value;
        this.hint = hintText == null ? "" : hintText;
        repaint();
    }

    BufferedImage image() {
        return image;
    }

    @Override
    protected void paintComponent(Graphics g) {
        Graphics2D g2 = (Graphics2D) g.create();
        try {
            g2.setColor(getBackground());
            g2.fillRect(0, 0, getWidth(), getHeight());
            if (image != null) {
                double scale = Math.min(
                        2.0,
                        Math.min((double) getWidth() / image.getWidth(), (double) getHeight() / image.getHeight()));
                int w = Math.max(1, (int) Math.round(image.getWidth() * scale));
                int h = Math.max(1, (int) Math.round(image.getHeight() * scale));
                g2.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g2.drawImage(image, (getWidth() - w) / 2, (getHeight() - h) / 2, w, h, null);
            } else if (!hint.isEmpty()) {
                g2.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
                g2.setColor(new Color(0xB0BEC5));
                FontMetrics fm = g2.getFontMetrics();
                g2.drawString(hint, (getWidth() - fm.stringWidth(hint)) / 2, getHeight() / 2);
            }
        } finally {
            g2.dispose();
        }
    }
}
