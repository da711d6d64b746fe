package io.safetyguard.llamacpp.internal.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.llamacpp.tools.gguf.GgufWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Typed getters accept exactly the type llama.cpp asserts and name key, expected and actual type otherwise. */
class GgufFileGettersTest {

    @TempDir
    Path dir;

    private GgufFile f;

    @BeforeEach
    void write() throws Exception {
        Path file = dir.resolve("m.gguf");
        new GgufWriter(file)
                .putString("general.architecture", "llama")
                .putU32("llama.embedding_length", 4096)
                .putI32("llama.signed", -3)
                .put("llama.wide", GgufValue.uint64(1L << 40))
                .put("llama.long", GgufValue.int64(-5))
                .putF32("eps", 1e-6f)
                .put("f64", GgufValue.float64(2.5))
                .putBool("flag", true)
                .put("pins", GgufValue.int32Array(28, 56))
                .put("pins.u32", GgufValue.uint32Array(new int[] {28, 56}))
                .put("mean", GgufValue.float32Array(0.5f, 0.5f, 0.5f))
                .put("tokens", GgufValue.stringArray(List.of("a", "b")))
                .put("small", GgufValue.uint8(7))
                .write();
        f = GgufReader.read(file);
    }

    @Test
    void gettersReturnValuesOfTheRightType() throws Exception {
        assertThat(f.architecture()).contains("llama");
        assertThat(f.getString("general.architecture")).isEqualTo("llama");
        assertThat(f.getU32("llama.embedding_length")).isEqualTo(4096);
        assertThat(f.findU32("llama.embedding_length")).hasValue(4096);
        assertThat(f.getI32("llama.signed")).isEqualTo(-3);
        assertThat(f.findI32("llama.signed")).hasValue(-3);
        assertThat(f.getU64("llama.wide")).isEqualTo(1L << 40);
        assertThat(f.getI64("llama.long")).isEqualTo(-5);
        assertThat(f.getF32("eps")).isEqualTo(1e-6f);
        assertThat(f.findF32("eps")).contains(1e-6f);
        assertThat(f.getF64("f64")).isEqualTo(2.5);
        assertThat(f.getBool("flag")).isTrue();
        assertThat(f.findBool("flag")).contains(true);
        assertThat(f.getInt32Array("pins")).containsExactly(28, 56);
        assertThat(f.findInt32Array("pins"))
                .hasValueSatisfying(a -> assertThat(a).containsExactly(28, 56));
        assertThat(f.getFloatArray("mean")).containsExactly(0.5f, 0.5f, 0.5f);
        assertThat(f.getStringArray("tokens")).containsExactly("a", "b");
        assertThat(f.getArray("pins.u32").toIntArray()).containsExactly(28, 56);
        assertThat(f.get("small").longValue()).isEqualTo(7);
    }

    @Test
    void absentKeysAreEmptyForFindAndAnErrorForGet() throws Exception {
        assertThat(f.findString("nope")).isEmpty();
        assertThat(f.findU32("nope")).isEmpty();
        assertThat(f.findI32("nope")).isEmpty();
        assertThat(f.findF32("nope")).isEmpty();
        assertThat(f.findBool("nope")).isEmpty();
        assertThat(f.findArray("nope")).isEmpty();
        assertThat(f.findInt32Array("nope")).isEmpty();
        assertThat(f.findFloatArray("nope")).isEmpty();
        assertThat(f.findStringArray("nope")).isEmpty();
        assertThatThrownBy(() -> f.getU32("llama.block_count"))
                .isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("m.gguf: required key 'llama.block_count' is missing");
    }

    @Test
    void typeMismatchesNameKeyExpectedAndActualType() {
        assertThatThrownBy(() -> f.getU32("llama.signed"))
                .isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("key 'llama.signed' has type i32 but llama.cpp reads it as u32");
        assertThatThrownBy(() -> f.findU32("small")).hasMessageContaining("has type u8 but llama.cpp reads it as u32");
        assertThatThrownBy(() -> f.getI32("llama.embedding_length"))
                .hasMessageContaining("has type u32 but llama.cpp reads it as i32");
        assertThatThrownBy(() -> f.getString("llama.embedding_length")).hasMessageContaining("as str");
        assertThatThrownBy(() -> f.getBool("small")).hasMessageContaining("as bool");
        assertThatThrownBy(() -> f.getF32("f64")).hasMessageContaining("type f64 but llama.cpp reads it as f32");
        assertThatThrownBy(() -> f.getInt32Array("pins.u32"))
                .hasMessageContaining("key 'pins.u32' has type arr[u32,2] but llama.cpp reads it as arr[i32]");
        assertThatThrownBy(() -> f.getFloatArray("pins"))
                .hasMessageContaining("arr[i32,2]")
                .hasMessageContaining("arr[f32]");
        assertThatThrownBy(() -> f.getStringArray("general.architecture"))
                .hasMessageContaining("type str but llama.cpp reads it as arr[str]");
        assertThatThrownBy(() -> f.getArray("flag"))
                .hasMessageContaining("type bool but llama.cpp reads it as an array");
    }

    @Test
    void valueAccessorsOfTheWrongKindAreProgrammingErrors() {
        GgufValue v = f.metadata().get("llama.embedding_length");
        assertThatThrownBy(v::stringValue)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("u32");
        assertThatThrownBy(v::length).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> f.metadata().get("tokens").toIntArray()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void metadataAndTensorViewsAreUnmodifiable() {
        assertThatThrownBy(() -> f.metadata().put("x", GgufValue.bool(true)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> f.getStringArray("tokens").set(0, "z"))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
