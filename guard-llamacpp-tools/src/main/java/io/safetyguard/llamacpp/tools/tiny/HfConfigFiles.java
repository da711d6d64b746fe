package io.safetyguard.llamacpp.tools.tiny;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON files of a LLaVA-family checkpoint besides the weights and tokenizer: {@code config.json},
 * {@code generation_config.json}, {@code preprocessor_config.json}, {@code processor_config.json} and
 * {@code chat_template.json}, with the fields the published llava-hf / LlavaGuard {@code -hf} checkpoints carry.
 *
 * <p>Like transformers' {@code save_pretrained}, the sub-configs leave out fields equal to their class default
 * (e.g. SigLIP's {@code layer_norm_eps} 1e-6 and {@code hidden_act}, Qwen2's {@code rms_norm_eps}, Llama's
 * {@code rope_theta} 10000), so a reader must apply transformers' defaults for absent fields. The top level of a
 * OneVision config keeps {@code tie_word_embeddings: false} even for the tied 0.5B model (its conversion script
 * never sets it); tying is decided by {@code text_config.tie_word_embeddings} and shows as a missing output matrix.
 */
final class HfConfigFiles {
    private static final double RESCALE = 1 / 255.0;
    private static final int RESAMPLE_BICUBIC = 3;
    private static final List<Double> SIGLIP_MEAN_STD = List.of(0.5, 0.5, 0.5);
    private static final List<Double> CLIP_MEAN = List.of(0.48145466, 0.4578275, 0.40821073);
    private static final List<Double> CLIP_STD = List.of(0.26862954, 0.26130258, 0.27577711);
    // written in the spirit of the published templates: images first in a turn, then the text
    private static final String CHATML_TEMPLATE = "{% for message in messages %}"
            + "{{ '<|im_start|>' + message['role'] + '\\n' }}"
            + "{% for item in message['content'] if item['type'] == 'image' %}{{ '<image>\\n' }}{% endfor %}"
            + "{% for item in message['content'] if item['type'] == 'video' %}{{ '<video>\\n' }}{% endfor %}"
            + "{% for item in message['content'] if item['type'] == 'text' %}{{ item['text'] }}{% endfor %}"
            + "{{ '<|im_end|>\\n' }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    private static final String LLAVA_TEMPLATE = "{% for message in messages %}"
            + "{% if message['role'] != 'system' %}{{ message['role'].upper() + ': ' }}{% endif %}"
            + "{% for item in message['content'] if item['type'] == 'image' %}{{ '<image>\\n' }}{% endfor %}"
            + "{% for item in message['content'] if item['type'] == 'text' %}{{ item['text'] + ' ' }}{% endfor %}"
            + "{% endfor %}{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}";

    private final SyntheticCheckpointOptions o;
    private final HfArchitecture arch;
    private final SyntheticDims d;

    HfConfigFiles(SyntheticCheckpointOptions options) {
        this.o = options;
        this.arch = options.architecture();
        this.d = options.dims();
    }

    /** Writes the five files into {@code dir}. */
    void writeTo(Path dir) throws IOException {
        write(dir.resolve("config.json"), config());
        write(dir.resolve("generation_config.json"), generationConfig());
        write(dir.resolve("preprocessor_config.json"), preprocessorConfig());
        write(dir.resolve("processor_config.json"), processorConfig());
        write(dir.resolve("chat_template.json"), Map.of("chat_template", chatTemplate()));
    }

