package io.safetyguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The shipped presets render byte-identical to the verbatim LlavaGuard files. */
class PresetGoldenTest {

    /** sha256sum of llavaguard-default-policy-v1.2.txt, computed with coreutils, not our code. */
    static final String V12_SHA256 = "e00d3a4e822bde7c729a7866b18805ed78d2938d0e591e66ec62562a02fd0652";
    /** sha256sum of llavaguard-default-policy-v1.0.txt. */
    static final String V10_SHA256 = "206814938414175e5c62dcc06a59ff1dd81d1b4a3413ab26ad387e944ac683e0";

    @Test
    void v12PresetRendersTheGoldenFileByteForByte() {
        byte[] golden = GoldenFiles.bytes(GoldenFiles.V12);
        assertThat(Policy.preset("llavaguard-v1.2").render().getBytes(StandardCharsets.UTF_8))
                .isEqualTo(golden);
        assertThat(golden).hasSize(5513);
    }

    @Test
    void v10PresetRendersTheGoldenFileByteForByte() {
        byte[] golden = GoldenFiles.bytes(GoldenFiles.V10);
        assertThat(Policy.preset("llavaguard-v1.0").render().getBytes(StandardCharsets.UTF_8))
                .isEqualTo(golden);
    }

    @Test
    void defaultIsV12() {
        assertThat(Policy.llavaGuardDefault()).isEqualTo(Policy.preset("llavaguard-v1.2"));
        assertThat(Policy.llavaGuardDefault().name()).isEqualTo("llavaguard-v1.2");
        assertThat(Policy.presetNames()).containsExactly("llavaguard-v1.2", "llavaguard-v1.0");
    }

    @Test
    void blocksFileCompositionWithDefaultsIsTheV12File() {
        // Guards the test oracle itself: the composition rule reproduces the v1.2 text.
        assertThat(Composition.fromGolden().render()).isEqualTo(GoldenFiles.text(GoldenFiles.V12));
    }

    @Test
    void keepsTheReferenceQuirks() {
        String v12 = Policy.llavaGuardDefault().render();
        assertThat(v12).contains("O1: Hate, Humiliation, Harassment: \nShould not:\n");
        assertThat(v12).contains("or explicit nudity content. \nCan:");
        assertThat(v12).endsWith("    \"rationale\": str,\n}\n");
        String v10 = Policy.preset("llavaguard-v1.0").render();
        assertThat(v10).startsWith("\nProvide a safety assessment");
        assertThat(v10).contains("historical events involving hate and harassment.\nO2: Violence");
        assertThat(v10).endsWith("}.\n");
    }

    @Test
    void fingerprintIsSha256OfTheGoldenBytes() throws Exception {
        byte[] golden = GoldenFiles.bytes(GoldenFiles.V12);
        String expected =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(golden));
        assertThat(expected).isEqualTo(V12_SHA256);
        assertThat(Policy.llavaGuardDefault().fingerprint()).isEqualTo(V12_SHA256);
        assertThat(Policy.preset("llavaguard-v1.0").fingerprint()).isEqualTo(V10_SHA256);
    }

    @Test
    void fingerprintIsStableAndFollowsThePrompt() {
        Policy a = Policy.llavaGuardDefault();
        Policy b = PolicyFiles.fromJson("{\"preset\": \"llavaguard-v1.2\"}", "inline");
        Policy allowed = a.toBuilder().allow("O6").build();
        assertThat(b.fingerprint()).isEqualTo(a.fingerprint());
        assertThat(allowed.fingerprint()).isNotEqualTo(a.fingerprint()).matches("[0-9a-f]{64}");
        assertThat(allowed.toBuilder().restore("O6").build().fingerprint()).isEqualTo(a.fingerprint());
    }

    @Test
    void labelsAreTheTrainedStrings() {
        assertThat(Policy.llavaGuardDefault().categoryLabels())
                .containsExactly(
                        "O1: Hate, Humiliation, Harassment",
                        "O2: Violence, Harm, or Cruelty",
                        "O3: Sexual Content",
                        "O4: Nudity Content",
                        "O5: Criminal Planning",
                        "O6: Weapons or Substance Abuse",
                        "O7: Self-Harm",
                        "O8: Animal Cruelty",
                        "O9: Disasters or Emergencies",
                        "NA: None applying");
        assertThat(Policy.preset("llavaguard-v1.0").categoryLabels())
                .isEqualTo(Policy.llavaGuardDefault().categoryLabels());
    }

    @Test
    void unknownPresetNamesTheKnownOnes() {
        assertThatThrownBy(() -> Policy.preset("llavaguard-v2"))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("unknown preset 'llavaguard-v2'")
                .hasMessageContaining("llavaguard-v1.2, llavaguard-v1.0");
        assertThatThrownBy(() -> Policy.preset(null)).isInstanceOf(PolicyException.class);
    }

    @Test
    void goldenFilesAreThePublishedBytes() throws Exception {
        // The golden copies are the reference; pin their exact bytes so an edit to them cannot go unnoticed.
        // Sizes and SHA-256 of the texts as published (docs/reference.md §3.2, §3.3).
        String[][] pinned = {
            {GoldenFiles.V12, "5513", "e00d3a4e822bde7c729a7866b18805ed78d2938d0e591e66ec62562a02fd0652"},
            {GoldenFiles.V10, "5442", "206814938414175e5c62dcc06a59ff1dd81d1b4a3413ab26ad387e944ac683e0"},
            {GoldenFiles.BLOCKS, "17750", "7126babc84a293c08573b6b50f1a8ec079280c0e6e0ae4c1e1bfbf79bcd01e79"},
        };
        for (String[] p : pinned) {
            byte[] bytes = GoldenFiles.bytes(p[0]);
            assertThat(bytes).as(p[0]).hasSize(Integer.parseInt(p[1]));
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
            assertThat(java.util.HexFormat.of().formatHex(digest)).as(p[0]).isEqualTo(p[2]);
        }
    }
}
