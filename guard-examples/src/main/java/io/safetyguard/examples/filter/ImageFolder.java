package io.safetyguard.examples.filter;

import io.safetyguard.examples.ExampleException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The files of an input folder, split into images (by extension) and other files. Walks
 * subfolders, skips hidden folders (.git, .cache), and returns paths relative to the folder in a
 * stable order, so runs and manifests are reproducible.
 *
 * @param root   the folder
 * @param images files with an image extension; whether they really are images is up to the guard
 * @param others every other regular file (captions, metadata), left alone
 */
public record ImageFolder(Path root, List<Path> images, List<Path> others) {

    /** Extensions the guard's decoder reads (it recognises the format from the content, not the name). */
    public static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "gif", "bmp", "webp");

    public ImageFolder {
        images = List.copyOf(images);
        others = List.copyOf(others);
    }

    /**
     * Lists {@code root}.
     *
     * @throws ExampleException (bad input) when {@code root} is not a readable folder
     */
    public static ImageFolder scan(Path root) {
        if (!Files.isDirectory(root)) {
            throw ExampleException.badInput("input folder " + root + " does not exist or is not a folder");
        }
        List<Path> images = new ArrayList<>();
        List<Path> others = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    boolean hidden =
                            !dir.equals(root) && dir.getFileName().toString().startsWith(".");
                    return hidden ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile() || (attrs.isSymbolicLink() && Files.isRegularFile(file))) {
                        (isImageName(file) ? images : others).add(root.relativize(file));
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new ExampleException("cannot list " + root + ": " + e.getMessage(), e);
        }
        Collections.sort(images);
        Collections.sort(others);
        return new ImageFolder(root, images, others);
    }

    static boolean isImageName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