    private static void write(Path file, Map<String, Object> json) throws IOException {
        Files.writeString(file, PythonJson.dumps(json), StandardCharsets.UTF_8);
    }

    Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architectures", List.of(arch.className()));
        c.put("model_type", arch.modelType());
        c.put("image_token_index", arch.imageTokenIndex());
        c.put("projector_hidden_act", "gelu");
        c.put("vision_feature_layer", arch.visionFeatureLayer());
        c.put("vision_feature_select_strategy", arch.visionFeatureSelectStrategy());
        c.put("text_config", textConfig());
        c.put("vision_config", visionConfig());
        c.put("torch_dtype", o.dtype().torchName());
        c.put("transformers_version", o.layout().transformersVersion());
        if (o.layout() == HfKeyLayout.LEGACY) {
            c.put("ignore_index", -100); // later versions' config classes no longer have it
        }
        if (arch == HfArchitecture.LLAVA_ONEVISION) {
            c.put("video_token_index", arch.extraTokenIndex());
            c.put("vision_aspect_ratio", "anyres_max_9");
            c.put("image_grid_pinpoints", d.pinpoints());
            c.put("use_image_newline_parameter", true);
            c.put("tie_word_embeddings", false);
        } else {
            c.put("pad_token_id", arch.extraTokenIndex());
            c.put("image_seq_length", d.patchesPerTile());
            c.put("tie_word_embeddings", o.tiedEmbeddings());
            if (o.layout() == HfKeyLayout.CURRENT) {
                c.put("multimodal_projector_bias", true);
            }
        }
        return c;
    }

    private Map<String, Object> textConfig() {
        boolean qwen = arch == HfArchitecture.LLAVA_ONEVISION;
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("_name_or_path", qwen ? "Qwen/Qwen2-0.5B-Instruct" : "lmsys/vicuna-7b-v1.5");
        t.put("architectures", List.of(arch.textClassName()));
        t.put("model_type", arch.textModelType());
        t.put("torch_dtype", o.dtype().torchName());
        t.put("vocab_size", d.vocabSize());
        // the rest only where it differs from Qwen2Config's / LlamaConfig's defaults, as save_pretrained writes it
        putUnlessDefault(t, "hidden_size", d.textHidden(), 4096);
        putUnlessDefault(t, "intermediate_size", d.textIntermediate(), qwen ? 22016 : 11008);
        putUnlessDefault(t, "num_hidden_layers", d.textLayers(), 32);
        putUnlessDefault(t, "num_attention_heads", d.textHeads(), 32);
        putUnlessDefault(t, "num_key_value_heads", d.textKvHeads(), 32);
        putUnlessDefault(t, "max_position_embeddings", d.maxPositions(), qwen ? 32768 : 2048);
        putUnlessDefault(t, "rms_norm_eps", d.rmsNormEps(), 1e-6);
        putUnlessDefault(t, "rope_theta", d.ropeTheta(), 10_000.0);
        putUnlessDefault(t, "tie_word_embeddings", o.tiedEmbeddings(), false);
        if (qwen) {
            t.put("bos_token_id", arch.bosTokenId());
            t.put("eos_token_id", arch.eosTokenId());
            putUnlessDefault(t, "max_window_layers", d.textLayers(), 28);
            t.put("sliding_window", d.maxPositions());
        }
        return t;
    }

    private Map<String, Object> visionConfig() {
        boolean siglip = arch == HfArchitecture.LLAVA_ONEVISION;
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("model_type", arch.visionModelType());
        putUnlessDefault(v, "hidden_size", d.visionHidden(), 768);
        putUnlessDefault(v, "intermediate_size", d.visionIntermediate(), 3072);
        putUnlessDefault(v, "num_hidden_layers", d.visionLayers(), 12);
        putUnlessDefault(v, "num_attention_heads", d.visionHeads(), 12);
        putUnlessDefault(v, "image_size", d.imageSize(), 224);
        putUnlessDefault(v, "patch_size", d.patchSize(), siglip ? 16 : 32);
        putUnlessDefault(v, "layer_norm_eps", d.visionLayerNormEps(), siglip ? 1e-6 : 1e-5);
        if (siglip) {
            v.put("vision_use_head", false); // OneVision drops SigLIP's pooling head
        } else {
            v.put("projection_dim", 768);
        }
        return v;
    }

    private static void putUnlessDefault(Map<String, Object> m, String key, Object value, Object classDefault) {
        if (!value.equals(classDefault)) {
            m.put(key, value);
        }
    }

    Map<String, Object> generationConfig() {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("_from_model_config", true);
        g.put("bos_token_id", arch.bosTokenId());
        g.put("eos_token_id", arch.eosTokenId());
        if (arch == HfArchitecture.LLAVA) {
            g.put("pad_token_id", arch.extraTokenIndex());
        }
        g.put("transformers_version", o.layout().transformersVersion());
        return g;
    }

    Map<String, Object> preprocessorConfig() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("do_convert_rgb", true);
        p.put("do_normalize", true);
        p.put("do_rescale", true);
        p.put("do_resize", true);
        p.put("resample", RESAMPLE_BICUBIC);
        p.put("rescale_factor", RESCALE);
        if (arch == HfArchitecture.LLAVA_ONEVISION) {
            p.put("do_pad", true);
            p.put("image_grid_pinpoints", d.pinpoints());
            p.put("image_mean", SIGLIP_MEAN_STD);
            p.put("image_std", SIGLIP_MEAN_STD);
            p.put("image_processor_type", "LlavaOnevisionImageProcessor");
            p.put("processor_class", "LlavaOnevisionProcessor");
            p.put("size", Map.of("height", d.imageSize(), "width", d.imageSize()));
        } else {
            p.put("do_center_crop", true);
            p.put("crop_size", Map.of("height", d.imageSize(), "width", d.imageSize()));
            p.put("image_mean", CLIP_MEAN);
            p.put("image_std", CLIP_STD);
            p.put("image_processor_type", "CLIPImageProcessor");
            p.put("processor_class", "LlavaProcessor");
            p.put("size", Map.of("shortest_edge", d.imageSize()));
        }
        return p;
    }

    Map<String, Object> processorConfig() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("image_token", "<image>");
        p.put("vision_feature_select_strategy", arch.visionFeatureSelectStrategy());
        if (arch == HfArchitecture.LLAVA_ONEVISION) {
            p.put("num_image_tokens", d.patchesPerTile());
            p.put("processor_class", "LlavaOnevisionProcessor");
            p.put("video_token", "<video>");
        } else {
            p.put("num_additional_image_tokens", 1);
            p.put("patch_size", d.patchSize());
            p.put("processor_class", "LlavaProcessor");
        }
        return p;
    }

    String chatTemplate() {
        return arch == HfArchitecture.LLAVA_ONEVISION ? CHATML_TEMPLATE : LLAVA_TEMPLATE;
    }
}
