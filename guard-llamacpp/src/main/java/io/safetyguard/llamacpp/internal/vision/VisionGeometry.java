package io.safetyguard.llamacpp.internal.vision;

import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a LLaVA-family vision tower sees an image: the tile it encodes, its patch grid, and how an image of any
 * size becomes tiles.
 *
 * <p>Two layouts exist:
 * <ul>
 *   <li><b>anyres</b> (LLaVA-NeXT, LLaVA-OneVision): the image is fitted into the best of the
 *       {@link #gridPinpoints() grid pinpoints}, cut into tiles of {@link #imageSize()} pixels, and preceded by an
 *       overview ("base") tile of the whole image. With {@link #anyresMaxTiles()} {@code > 0} (OneVision's
 *       {@code anyres_max_9}) the unpadded tile features are bilinearly downscaled when they exceed about that many
 *       tiles' worth of features.</li>
 *   <li><b>pad to square</b> (LLaVA-1.5, LlavaGuard v1.0/v1.1 7B/13B): the image is padded to a square with the mean
 *       colour and resized to one tile.</li>
 * </ul>
 *
 * @param imageSize      side of one tile in pixels ({@code clip.vision.image_size}), 1..{@value #MAX_IMAGE_SIZE}
 * @param patchSize      side of one ViT patch in pixels ({@code clip.vision.patch_size}), 1..imageSize
 * @param gridPinpoints  anyres candidate resolutions in the reference's order (the order breaks ties); every side a
 *                       multiple of {@code imageSize}, at most {@value #MAX_PINPOINT_SIDE}; empty when
 *                       {@code padToSquare}
 * @param anyresMaxTiles N of {@code anyres_max_N}; 0 for plain anyres (no downscale) and for pad-to-square
 * @param padToSquare    LLaVA-1.5 layout: one tile, image padded to a square first
 */
public record VisionGeometry(
        int imageSize, int patchSize, List<Resolution> gridPinpoints, int anyresMaxTiles, boolean padToSquare) {

    /** Largest tile side accepted. */
    public static final int MAX_IMAGE_SIZE = 8192;
    /** Largest pinpoint side accepted (keeps every token count far inside {@code int}). */
    public static final int MAX_PINPOINT_SIDE = 32768;
    /** Largest N accepted in {@code anyres_max_N}. */
    public static final int MAX_ANYRES_TILES = 4096;

    private static final Pattern ANYRES_MAX = Pattern.compile("anyres_max_(\\d{1,9})");

    public VisionGeometry {
        Objects.requireNonNull(gridPinpoints, "gridPinpoints");
        gridPinpoints = List.copyOf(gridPinpoints);
        if (imageSize <= 0 || imageSize > MAX_IMAGE_SIZE) {
            throw new IllegalArgumentException("image size must be 1.." + MAX_IMAGE_SIZE + " px, got " + imageSize);
        }
        if (patchSize <= 0 || patchSize > imageSize) {
            throw new IllegalArgumentException(
                    "patch size must be 1..image size (" + imageSize + "), got " + patchSize);
        }
        if (anyresMaxTiles < 0 || anyresMaxTiles > MAX_ANYRES_TILES) {
            throw new IllegalArgumentException(
                    "anyres_max tile count must be 0.." + MAX_ANYRES_TILES + ", got " + anyresMaxTiles);
        }
        if (padToSquare) {
            if (!gridPinpoints.isEmpty()) {
                throw new IllegalArgumentException(
                        "pad-to-square geometry takes no grid pinpoints, got " + gridPinpoints);
            }
            if (anyresMaxTiles != 0) {
                throw new IllegalArgumentException(
                        "pad-to-square geometry has no anyres_max rule, got " + anyresMaxTiles);
            }
        } else if (gridPinpoints.isEmpty()) {
            throw new IllegalArgumentException("anyres geometry needs at least one grid pinpoint"
                    + " (use pad-to-square for a single-tile model)");
        }
        for (Resolution r : gridPinpoints) {
            Objects.requireNonNull(r, "grid pinpoint");
            if (r.width() > MAX_PINPOINT_SIDE || r.height() > MAX_PINPOINT_SIDE) {
                throw new IllegalArgumentException("grid pinpoint " + r + " exceeds " + MAX_PINPOINT_SIDE + " px");
            }
            if (r.width() % imageSize != 0 || r.height() % imageSize != 0) {
                throw new IllegalArgumentException(
                        "grid pinpoint " + r + " is not a whole number of " + imageSize + " px tiles");
            }
        }
    }

    /**
     * LlavaGuard v1.2 (LLaVA-OneVision, SigLIP-so400m-patch14-384): 384 px tiles of 27x27 = 729 patches, the 36
     * pinpoints (1..6)x(1..6) x 384 in the order of {@code LlavaOnevisionImageProcessor}, {@code anyres_max_9}.
     */
    public static VisionGeometry llavaOneVisionSiglip384() {
        return new VisionGeometry(384, 14, squareGrid(384, 6), 9, false);
    }

    /** LlavaGuard v1.0/v1.1 7B/13B (LLaVA-1.5, CLIP ViT-L/14-336): one 336 px tile, 24x24 = 576 tokens, padded. */
    public static VisionGeometry llava15Clip336() {
        return new VisionGeometry(336, 14, List.of(), 0, true);
    }

    /**
     * LLaVA-1.6 (LLaVA-NeXT, CLIP ViT-L/14-336, the base of LlavaGuard v1.0-34B): plain anyres over the five
     * pinpoints 672x336, 336x672, 672x672, 336x1008, 1008x336 (given as {@code [height, width]}
     * {@code [336,672],[672,336],[672,672],[1008,336],[336,1008]}).
     */
    public static VisionGeometry llavaNextClip336() {
        return new VisionGeometry(
                336,
                14,
                List.of(
                        Resolution.ofHeightWidth(336, 672),
                        Resolution.ofHeightWidth(672, 336),
                        Resolution.ofHeightWidth(672, 672),
                        Resolution.ofHeightWidth(1008, 336),
                        Resolution.ofHeightWidth(336, 1008)),
                0,
                false);
    }

    /**
     * From the values an mmproj GGUF carries.
     *
     * @param imageSize        {@code clip.vision.image_size}
     * @param patchSize        {@code clip.vision.patch_size}
     * @param pinpoints        {@code clip.vision.image_grid_pinpoints}, flat; may be empty. The pairs are read in the
     *                         order llama.cpp's converters copy them from the Hugging Face configuration, i.e.
     *                         {@code [h0, w0, h1, w1, ...]}. (llama.cpp itself reads each pair as width, height;
     *                         for the transposition-symmetric LLaVA-NeXT and OneVision lists this picks the same set
     *                         of resolutions.)
     * @param imageAspectRatio {@code clip.vision.image_aspect_ratio} if present: {@code pad}, {@code anyres} or
     *                         {@code anyres_max_N}; {@code null} or blank means {@code pad} without pinpoints and
     *                         plain {@code anyres} with them
     */
    public static VisionGeometry fromMmprojMetadata(
            int imageSize, int patchSize, List<Integer> pinpoints, String imageAspectRatio) {
        Objects.requireNonNull(pinpoints, "pinpoints");
        if (pinpoints.size() % 2 != 0) {
            throw new IllegalArgumentException(
                    "image_grid_pinpoints must hold [height, width] pairs, got " + pinpoints.size() + " values");
        }
        List<Resolution> pairs = new ArrayList<>(pinpoints.size() / 2);
        for (int i = 0; i < pinpoints.size(); i += 2) {
            Integer h = pinpoints.get(i);
            Integer w = pinpoints.get(i + 1);
            if (h == null || w == null) {
                throw new IllegalArgumentException("image_grid_pinpoints contains a null value");
            }
            pairs.add(Resolution.ofHeightWidth(h, w));
        }
        String mode = imageAspectRatio == null ? "" : imageAspectRatio.trim().toLowerCase(Locale.ROOT);
        if (mode.isEmpty()) {
            mode = pairs.isEmpty() ? "pad" : "anyres";
        }
        if (mode.equals("pad")) {
            // LLaVA's own process_images checks "pad" before any anyres handling: pinpoints are then unused.
            return new VisionGeometry(imageSize, patchSize, List.of(), 0, true);
        }
        int max;
        if (mode.equals("anyres")) {
            max = 0;
        } else {
            Matcher m = ANYRES_MAX.matcher(mode);
            if (!m.matches()) {
                throw new IllegalArgumentException("unsupported image_aspect_ratio '" + imageAspectRatio
                        + "': expected pad, anyres or anyres_max_N");
            }
            max = Integer.parseInt(m.group(1));
            if (max == 0) {
                throw new IllegalArgumentException("anyres_max_0 is not a valid image_aspect_ratio");
            }
        }
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("image_aspect_ratio '" + imageAspectRatio
                    + "' needs clip.vision.image_grid_pinpoints, which the mmproj does not have");
        }
        return new VisionGeometry(imageSize, patchSize, pairs, max, false);
    }

    /**
     * Reads the geometry from an mmproj's metadata: {@code clip.vision.image_size}, {@code patch_size},
     * {@code image_grid_pinpoints} and {@code image_aspect_ratio}.
     *
     * @throws IOException              when a required key is missing or has the wrong type
     * @throws IllegalArgumentException when the values do not make a geometry (see
     *                                  {@link #fromMmprojMetadata(int, int, List, String)})
     */
    public static VisionGeometry fromMmproj(GgufFile mmproj) throws IOException {
        // u32 values beyond int range saturate, so the range checks below reject them with a clear message
        int imageSize = (int) Math.min(Integer.MAX_VALUE, mmproj.getU32(ModelKeys.IMAGE_SIZE));
        int patchSize = (int) Math.min(Integer.MAX_VALUE, mmproj.getU32(ModelKeys.PATCH_SIZE));
        int[] pinpoints = mmproj.findInt32Array(ModelKeys.IMAGE_GRID_PINPOINTS).orElse(new int[0]);
        String aspect = mmproj.findString(ModelKeys.IMAGE_ASPECT_RATIO).orElse(null);
        return fromMmprojMetadata(imageSize, patchSize, pinpoints, aspect);
    }

    /** As {@link #fromMmprojMetadata(int, int, List, String)} with a flat {@code int[]} of pinpoints. */
    public static VisionGeometry fromMmprojMetadata(
            int imageSize, int patchSize, int[] pinpoints, String imageAspectRatio) {
        Objects.requireNonNull(pinpoints, "pinpoints");
        List<Integer> list = new ArrayList<>(pinpoints.length);
        for (int p : pinpoints) {
            list.add(p);
        }
        return fromMmprojMetadata(imageSize, patchSize, list, imageAspectRatio);
    }

    /**
     * The grid {@code [tile*i, tile*j]} for i, j in 1..n, in the order LLaVA-OneVision lists it (height-major):
     * {@code (1x1), (1x2), ... (1xn), (2x1), ...}.
     */
    public static List<Resolution> squareGrid(int tile, int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("grid size must be positive, got " + n);
        }
        List<Resolution> out = new ArrayList<>(n * n);
        for (int i = 1; i <= n; i++) {
            for (int j = 1; j <= n; j++) {
                out.add(Resolution.ofHeightWidth(Math.multiplyExact(tile, i), Math.multiplyExact(tile, j)));
            }
        }
        return List.copyOf(out);
    }

    /** Whether images are tiled over the grid pinpoints. */
    public boolean isAnyres() {
        return !padToSquare;
    }

    /** Patches along one side of a tile: {@code imageSize / patchSize} (SigLIP-384/14: 27; CLIP-336/14: 24). */
    public int patchesPerSide() {
        return imageSize / patchSize;
    }

    /**
     * Image tokens one tile yields: {@code patchesPerSide()²} (729 for SigLIP-384, 576 for CLIP-336; CLIP's class
     * token is dropped by the LLaVA "default" feature selection, SigLIP has none).
     */
    public int tokensPerTile() {
        return patchesPerSide() * patchesPerSide();
    }

    /** The most grid tiles any pinpoint yields (0 for pad-to-square). */
    public int maxGridTiles() {
        int max = 0;
        for (Resolution r : gridPinpoints) {
            max = Math.max(max, (r.width() / imageSize) * (r.height() / imageSize));
        }
        return max;
    }

    /** The reference's name for the layout: {@code pad}, {@code anyres} or {@code anyres_max_N}. */
    public String aspectRatioMode() {
        if (padToSquare) {
            return "pad";
        }
        return anyresMaxTiles == 0 ? "anyres" : "anyres_max_" + anyresMaxTiles;
    }

    /** E.g. {@code 384px/14 anyres_max_9 over 36 pinpoints (729 tokens/tile)}. */
    public String describe() {
        return imageSize + "px/" + patchSize + " " + aspectRatioMode()
                + (padToSquare ? "" : " over " + gridPinpoints.size() + " pinpoints") + " (" + tokensPerTile()
                + " tokens/tile)";
    }
}
