package io.safetyguard.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
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
 * The README's Java quick start compiles against the current API: its imports stay imports and its
 * statements become the body of one method. It is not run (its model files are placeholders); the same
 * calls run for real in the integration tests.
 */
class ReadmeQuickStartTest {

    private static final Path README = Path.of("..", "README.md");

    @TempDir
    Path out;

    @Test
    void theJavaQuickStartCompiles() throws IOException {
        String snippet = firstJavaBlock(Files.readString(README));
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : snippet.split("\n", -1)) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        String source = imports + "class QuickStart {\n    void run() throws Exception {\n" + body + "    }\n}\n";

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
                .as("the README quick start compiles:%n%s%n%s", diagnostics, source)
                .isTrue();
    }

    @Test
    void theFirstJavaBlockIsTheSnippet() {
        assertThat(firstJavaBlock("text\n```java\nint x = 1;\n```\nmore")).isEqualTo("int x = 1;\n");
    }

    static String firstJavaBlock(String markdown) {
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(markdown);
        assertThat(m.find()).as("a ```java block in README.md").isTrue();
        return m.group(1);
    }

    private static final class Source extends SimpleJavaFileObject {
        private final String code;

        Source(String code) {
            super(URI.create("string:///QuickStart.java"), Kind.SOURCE);
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }
}
