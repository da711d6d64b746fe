package io.safetyguard.examples.filter;

/** How an image is placed in its output folder. */
public enum PlacementMode {
    /** An independent copy (timestamps kept): the output survives deleting the input. */
    COPY,
    /** A symbolic link to the input file (absolute path): no extra disk space, the input must stay. */
    SYMLINK
}
