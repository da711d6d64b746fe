package io.safetyguard.llamacpp.internal;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.ImagePipeline;
import io.safetyguard.llamacpp.internal.gguf.Float16;
import io.safetyguard.llamacpp.internal.gguf.GgmlType;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.GgufTensorInfo;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import io.safetyguard.llamacpp.internal.vision.ImageTokenLayout;
import io.safetyguard.llamacpp.internal.vision.ImageTokenPlanner;
import io.safetyguard.llamacpp.internal.vision.Preprocess;
import io.safetyguard.llamacpp.internal.vision.Resolution;
import io.safetyguard.llamacpp.internal.vision.VisionGeometry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What the reference image pipeline needs from an mmproj, read in Java before llama.cpp loads anything: the
 * geometry (tile and patch size, pinpoints, {@code image_aspect_ratio}), the normalisation, the pad colour and the
 * {@code v.image_newline} embedding. Refuses projectors the pipeline cannot reproduce, with what to do instead.
 *
 * @param geometry the tiling rule
 * @param mean     per-channel mean ({@code clip.vision.image_mean})
 * @param std      per-channel std ({@code clip.vision.image_std})
 * @param padColor LLaVA-1.5's pad-to-square colour, {@code int(mean * 255)}
 * @param newline  {@code v.image_newline} ({@code embd} floats); null for pad-to-square
 * @param embd     projected embedding width (the text model's)
 */
public record ReferenceVisionSpec(
        VisionGeometry geometry, double[] mean, double[] std, int[] padColor, float[] newline, int embd) {

    /** The anyres_max downscale threshold squared (1.1²): the most cells kept without downscaling, per budget. */
    private static final double DOWNSCALE_SQUARED = 1.1 * 1.1;

    /**
     * Reads the spec from an mmproj whose projection width is {@code textEmbd}.
     *
     * @throws ModelException when the projector is not LLaVA's {@code mlp}, its geometry cannot be planned, or an
     *                        anyres projector lacks a usable {@code v.image_newline}; the message names
     *                        {@link ImagePipeline#LLAMA_CPP} as the fallback
     */
    public static ReferenceVisionSpec read(Path mmproj, int textEmbd) throws ModelException {
        String fallback = " Use LlamaCppConfig.Builder.imagePipeline(ImagePipeline.LLAMA_CPP) to run it with "
                + "libmtmd's own image layout instead.";
        try {
            GgufFile f = GgufReader.read(mmproj);
            String projector = f.findString(ModelKeys.PROJECTOR_TYPE)
                    .or(() -> findString(f, ModelKeys.VISION_PROJECTOR_TYPE))
                    .orElse("");
            if (!ModelKeys.PROJECTOR_MLP.equals(projector)) {
                throw new ModelException(mmproj.getFileName() + ": the reference image pipeline supports the LLaVA "
                        + "projector '" + ModelKeys.PROJECTOR_MLP + "', not '" + projector + "'." + fallback);
            }
            VisionGeometry geometry;
            try {
                geometry = VisionGeometry.fromMmproj(f);
            } catch (IllegalArgumentException e) {
                throw new ModelException(mmproj.getFileName() + ": " + e.getMessage() + "." + fallback, e);
            }
            double[] mean = channels(f, ModelKeys.IMAGE_MEAN, mmproj);
            double[] std = channels(f, ModelKeys.IMAGE_STD, mmproj);
            float[] newline = null;
            if (!geometry.padToSquare()) {
                newline = readNewline(f, textEmbd, mmproj, fallback);
            }
            int[] pad;
            try {
                pad = Preprocess.meanBackground(mean);
            } catch (IllegalArgumentException e) {
                throw new ModelException(mmproj.getFileName() + ": " + e.getMessage(), e);
            }
            return new ReferenceVisionSpec(geometry, mean, std, pad, newline, textEmbd);
        } catch (IOException e) {
            throw new ModelException("cannot read the projector " + mmproj + ": " + e.getMessage(), e);
        }
    }

    /** The reference's layout for a {@code width x height} image. */
    ImageTokenLayout plan(int width, int height) {
        return ImageTokenPlanner.plan(geometry, width, height);
    }

    /**
     * An upper bound of the image tokens of any image size (what the context must hold).
     *
     * <p>Per pinpoint of {@code R x C} feature rows and columns: unpadding only shrinks the map; without the
     * downscale the kept map has at most {@code 1.21 * N * p²} cells (ratio {@code <= 1.1}), with it at most
     * {@code N * p²}; each emitted row adds one newline. So {@code p² + max(min(R*C, 1.21*N*p²) + R)}.
     */
    public int maxImageTokens() {
        int p = geometry.patchesPerSide();
        long base = (long) p * p;
        if (geometry.padToSquare()) {
            return (int) base;
        }
        long budget = geometry.anyresMaxTiles() > 0
                ? (long) Math.ceil(DOWNSCALE_SQUARED * geometry.anyresMaxTiles() * base) + 1
                : Long.MAX_VALUE;
        long worst = 0;
        for (Resolution r : geometry.gridPinpoints()) {
            long rows = (long) (r.height() / geometry.imageSize()) * p;
            long cols = (long) (r.width() / geometry.imageSize()) * p;
            worst = Math.max(worst, Math.min(rows * cols, budget) + rows);
        }
        return (int) Math.min(Integer.MAX_VALUE / 2, base + worst);
    }

    private static java.util.Optional<String> findString(GgufFile f, String key) {
        try {
            return f.findString(key);
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    private static double[] channels(GgufFile f, String key, Path mmproj) throws IOException, ModelException {
        float[] v = f.findFloatArray(key)
                .orElseThrow(() -> new ModelException(mmproj.getFileName() + " has no " + key
                        + "; the reference pipeline needs the normalisation the tower was trained with"));
        if (v.length != 3) {
            throw new ModelException(mmproj.getFileName() + ": " + key + " must have 3 values, has " + v.length);
        }
        double[] out = new double[3];
        for (int i = 0; i < 3; i++) {
            out[i] = v[i];
        }
        return out;
    }

    private static float[] readNewline(GgufFile f, int textEmbd, Path mmproj, String fallback)
            throws IOException, ModelException {
        GgufTensorInfo t = f.tensor(ModelKeys.IMAGE_NEWLINE)
                .orElseThrow(() -> new ModelException(mmproj.getFileName()
                        + " is an anyres projector (pinpoints) without the tensor "
                        + ModelKeys.IMAGE_NEWLINE + ", which the reference layout appends after every row of image "
                        + "features. Re-convert the pair with guard model convert (docs/models.md)." + fallback));
        if (t.elementCount() != textEmbd) {
            throw new ModelException(mmproj.getFileName() + ": " + ModelKeys.IMAGE_NEWLINE + " has " + t.elementCount()
                    + " values but the text model's embedding width is " + textEmbd);
        }
        ByteBuffer b =
                ByteBuffer.wrap(f.readTensorBytes(ModelKeys.IMAGE_NEWLINE)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[textEmbd];
        if (t.type() == GgmlType.F32) {
            b.asFloatBuffer().get(out);
        } else if (t.type() == GgmlType.F16) {
            for (int i = 0; i < textEmbd; i++) {
                out[i] = Float16.toFloat(b.getShort());
            }
        } else {
            throw new ModelException(mmproj.getFileName() + ": " + ModelKeys.IMAGE_NEWLINE + " is " + t.type()
                    + "; only F32 and F16 are supported");
        }
        return out;
    }

    @Override
    public String toString() {
        return "ReferenceVisionSpec[" + geometry.describe() + ", mean=" + Arrays.toString(mean) + ", std="
                + Arrays.toString(std) + "]";
    }
}
