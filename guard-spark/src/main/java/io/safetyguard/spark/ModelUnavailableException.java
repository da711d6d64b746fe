package io.safetyguard.spark;

/**
 * The executor could not load the job's model (or reach its servers). Thrown by tasks; the driver
 * recognises it by name and cancels the whole job at the first occurrence, instead of letting Spark
 * retry every task against a model that will not load.
 */
public final class ModelUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ModelUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
