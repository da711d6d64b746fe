package io.safetyguard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import io.safetyguard.llamacpp.internal.vision.ImageTokenLayout;
import io.safetyguard.llamacpp.internal.vision.ImageTokenPlanner;
import io.safetyguard.llamacpp.internal.vision.VisionGeometry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code guard model image-tokens}: the reference token layout of images of given sizes for an mmproj. */
@Command(
        name = "image-tokens",
        mixinStandardHelpOptions = true,
        description = {
            "Print, for each image size, how many image tokens the Hugging Face reference (LLaVA-OneVision "
                    + "anyres / LLaVA-1.5 pad) gives and how: best resolution, tile grid, unpadded and packed feature "
                    + "rows x cols, newline and base tokens. Read from the mmproj's metadata; nothing is loaded.",
            "Example: guard model image-tokens --mmproj mmproj.gguf 640x480 8000x6000"
        })
final class ImageTokensCommand implements Callable<Integer> {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,9})[xX](\\d{1,9})");

    @Option(names = "--mmproj", required = true, paramLabel = "FILE", description = "The vision projector GGUF.")
    Path mmproj;

    @Option(names = "--json", description = "Print a JSON array instead of a table.")
    boolean json;

    @Parameters(paramLabel = "WxH", arity = "1..*", description = "Image sizes in pixels, e.g. 640x480.")
    List<String> sizes = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(mmproj)) {
            throw new BadInputException(mmproj + ": no such file");
        }
        VisionGeometry geometry = geometry(GgufReader.read(mmproj));
        List<ImageTokenLayout> layouts = new ArrayList<>();
        for (String s : sizes) {
            int[] wh = parseSize(s);
            layouts.add(ImageTokenPlanner.plan(geometry, wh[0], wh[1]));
        }
        PrintStream out = System.out;
        if (json) {
            out.println(toJson(geometry, layouts));
        } else {
            printTable(out, geometry, layouts);
        }
        return ExitCodes.OK;
    }

    private VisionGeometry geometry(GgufFile f) throws IOException {
        if (!ModelKeys.CLIP_ARCHITECTURE.equals(
                f.findString(ModelKeys.ARCHITECTURE).orElse(""))) {
            throw new BadInputException(mmproj + " is not an mmproj (general.architecture is not 'clip'); "
                    + "give the vision projector file");
        }
        try {
            return VisionGeometry.fromMmproj(f);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(mmproj + ": " + e.getMessage(), e);
        }
    }

    static int[] parseSize(String s) {
        Matcher m = SIZE.matcher(s.trim());
        if (!m.matches()) {
            throw new BadInputException("'" + s + "' is not an image size; write WIDTHxHEIGHT, e.g. 640x480");
        }
        int w = Integer.parseInt(m.group(1));
        int h = Integer.parseInt(m.group(2));
        if (w <= 0 || h <= 0) {
            throw new BadInputException("'" + s + "': width and height must be positive");
        }
        return new int[] {w, h};
    }

    private static void printTable(PrintStream out, VisionGeometry g, List<ImageTokenLayout> layouts) {
        out.println(g.describe());
        out.printf(
                Locale.ROOT,
                "%-12s %7s  %-10s %-6s %-9s %-9s %-9s %8s %5s%n",
                "size",
                "tokens",
                "best",
                "grid",
                "features",
                "unpadded",
                "packed",
                "newlines",
                "base");
        for (ImageTokenLayout l : layouts) {
            out.printf(
                    Locale.ROOT,
                    "%-12s %7d  %-10s %-6s %-9s %-9s %-9s %8d %5d%n",
                    l.imageWidth() + "x" + l.imageHeight(),
                    l.totalTokens(),
                    l.bestResolution().width() + "x" + l.bestResolution().height(),
                    l.gridRows() + "x" + l.gridCols(),
                    l.featureRows() + "x" + l.featureCols(),
                    l.unpaddedRows() + "x" + l.unpaddedCols(),
                    l.packedRows() + "x" + l.packedCols() + (l.downscaled() ? "*" : ""),
                    l.newlineTokens(),
                    l.baseTokens());
        }
        out.println("(grid, features, unpadded and packed are rows x cols; best is width x height; "
                + "* = anyres_max bilinear downscale)");
    }

    private static String toJson(VisionGeometry g, List<ImageTokenLayout> layouts) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode arr = mapper.createArrayNode();
        for (ImageTokenLayout l : layouts) {
            ObjectNode o = arr.addObject();
            o.put("width", l.imageWidth());
            o.put("height", l.imageHeight());
            o.put("totalTokens", l.totalTokens());
            o.put("layout", g.aspectRatioMode());
            o.put("bestWidth", l.bestResolution().width());
            o.put("bestHeight", l.bestResolution().height());
            o.put("gridRows", l.gridRows());
            o.put("gridCols", l.gridCols());
            o.put("featureRows", l.featureRows());
            o.put("featureCols", l.featureCols());
            o.put("unpaddedRows", l.unpaddedRows());
            o.put("unpaddedCols", l.unpaddedCols());
            o.put("downscaled", l.downscaled());
            o.put("packedRows", l.packedRows());
            o.put("packedCols", l.packedCols());
            o.put("newlineTokens", l.newlineTokens());
            o.put("baseTokens", l.baseTokens());
            o.put("gridTokens", l.gridTokens());
            o.put("tiles", l.tileCount());
        }
        return mapper.writeValueAsString(arr);
    }
}
