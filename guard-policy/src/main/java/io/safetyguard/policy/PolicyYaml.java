package io.safetyguard.policy;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactoryBuilder;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.CharArrayReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;

/**
 * Jackson's YAML support as policy files use it, with explicit limits for untrusted text.
 *
 * <ul>
 *   <li>SnakeYAML's code point limit is set to {@link PolicyFiles#MAX_POLICY_CHARS} (its default is
 *       3 MiB). {@link PolicyFiles} also checks the length before parsing, because SnakeYAML only
 *       checks between tokens and scanning one long scalar costs time quadratic in its length.
 *   <li>Aliases ({@code *name}) are refused. Jackson reads YAML event by event and does not expand
 *       them: it would silently put the anchor's name where the value belongs. So there is no
 *       "billion laughs" expansion to bound, and SnakeYAML's alias and nesting limits, which its
 *       Composer enforces, never run; refusing aliases keeps it that way if the parser changes.
 *   <li>Nesting needs no limit of its own: every policy field is text or a flat list or map of
 *       text, so a nested value fails at its first bracket, and Jackson's stream read constraints
 *       bound the rest.
 * </ul>
 */
final class PolicyYaml {

    private PolicyYaml() {}

    /** The factory for reading and writing policy YAML. */
    static YAMLFactory factory() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(PolicyFiles.MAX_POLICY_CHARS);
        return new Factory(YAMLFactory.builder()
                .loaderOptions(options)
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE));
    }

    /** A YAML feature policy files do not support; the message says what to write instead. */
    static final class UnsupportedYamlException extends JsonParseException {
        private static final long serialVersionUID = 1L;

        UnsupportedYamlException(JsonParser parser, String message, com.fasterxml.jackson.core.JsonLocation location) {
            super(parser, message, location);
        }
    }

    /** Creates {@link AliasRefusingParser}s; everything else as {@link YAMLFactory}. */
    private static final class Factory extends YAMLFactory {
        private static final long serialVersionUID = 1L;

        Factory(YAMLFactoryBuilder builder) {
            super(builder);
        }

        @Override
        protected YAMLParser _createParser(Reader reader, IOContext context) throws IOException {
            return new AliasRefusingParser(
                    context, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, reader);
        }

        @Override
        protected YAMLParser _createParser(char[] data, int offset, int length, IOContext context, boolean recyclable)
                throws IOException {
            return _createParser(new CharArrayReader(data, offset, length), context);
        }

        @Override
        protected YAMLParser _createParser(InputStream in, IOContext context) throws IOException {
            return _createParser(_createReader(in, null, context), context);
        }

        @Override
        protected YAMLParser _createParser(byte[] data, int offset, int length, IOContext context) throws IOException {
            return _createParser(_createReader(data, offset, length, null, context), context);
        }
    }

    private static final class AliasRefusingParser extends YAMLParser {
        AliasRefusingParser(
                IOContext context,
                int parserFeatures,
                int formatFeatures,
                LoaderOptions options,
                ObjectCodec codec,
                Reader reader) {
            super(context, parserFeatures, formatFeatures, options, codec, reader);
        }

        @Override
        protected Event getEvent() throws IOException {
            Event event = super.getEvent();
            if (event instanceof AliasEvent) {
                String anchor = ((AliasEvent) event).getAnchor();
                if (anchor != null && anchor.length() > 40) {
                    anchor = anchor.substring(0, 40) + "...";
                }
                throw new UnsupportedYamlException(
                        this,
                        "YAML aliases (*" + anchor + ") are not supported"
                                + " in policy files; write the value out in full",
                        _locationFor(event.getStartMark()));
            }
            return event;
        }
    }
}
