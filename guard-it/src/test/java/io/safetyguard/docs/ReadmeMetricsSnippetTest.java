package io.safetyguard.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.core.FakeSafetyModel;
import io.safetyguard.core.spi.SafetyModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Metrics snippet compiles against the current API and runs: its imports stay imports,
 * its statements become the body of {@code run(SafetyModel model)}, which is called with the scripted
 * test model (the snippet's image file does not exist, so it also exercises the failure event).
 */
class ReadmeMetricsSnippetTest {

    private static final Path README = Path.of("..", "README.md");

    @TempDir
    Path out;

    @Test
    void theMetricsSnippetCompilesAndRuns() throws Exception {
        String snippet = javaBlockAfter(Files.readString(README), "### Metrics");
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : snippet.split("\n", -1)) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        String source = imports + "public class MetricsSnippet {\n"
                + "    public static void run(io.safetyguard.core.spi.SafetyModel model) throws Exception {\n" + body
                + "    }\n}\n";
        compile(source);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {out.toUri().toURL()}, getClass().getClassLoader())) {
            loader.loadClass("MetricsSnippet")
                    .getMethod("run", SafetyModel.class)
                    .invoke(null, new FakeSafetyModel());
        } finally {
            System.setErr(stderr);
        }
        // the snippet's own listener heard the failure (its image file does not exist)
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("IMAGE_REJECTED: generated.png");
    }

    @Test
    void theBlockAfterTheHeadingIsFound() {
        assertThat(javaBlockAfter("```java\na\n```\n### Metrics\ntext\n```java\nb\n```\n", "### Metrics"))
                .isEqualTo("b\n");
    }

    static String javaBlockAfter(String markdown, String heading) {
        int at = markdown.indexOf("\n" + heading + "\n");
        assertThat(at).as("a '%s' heading in README.md", heading).isNotNegative();
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(markdown);
        assertThat(m.find(at)).as("a ```java block after '%s'", heading).isTrue();
        return m.group(1);
    }

    private void compile(String source) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        Boolean ok = javac.getTask(
                        diagnostics,
                        null,
                        null,
                        List.of(
                                "-d",
                                out.toString(),
                                "-classpath",
                                System.getProperty("java.class.path"),
                                "-proc:none",
                                "-Xlint:none"),
                        null,
                        List.of(new Source(source)))
                .call();
        assertThat(ok)
                .as("the README Metrics snippet compiles:%n%s%n%s", diagnostics, source)
                .isTrue();
    }

    private static final class Source extends SimpleJavaFileObject {
        private final String code;

        Source(String code) {
            super(URI.create("string:///MetricsSnippet.java"), Kind.SOURCE);
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }
}
