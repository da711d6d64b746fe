package io.safetyguard.cli.audit;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link SourceScanner} found.
 *
 * @param images   the files to assess, absolute and normalised, each once, in a deterministic order
 *                 (sources in argument order; each folder's files sorted by path; list files in
 *                 line order). Listed files that do not exist are included: the audit reports them
 *                 as errors.
 * @param skipped  files that are not images (see {@link ImageFiles}) and were left out
 * @param warnings problems that did not stop the scan, e.g. a sub-folder that could not be read
 */
public record ScanResult(List<Path> images, int skipped, List<String> warnings) {
    public ScanResult {
        images = List.copyOf(images);
        warnings = List.copyOf(warnings);
    }
}
