package io.safetyguard.examples.desktop;

import java.awt.datatransfer.DataFlavor;
import java.awt.datatransfer.UnsupportedFlavorException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import javax.swing.TransferHandler;

/**
 * Accepts files dropped (or pasted) onto a component and opens the first one. Other drags, such
 * as text, are refused, so the cursor shows they cannot be dropped.
 */
final class FileDropHandler extends TransferHandler {
    private static final long serialVersionUID = 1L;

    private final transient Consumer<Path> open;

    FileDropHandler(Consumer<Path> open) {
        this.open = Objects.requireNonNull(open, "open");
    }

    @Override
    public boolean canImport(TransferSupport support) {
        if (!support.isDataFlavorSupported(DataFlavor.javaFileListFlavor)) {
            return false;
        }
        if (support.isDrop() && (support.getSourceDropActions() & COPY) != 0) {
            support.setDropAction(COPY); // never MOVE: the user's file must stay where it is
        }
        return true;
    }

    @Override
    public boolean importData(TransferSupport support) {
        if (!canImport(support)) {
            return false;
        }
        List<?> files;
        try {
            files = (List<?>) support.getTransferable().getTransferData(DataFlavor.javaFileListFlavor);
        } catch (UnsupportedFlavorException | IOException e) {
            return false; // the drag source withdrew its data; nothing to open
        }
        if (files.isEmpty() || !(files.get(0) instanceof File first)) {
            return false;
        }
        open.accept(first.toPath());
        return true;
    }
}
