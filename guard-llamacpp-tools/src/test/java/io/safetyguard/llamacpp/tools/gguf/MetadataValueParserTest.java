package io.safetyguard.llamacpp.tools.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetadataValueParserTest {

    @Test
    void scalarsKeepTheirExactType() {
        assertThat(MetadataValueParser.parse("u32:26")).isEqualTo(GgufValue.uint32(26));
        assertThat(MetadataValueParser.parse("i32:-1")).isEqualTo(GgufValue.int32(-1));
        assertThat(MetadataValueParser.parse("u64:18446744073709551615")).isEqualTo(GgufValue.uint64(-1L));
        assertThat(MetadataValueParser.parse("f32:1e-6")).isEqualTo(GgufValue.float32(1e-6f));
        assertThat(MetadataValueParser.parse("bool:TRUE")).isEqualTo(GgufValue.bool(true));
        assertThat(MetadataValueParser.parse("str: two words: a:b ")).isEqualTo(GgufValue.string(" two words: a:b "));
    }

    @Test
    void arraysSplitOnCommas() {
        assertThat(MetadataValueParser.parse("arr[i32]:384, 384,384,768"))
                .isEqualTo(GgufValue.int32Array(384, 384, 384, 768));
        assertThat(MetadataValueParser.parse("arr[f32]:0.5,0.5,0.5"))
                .isEqualTo(GgufValue.float32Array(0.5f, 0.5f, 0.5f));
        assertThat(MetadataValueParser.parse("arr[str]:a,b c")).isEqualTo(GgufValue.stringArray(List.of("a", "b c")));
        assertThat(MetadataValueParser.parse("arr[i32]:").length()).isZero();
    }

    @Test
    void badValuesSayWhatIsWrong() {
        assertThatThrownBy(() -> MetadataValueParser.parse("u32:-1")).hasMessageContaining("out of range for u32");
        assertThatThrownBy(() -> MetadataValueParser.parse("f32:NaN")).hasMessageContaining("not a finite number");
        assertThatThrownBy(() -> MetadataValueParser.parse("arr[i32]:1,x"))
                .hasMessageContaining("'x' is not a valid i32");
        assertThatThrownBy(() -> MetadataValueParser.parse("arr[arr]:1")).hasMessageContaining("unknown type 'arr'");
        assertThatThrownBy(() -> MetadataValueParser.parse("26")).hasMessageContaining("no type");
    }
}
