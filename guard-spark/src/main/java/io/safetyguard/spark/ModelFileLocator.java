package io.safetyguard.spark;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.spark.SparkFiles;

/**
 * Finds a model file on an executor: a local path (a mount every executor sees), a Hadoop URI
 * (hdfs://, s3a://, ...: copied once into a local folder, since llama.cpp maps local files), or a
 * file name shipped with {@code spark-submit --files} (then in the executor's work folder).
 */
final class ModelFileLocator {

    private ModelFileLocator() {}

    static Path locate(String name, HadoopFiles files) throws IOException {
        URI uri = toUri(name);
        if (uri != null && uri.getScheme() != null && !uri.getScheme().equals("file")) {
            return copyToLocal(name, files);
        }
        Path local = uri != null && "file".equals(uri.getScheme()) ? Paths.get(uri) : Paths.get(name);
        if (Files.isRegularFile(local)) {
            return local;
        }
        if (local.getFileName() != null && local.getNameCount() == 1) {
            Path shipped = shipped(local.getFileName().toString());
            if (shipped != null) {
                return shipped;
            }
        }
        throw new IOException("model file " + name + " is not on this executor (" + host()
                + "): give a path every executor can read, a Hadoop URI (hdfs://, s3a://), "
                + "or ship the file with spark-submit --files and give its name");
    }

    private static Path shipped(String fileName) {
        try {
            Path p = Paths.get(SparkFiles.get(fileName));
            return Files.isRegularFile(p) ? p : null;
        } catch (RuntimeException e) {
            return null; // no SparkEnv (outside a job): nothing was shipped
        }
    }

    private static Path copyToLocal(String name, HadoopFiles files) throws IOException {
        org.apache.hadoop.fs.Path source = new org.apache.hadoop.fs.Path(name);
        Path dir = Files.createTempDirectory("safetyguard-model-");
        Path target = dir.resolve(source.getName());
        source.getFileSystem(files.conf())
                .copyToLocalFile(false, source, new org.apache.hadoop.fs.Path(target.toUri()), true);
        target.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        return target;
    }

    private static URI toUri(String name) {
        try {
            URI u = new URI(name);
            return u.getScheme() != null && u.getScheme().length() > 1 ? u : null; // "C:" is a drive, not a scheme
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown host";
        }
    }
}
