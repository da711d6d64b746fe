package io.safetyguard.llamacpp.internal.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Recognises the files people pass by mistake instead of a GGUF file, so the error can say what to do. */
final class FileSignature {
    private FileSignature() {}

    /**
     * Describes a file that does not start with {@code GGUF}.
     *
     * @param head the first bytes of the file (up to 64)
     * @param size the file size
     * @return the problem text, without the file name
     */
    static String notGguf(byte[] head, long size) {
        String magic = magic(head);
        String guess = guess(head, size);
        String base = "not a GGUF file (magic " + magic + "; expected 'GGUF')";
        if (guess == null) {
            return base + ". Did you pass a safetensors/PyTorch checkpoint? LlavaGuard needs a GGUF text model and "
                    + "its GGUF mmproj: convert the Hugging Face checkpoint folder with "
                    + "'guard model convert HF_DIR --out DIR' (docs/models.md)";
        }
        return base + ": it looks like " + guess + ". Convert the Hugging Face checkpoint folder with "
                + "'guard model convert HF_DIR --out DIR' (docs/models.md)";
    }

    private static String guess(byte[] h, long size) {
        String text = new String(h, StandardCharsets.ISO_8859_1);
        String lower = text.stripLeading().toLowerCase(Locale.ROOT);
        if (startsWith(h, 'P', 'K', 3, 4)) {
            return "a ZIP archive, e.g. a PyTorch checkpoint (.bin/.pt); convert the model to GGUF with "
                    + "llama.cpp's conversion scripts";
        }
        if (h.length >= 2 && (h[0] & 0xFF) == 0x80 && h[1] >= 2 && h[1] <= 5) {
            return "a Python pickle (an old PyTorch checkpoint); convert the model to GGUF first";
        }
        if (isSafetensors(h, size)) {
            return "a safetensors checkpoint; convert the model to GGUF first";
        }
        if (lower.startsWith("version https://git-lfs")) {
            return "a Git LFS pointer, not the model itself; run 'git lfs pull' or download the file directly";
        }
        if (lower.startsWith("<!doctype") || lower.startsWith("<html")) {
            return "an HTML page: the download saved an error or login page instead of the model";
        }
        if (lower.startsWith("{")) {
            return "a JSON file (config.json?), not model weights";
        }
        if (text.startsWith("lmgg") || text.startsWith("fmgg") || text.startsWith("tjgg")) {
            return "an old GGML/GGMF/GGJT model, which llama.cpp no longer loads; re-convert the original model "
                    + "to GGUF";
        }
        return null;
    }

    // safetensors: u64 little-endian header length, then a JSON header starting with '{'
    private static boolean isSafetensors(byte[] h, long size) {
        if (h.length < 9) {
            return false;
        }
        long headerLen = ByteBuffer.wrap(h, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return headerLen > 1 && headerLen < size && h[8] == '{';
    }

    private static boolean startsWith(byte[] h, int... prefix) {
        if (h.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (h[i] != (byte) prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String magic(byte[] h) {
        StringBuilder hex = new StringBuilder("0x");
        StringBuilder chars = new StringBuilder();
        for (int i = 0; i < Math.min(4, h.length); i++) {
            hex.append(String.format("%02X", h[i] & 0xFF));
            chars.append(h[i] >= 0x20 && h[i] < 0x7F ? (char) h[i] : '.');
        }
        return hex + " '" + chars + "'";
    }
}
