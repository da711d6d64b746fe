package io.safetyguard.llamacpp.tools.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every tensor of a Hugging Face checkpoint folder, from {@code model.safetensors} or from the shards that
 * {@code model.safetensors.index.json} names, with positional reads of their data. Reading needs no more memory
 * than the caller's buffer; the files are opened once and closed with this object.
 */
final class CheckpointTensors implements Closeable {
    static final String SINGLE_FILE = "model.safetensors";
    static final String INDEX_FILE = "model.safetensors.index.json";

    private final Map<String, SafetensorsTensor> tensors;
    private final Map<Path, FileChannel> channels = new HashMap<>();

    private CheckpointTensors(Map<String, SafetensorsTensor> tensors) {
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /**
     * Reads the headers of the checkpoint in {@code dir}.
     *
     * @throws CheckpointException when there are no safetensors weights, a shard is missing or damaged, or the
     *                             index names a tensor its shard lacks
     */
    static CheckpointTensors open(Path dir) throws IOException {
        Path index = dir.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) {
            return new CheckpointTensors(sharded(dir, index));
        }
        Path single = dir.resolve(SINGLE_FILE);
        if (Files.isRegularFile(single)) {
            return new CheckpointTensors(
                    new LinkedHashMap<>(SafetensorsFile.open(single).tensors()));
        }
        throw new CheckpointException(noWeightsMessage(dir));
    }

    /** The tensors by name. */
    Map<String, SafetensorsTensor> all() {
        return tensors;
    }

    /** The tensor called {@code name}, if the checkpoint has it. */
    Optional<SafetensorsTensor> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** Total bytes of tensor data. */
    long totalBytes() {
        return tensors.values().stream()
                .mapToLong(SafetensorsTensor::byteLength)
                .sum();
    }

    /**
     * Reads {@code buf.remaining()} bytes of {@code t}'s data, starting {@code offset} bytes into it.
     *
     * @throws CheckpointException when the file ends early (it shrank since the header was checked)
     */
    void read(SafetensorsTensor t, long offset, ByteBuffer buf) throws IOException {
        if (offset < 0 || offset + buf.remaining() > t.byteLength()) {
            throw new IllegalArgumentException("read outside tensor " + t.name());
        }
        FileChannel ch = channels.get(t.file());
        if (ch == null) {
            ch = FileChannel.open(t.file(), StandardOpenOption.READ);
            channels.put(t.file(), ch);
        }
        long pos = t.dataStart() + offset;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new CheckpointException(t.file() + " ended while reading tensor '" + t.name()
                        + "': the file was truncated while converting");
            }
            pos += n;
        }
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (FileChannel ch : channels.values()) {
            try {
                ch.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        channels.clear();
        if (first != null) {
            throw first;
        }
    }

    private static Map<String, SafetensorsTensor> sharded(Path dir, Path index) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(index.toFile());
        } catch (IOException e) {
            throw new CheckpointException(index + " is not valid JSON: " + e.getMessage(), e);
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject() || weightMap.isEmpty()) {
            throw new CheckpointException(index + " has no \"weight_map\" naming the shard of each tensor");
        }
        // shard file -> the tensors the index puts there, in index order
        Map<String, List<String>> byShard = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new CheckpointException(
                        index + ": weight_map entry '" + e.getKey() + "' is not a file name: " + e.getValue());
            }
            String shard = e.getValue().asText();
            if (shard.contains("/") || shard.contains("\\") || shard.startsWith(".")) {
                throw new CheckpointException(index + ": weight_map entry '" + e.getKey()
                        + "' names a file outside the checkpoint folder: " + shard);
            }
            byShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(e.getKey());
        }
        List<String> missing = new ArrayList<>();
        for (String shard : byShard.keySet()) {
            if (!Files.isRegularFile(dir.resolve(shard))) {
                missing.add(shard + " (" + byShard.get(shard).size() + " tensors)");
            }
        }
        if (!missing.isEmpty()) {
            throw new CheckpointException(dir + ": missing shard" + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", missing) + ", named by " + INDEX_FILE
                    + "; download the complete checkpoint");
        }
        Map<String, SafetensorsTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : byShard.entrySet()) {
            SafetensorsFile shard = SafetensorsFile.open(dir.resolve(e.getKey()));
            for (String name : e.getValue()) {
                SafetensorsTensor t = shard.tensors().get(name);
                if (t == null) {
                    throw new CheckpointException(INDEX_FILE + " puts tensor '" + name + "' in " + e.getKey()
                            + ", but that shard has no such tensor; the shard or the index is from another "
                            + "download");
                }
                out.put(name, t);
            }
        }
        return out;
    }

    private static String noWeightsMessage(Path dir) throws IOException {
        List<String> found = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    String n = p.getFileName().toString();
                    if (n.endsWith(".safetensors") || n.endsWith(".bin") || n.endsWith(".pt") || n.endsWith(".pth")) {
                        found.add(n);
                    }
                }
            }
        }
        Collections.sort(found);
        if (found.stream().anyMatch(n -> n.endsWith(".safetensors"))) {
            return dir + " has safetensors shards " + found + " but no " + INDEX_FILE
                    + " saying which tensor is where; download it too";
        }
        return dir + " has neither " + SINGLE_FILE + " nor " + INDEX_FILE
                + (found.isEmpty()
                        ? ""
                        : " (found " + found + ": PyTorch pickle checkpoints are not read; use the -hf "
                                + "repository's safetensors files)")
                + "; pass the folder of a Hugging Face checkpoint as published";
    }
}
