package io.safetyguard.examples.desktop;

import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.Font;
import java.awt.event.ActionEvent;
import java.awt.event.InputEvent;
import java.awt.event.KeyEvent;
import java.io.File;
import java.nio.file.Path;
import javax.swing.AbstractAction;
import javax.swing.BorderFactory;
import javax.swing.Box;
import javax.swing.BoxLayout;
import javax.swing.JComponent;
import javax.swing.JFileChooser;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JMenu;
import javax.swing.JMenuBar;
import javax.swing.JMenuItem;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JTextArea;
import javax.swing.KeyStroke;
import javax.swing.SwingConstants;
import javax.swing.SwingUtilities;
import javax.swing.WindowConstants;
import javax.swing.filechooser.FileNameExtensionFilter;

/**
 * The desktop tool's window: the image on the left, the verdict on the right (a coloured rating
 * badge, the category, the rationale), File &gt; Open and drag-and-drop of files anywhere on it.
 * It only renders {@link ViewState}s from its {@link VerdictPresenter} and forwards the user's
 * files to it. Create and use it on the event dispatch thread.
 */
public final class VerdictWindow {

    private final VerdictPresenter presenter;
    private final JFrame frame = new JFrame("SafetyGuard");
    private final ImagePanel imagePanel = new ImagePanel();
    private final JLabel titleLabel = new JLabel(" ");
    private final JLabel ratingLabel = new JLabel(" ", SwingConstants.CENTER);
    private final JLabel categoryLabel = new JLabel(" ");
    private final JTextArea rationale = new JTextArea(6, 24);
    private final JLabel detailsLabel = new JLabel(" ");
    private JLabel bannerLabel;

    /** Builds the window (not yet visible) and shows the presenter's current state. */
    public VerdictWindow(VerdictPresenter presenter) {
        if (!SwingUtilities.isEventDispatchThread()) {
            throw new IllegalStateException(
                    "create the VerdictWindow on the event dispatch thread (SwingUtilities.invokeLater)");
        }
        this.presenter = presenter;
        frame.setDefaultCloseOperation(WindowConstants.DISPOSE_ON_CLOSE);
        frame.setJMenuBar(menuBar());
        frame.getContentPane().add(imagePanel, BorderLayout.CENTER);
        frame.getContentPane().add(verdictPanel(), BorderLayout.EAST);
        presenter.modelWarning().ifPresent(text -> frame.getContentPane().add(banner(text), BorderLayout.NORTH));
        FileDropHandler drop = new FileDropHandler(presenter::open);
        // Drops anywhere on the window count: the root pane, the image and the text area.
        frame.getRootPane().setTransferHandler(drop);
        imagePanel.setTransferHandler(drop);
        rationale.setTransferHandler(drop);
        frame.pack();
        frame.setMinimumSize(new Dimension(560, 360));
        presenter.addListener(this::render);
        render(presenter.state());
    }

    /** The frame, e.g. to show it or to listen for its closing. */
    public JFrame frame() {
        return frame;
    }

    /** The warning banner across the top, or null when the model needs none. */
    JLabel bannerLabel() {
        return bannerLabel;
    }

    JLabel ratingLabel() {
        return ratingLabel;
    }

    ImagePanel imagePanel() {
        return imagePanel;
    }

    private JMenuBar menuBar() {
        JMenu file = new JMenu("File");
        file.setMnemonic(KeyEvent.VK_F);
        JMenuItem open = new JMenuItem(new AbstractAction("Open...") {
            private static final long serialVersionUID = 1L;

            @Override
            public void actionPerformed(ActionEvent e) {
                chooseFile();
            }
        });
        open.setAccelerator(KeyStroke.getKeyStroke(KeyEvent.VK_O, InputEvent.CTRL_DOWN_MASK));
        JMenuItem quit = new JMenuItem(new AbstractAction("Quit") {
            private static final long serialVersionUID = 1L;

            @Override
            public void actionPerformed(ActionEvent e) {
                frame.dispose();
            }
        });
        quit.setAccelerator(KeyStroke.getKeyStroke(KeyEvent.VK_Q, InputEvent.CTRL_DOWN_MASK));
        file.add(open);
        file.addSeparator();
        file.add(quit);
        JMenuBar bar = new JMenuBar();
        bar.add(file);
        return bar;
    }

    private JComponent verdictPanel() {
        JPanel panel = new JPanel();
        panel.setLayout(new BoxLayout(panel, BoxLayout.Y_AXIS));
        panel.setBorder(BorderFactory.createEmptyBorder(12, 12, 12, 12));
        panel.setPreferredSize(new Dimension(280, 360));

        titleLabel.setFont(titleLabel.getFont().deriveFont(Font.BOLD));
        ratingLabel.setOpaque(true);
        ratingLabel.setForeground(Color.WHITE);
        ratingLabel.setFont(ratingLabel.getFont().deriveFont(Font.BOLD, 22f));
        ratingLabel.setBorder(BorderFactory.createEmptyBorder(10, 10, 10, 10));
        ratingLabel.setMaximumSize(new Dimension(Integer.MAX_VALUE, 56));
        rationale.setLineWrap(true);
        rationale.setWrapStyleWord(true);
        rationale.setEditable(false);
        detailsLabel.setForeground(Color.GRAY);
        detailsLabel.setFont(detailsLabel.getFont().deriveFont(11f));

        for (JComponent c : new JComponent[] {titleLabel, ratingLabel, categoryLabel, detailsLabel}) {
            c.setAlignmentX(0f);
        }
        JScrollPane scroll = new JScrollPane(rationale);
        scroll.setAlignmentX(0f);
        panel.add(titleLabel);
        panel.add(Box.createVerticalStrut(8));
        panel.add(ratingLabel);
        panel.add(Box.createVerticalStrut(8));
        panel.add(categoryLabel);
        panel.add(Box.createVerticalStrut(8));
        panel.add(scroll);
        panel.add(Box.createVerticalStrut(8));
        panel.add(detailsLabel);
        return panel;
    }

    private JLabel banner(String text) {
        bannerLabel = new JLabel(text, SwingConstants.CENTER);
        bannerLabel.setOpaque(true);
        bannerLabel.setBackground(VerdictPresenter.NO_VERDICT_COLOR);
        bannerLabel.setForeground(Color.WHITE);
        bannerLabel.setFont(bannerLabel.getFont().deriveFont(Font.BOLD));
        bannerLabel.setBorder(BorderFactory.createEmptyBorder(6, 10, 6, 10));
        return bannerLabel;
    }

    private void chooseFile() {
        JFileChooser chooser = new JFileChooser();
        chooser.setFileFilter(new FileNameExtensionFilter(
                "Images (PNG, JPEG, GIF, BMP, WebP)", "png", "jpg", "jpeg", "gif", "bmp", "webp"));
        if (chooser.showOpenDialog(frame) == JFileChooser.APPROVE_OPTION) {
            File f = chooser.getSelectedFile();
            presenter.open(Path.of(f.getPath()));
        }
    }

    private void render(ViewState s) {
        frame.setTitle("SafetyGuard - " + s.title());
        titleLabel.setText(s.title());
        imagePanel.show(s.image(), s.image() == null ? VerdictPresenter.DROP_HINT : "");
        ratingLabel.setText(s.ratingText());
        ratingLabel.setBackground(s.ratingColor());
        categoryLabel.setText(s.category().isEmpty() ? " " : s.category());
        rationale.setText(s.rationale());
        rationale.setCaretPosition(0);
        detailsLabel.setText(s.details().isEmpty() ? " " : s.details());
    }
}
