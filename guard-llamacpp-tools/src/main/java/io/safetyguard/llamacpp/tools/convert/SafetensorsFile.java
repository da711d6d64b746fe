package io.safetyguard.llamacpp.tools.convert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of one {@code .safetensors} file: a little-endian u64 length, that many bytes of JSON mapping each
 * tensor name to its dtype, shape and {@code [begin, end)} offsets in the data area that follows. Only the header is
 * read; every declared range is checked against the file size, against the other tensors and, for the supported
 * dtypes, against the shape, so that reading the data later cannot run past the file or mix two tensors.
 */
final class SafetensorsFile {
    /** The format's own limit on the header (safetensors refuses larger ones). */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final String METADATA_KEY = "__metadata__";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final Map<String, SafetensorsTensor> tensors;

    private SafetensorsFile(Path path, Map<String, SafetensorsTensor> tensors) {
        this.path = path;
        this.tensors = tensors;
    }

    /** The file. */
    Path path() {
        return path;
    }

    /** Its tensors by name, in header order. */
    Map<String, SafetensorsTensor> tensors() {
        return tensors;
    }

    /**
     * Reads and checks the header of {@code path}.
     *
     * @throws CheckpointException when the file is missing, shorter than its header says, or declares ranges that
     *                             leave the file, overlap, or do not fit the shape
     */
    static SafetensorsFile open(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new CheckpointException(path + ": no such file");
        }
        long fileSize = Files.size(path);
        byte[] headerBytes;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            if (fileSize < Long.BYTES) {
                throw new CheckpointException(path + " has " + fileSize
                        + " bytes, too few for a safetensors file (the header length alone takes 8); "
                        + "the download is probably incomplete");
            }
            ByteBuffer len = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long headerLength = len.flip().getLong();
            if (headerLength < 0 || headerLength > fileSize - Long.BYTES) {
                throw new CheckpointException(path + ": the header claims " + Long.toUnsignedString(headerLength)
                        + " bytes but the file has only " + (fileSize - Long.BYTES)
                        + " after the length field; the file is truncated or not a safetensors file");
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw new CheckpointException(path + ": the header claims " + headerLength
                        + " bytes, more than the safetensors limit of " + MAX_HEADER_BYTES
                        + "; not a safetensors file");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(ch, header, Long.BYTES);
            headerBytes = header.array();
        } catch (NoSuchFileException e) {
            throw new CheckpointException(path + ": no such file", e);
        }
        long dataStart = Long.BYTES + (long) headerBytes.length;
        return new SafetensorsFile(path, parse(path, headerBytes, dataStart, fileSize - dataStart));
    }

    private static Map<String, SafetensorsTensor> parse(Path path, byte[] header, long dataStart, long dataSize)
            throws CheckpointException {
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (JsonProcessingException e) {
            throw new CheckpointException(
                    path + ": the header is not valid JSON (" + e.getOriginalMessage()
                            + "); not a safetensors file, or a damaged one",
                    e);
        } catch (IOException e) {
            throw new CheckpointException(path + ": cannot parse the header: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(path + ": the header is not a JSON object; not a safetensors file");
        }
        Map<String, SafetensorsTensor> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals(METADATA_KEY)) {
                continue; // free-form strings (e.g. {"format": "pt"}); nothing the conversion needs
            }
            tensors.put(e.getKey(), tensor(path, e.getKey(), e.getValue(), dataStart, dataSize));
        }
        checkNoOverlap(path, tensors);
        return tensors;
    }

    private static SafetensorsTensor tensor(Path path, String name, JsonNode node, long dataStart, long dataSize)
            throws CheckpointException {
        String where = path.getFileName() + ": tensor '" + name + "'";
        if (!node.isObject()
                || !node.path("dtype").isTextual()
                || !node.path("shape").isArray()
                || !node.path("data_offsets").isArray()
                || node.path("data_offsets").size() != 2) {
            throw new CheckpointException(
                    where + " has no valid dtype, shape and data_offsets in the header: " + abbreviate(node));
        }
        JsonNode shapeNode = node.get("shape");
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw new CheckpointException(where + " has an invalid shape " + shapeNode);
            }
            shape[i] = d.asLong();
        }
        JsonNode offsets = node.get("data_offsets");
        if (!offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
            throw new CheckpointException(where + " has invalid data_offsets " + offsets);
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw new CheckpointException(where + " has invalid data_offsets " + offsets);
        }
        if (end > dataSize) {
            throw new CheckpointException(where + " ends at byte " + end + " of the data, but the file holds only "
                    + dataSize + " bytes of data: the file is truncated (download it again)");
        }
        String dtype = node.get("dtype").asText();
        SafetensorsTensor t = new SafetensorsTensor(name, dtype, shape, path, dataStart + begin, end - begin);
        if (t.dtype().isPresent()) {
            long elements;
            try {
                elements = t.elements();
            } catch (ArithmeticException e) {
                throw new CheckpointException(where + " has an impossible shape " + shapeNode, e);
            }
            long expected = elements * t.dtype().get().bytes();
            if (expected != t.byteLength()) {
                throw new CheckpointException(where + " has shape " + t.shapeText() + " of " + dtype + " (" + expected
                        + " bytes) but its data_offsets span " + t.byteLength() + " bytes");
            }
        }
        return t;
    }

    private static void checkNoOverlap(Path path, Map<String, SafetensorsTensor> tensors) throws CheckpointException {
        List<SafetensorsTensor> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(SafetensorsTensor::dataStart));
        for (int i = 1; i < sorted.size(); i++) {
            SafetensorsTensor prev = sorted.get(i - 1);
            SafetensorsTensor cur = sorted.get(i);
            if (cur.byteLength() > 0 && prev.dataStart() + prev.byteLength() > cur.dataStart()) {
                throw new CheckpointException(path.getFileName() + ": the data of tensors '" + prev.name() + "' and '"
                        + cur.name() + "' overlap; the header is damaged");
            }
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new CheckpointException("unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }

    private static String abbreviate(JsonNode node) {
        String s = String.valueOf(node);
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
