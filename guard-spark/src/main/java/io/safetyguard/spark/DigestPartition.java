package io.safetyguard.spark;

import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The first pass over the input: each path with the SHA-256 of its bytes (from the {@code content}
 * column of Spark's {@code binaryFile} source, or read through Hadoop's FileSystem), or the reason
 * the file could not be read. Identical images are then judged once.
 */
final class DigestPartition implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    static final String READ_ERROR = "read_error";

    static final StructType SCHEMA = DataTypes.createStructType(new org.apache.spark.sql.types.StructField[] {
        DataTypes.createStructField(VerdictColumns.PATH, DataTypes.StringType, false),
        DataTypes.createStructField(VerdictColumns.DIGEST, DataTypes.StringType, true),
        DataTypes.createStructField(READ_ERROR, DataTypes.StringType, true)
    });

    private final HadoopFiles files;
    private final boolean fromContent;

    DigestPartition(HadoopFiles files, boolean fromContent) {
        this.files = files;
        this.fromContent = fromContent;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public Row next() {
                Row in = rows.next();
                String path = files.qualify(in.getString(0));
                try {
                    String digest = fromContent && !in.isNullAt(1)
                            ? HadoopFiles.digest((byte[]) in.get(1))
                            : files.digest(path);
                    return RowFactory.create(path, digest, null);
                } catch (Exception e) {
                    return RowFactory.create(path, null, "cannot read " + path + ": " + message(e));
                }
            }
        };
    }

    static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
