package io.safetyguard.core.image;

import java.io.EOFException;
import java.io.IOException;
import java.util.Objects;
import javax.imageio.IIOException;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * The encoded bytes as an {@link javax.imageio.stream.ImageInputStream} that limits how often a
 * decoder may read past their end.
 *
 * <p>The TwelveMonkeys WebP lossless reader treats the end of the data as an endless supply of
 * bits: its bit reader catches the {@code EOFException} and carries on. An 83-byte VP8L file that
 * declares an 8x8 image and thousands of Huffman code groups made it read past the end 12 million
 * times, for 20 to 30 seconds, and then return an image of invented pixels (found by {@code
 * ImageDecoderFuzzTest}). Valid files read past the end too, but only a bounded number of times
 * per pixel: the bit reader looks 8 bytes ahead, and a Huffman code with a single symbol takes no
 * bits, so an image of one colour is decoded entirely "past the end". Measured on cwebp 1.2.4
 * files: up to 4 reads per pixel plus at most 68; the format allows about 7 per pixel when every
 * transform is used. So the limit is {@value #MAX_READS_PAST_END} reads while the header is parsed,
 * then {@value #MAX_READS_PAST_END} + {@value #READS_PAST_END_PER_PIXEL} per declared pixel; beyond
 * it the data counts as truncated ({@link IIOException}, not an {@code EOFException}, so a reader
 * cannot swallow it). The work a file can cause this way is then proportional to the pixels it
 * declares, which {@link ImageLimits#maxPixels()} bounds; docs/reliability.md gives the figures.
 *
 * <p>Reaching the end costs no stack trace either, since some readers do it once per pixel.
 */
final class EndGuardedImageInputStream extends ImageInputStreamImpl {

    static final int MAX_READS_PAST_END = 256;
    static final int READS_PAST_END_PER_PIXEL = 8;

    private final byte[] data;
    private long maxReadsPastEnd = MAX_READS_PAST_END;
    private long readsPastEnd;

    EndGuardedImageInputStream(byte[] data) {
        this.data = Objects.requireNonNull(data, "data");
    }

    /** Raises the limit once the header's dimensions have passed the {@link ImageLimits}. */
    void allowPixels(long pixels) {
        maxReadsPastEnd = MAX_READS_PAST_END + READS_PAST_END_PER_PIXEL * Math.max(0, pixels);
    }

    /** How often the decoder has read past the end so far. */
    long readsPastEnd() {
        return readsPastEnd;
    }

    @Override
    public int read() throws IOException {
        checkClosed();
        if (streamPos >= data.length) {
            pastEnd();
            return -1;
        }
        bitOffset = 0;
        return data[(int) streamPos++] & 0xFF;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        checkClosed();
        Objects.checkFromIndexSize(offset, length, buffer.length);
        if (length == 0) {
            return 0;
        }
        if (streamPos >= data.length) {
            pastEnd();
            return -1;
        }
        int n = (int) Math.min(data.length - streamPos, length);
        bitOffset = 0;
        System.arraycopy(data, (int) streamPos, buffer, offset, n);
        streamPos += n;
        return n;
    }

    @Override
    public byte readByte() throws IOException {
        int b = read();
        if (b < 0) {
            throw new EndOfData();
        }
        return (byte) b;
    }

    @Override
    public int readUnsignedByte() throws IOException {
        int b = read();
        if (b < 0) {
            throw new EndOfData();
        }
        return b;
    }

    private void pastEnd() throws IIOException {
        if (++readsPastEnd > maxReadsPastEnd) {
            throw new IIOException("the data ends early: the decoder read past the end of the " + data.length
                    + " bytes more than " + maxReadsPastEnd + " times");
        }
    }

    @Override
    public long length() {
        return data.length;
    }

    @Override
    public boolean isCached() {
        return true;
    }

    @Override
    public boolean isCachedMemory() {
        return true;
    }

    /** An {@link EOFException} without a stack trace, which would cost more than the decoding. */
    private static final class EndOfData extends EOFException {
        EndOfData() {
            super("end of the image data");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
