package io.safetyguard.cli.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a list of image paths: a {@code .txt}/{@code .lst}/{@code .list} file with one path per line,
 * or a {@code .csv} file whose first column holds the path. Blank lines and lines starting with
 * {@code #} are ignored; a CSV's first row is a header when its first cell is one of
 * {@value #HEADER_LIST}. Relative paths resolve against the folder of the list file, so a list
 * travels with its dataset.
 */
final class PathListReader {
    static final String HEADER_LIST = "path, image, file, filename, filepath, image_path";
    private static final Set<String> HEADERS = Set.of("path", "image", "file", "filename", "filepath", "image_path");
    private static final Set<String> LIST_EXTENSIONS = Set.of("txt", "lst", "list", "csv");

    private PathListReader() {}

    /** Whether a SOURCE file is a list of paths rather than an image. */
    static boolean isListFile(Path file) {
        return LIST_EXTENSIONS.contains(extension(file));
    }

    /** The paths the list names, absolute and normalised, in file order. */
    static List<Path> read(Path list) throws IOException {
        boolean csv = "csv".equals(extension(list));
        Path base = list.toAbsolutePath().normalize().getParent();
        List<String> lines = Files.readAllLines(list, StandardCharsets.UTF_8);
        List<Path> paths = new ArrayList<>();
        boolean first = true;
        for (int i = 0; i < lines.size(); i++) {
            String line = i == 0 ? Csv.stripBom(lines.get(i)) : lines.get(i);
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            String entry;
            if (csv) {
                try {
                    entry = Csv.split(line).get(0);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(list + " line " + (i + 1) + ": " + e.getMessage(), e);
                }
                if (first && HEADERS.contains(entry.toLowerCase(Locale.ROOT))) {
                    first = false;
                    continue;
                }
            } else {
                entry = line.strip();
            }
            first = false;
            if (entry.isEmpty()) {
                throw new IllegalArgumentException(
                        list + " line " + (i + 1) + ": the first column is empty; put the image path there");
            }
            paths.add(base.resolve(entry).normalize());
        }
        return paths;
    }

    private static String extension(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
