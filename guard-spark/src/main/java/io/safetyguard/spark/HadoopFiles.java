package io.safetyguard.spark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads images and model files through Hadoop's {@link FileSystem}, so local paths, HDFS, S3A and
 * the other file systems of the cluster work alike. Carries the driver's Hadoop settings (the
 * {@code spark.hadoop.*} ones: credentials, endpoints) to the executors.
 */
final class HadoopFiles implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Map<String, String> settings;
    private transient Configuration conf;

    private HadoopFiles(Map<String, String> settings) {
        this.settings = settings;
    }

    /** The settings of {@code conf} (the driver's {@code sparkContext().hadoopConfiguration()}). */
    static HadoopFiles of(Configuration conf) {
        Map<String, String> map = new HashMap<>();
        conf.forEach(e -> map.put(e.getKey(), e.getValue()));
        return new HadoopFiles(map);
    }

    synchronized Configuration conf() {
        if (conf == null) {
            Configuration c = new Configuration(false);
            settings.forEach(c::set);
            conf = c;
        }
        return conf;
    }

    /**
     * The path in the file system's full form ({@code file:/data/a.png}, {@code hdfs://nn/data/a.png}),
     * so a path list and a folder listing name the same file alike (resume matches on it). A path
     * that cannot be qualified is kept as given; reading it then reports why.
     */
    String qualify(String path) {
        try {
            Path p = new Path(path);
            return p.getFileSystem(conf()).makeQualified(p).toString();
        } catch (IOException | RuntimeException e) {
            return path;
        }
    }

    /** Hex SHA-256 of the file's bytes, streamed (the file may be of any size). */
    String digest(String path) throws IOException {
        MessageDigest md = sha256();
        Path p = new Path(path);
        try (InputStream in = p.getFileSystem(conf()).open(p)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * The file's bytes, at most {@code limit + 1} of them: a longer file is cut there, so the
     * guard's own size check rejects it without this reading gigabytes into memory.
     */
    byte[] read(String path, long limit) throws IOException {
        Path p = new Path(path);
        try (InputStream in = p.getFileSystem(conf()).open(p)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            long left = limit + 1;
            for (int n; left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0; ) {
                out.write(buf, 0, n);
                left -= n;
            }
            return out.toByteArray();
        }
    }

    static String digest(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
