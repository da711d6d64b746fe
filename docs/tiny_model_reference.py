#!/usr/bin/env python3
# SafetyGuard's own reference script (gguf-py, from the llama.cpp tree's gguf-py; needs numpy and pyyaml):
# the keys, tensor names and shapes a tiny random LLaVA-style pair needs. It was checked to load and run with
# llama.cpp v0.4.0 (llama-mtmd-cli and the C API) when the native backend was designed (docs/llamacpp.md §4.3).
# Reference only: the build never runs it. The project writes its test models in Java
# (guard-llamacpp-tools, io.safetyguard.llamacpp.tools.tiny.TinyModelGenerator), and TinyModelGeneratorTest
# checks that they have exactly the keys, tensors, shapes and types this script writes.
# Generate a tiny random-weight LLaVA-style model pair:
#   text GGUF (arch llama or qwen2, vocab copied from a vocab-only GGUF)
#   mmproj GGUF (CLIP/SigLIP-like ViT + 2-layer MLP projector, projector_type "mlp")
import sys, argparse
import numpy as np
from gguf import GGUFWriter, GGUFReader, GGUFValueType

ap = argparse.ArgumentParser()
ap.add_argument("--vocab", required=True)        # e.g. models/ggml-vocab-llama-spm.gguf
ap.add_argument("--arch", default="llama")       # llama | qwen2
ap.add_argument("--out-text", required=True)
ap.add_argument("--out-mmproj", required=True)
ap.add_argument("--n-embd", type=int, default=64)
ap.add_argument("--n-layer", type=int, default=2)
ap.add_argument("--pinpoints", action="store_true")  # llava-1.6 style anyres grid
ap.add_argument("--siglip", action="store_true")     # no class embd / pre-ln (SigLIP-like)
ap.add_argument("--seed", type=int, default=42)
ap.add_argument("--v-layer", type=int, default=2)
ap.add_argument("--feature-layer", type=int, default=-1)
a = ap.parse_args()
rng = np.random.default_rng(a.seed)

def rnd(*shape, dtype=np.float32, scale=0.02):
    return (rng.standard_normal(shape) * scale).astype(dtype)

# ---------------- text model ----------------
vr = GGUFReader(a.vocab)
w = GGUFWriter(a.out_text, a.arch)
A = a.arch
n_embd, n_layer, n_head, n_ff, n_ctx = a.n_embd, a.n_layer, 4, 2 * a.n_embd, 4096
w.add_uint32(f"{A}.context_length", n_ctx)
w.add_uint32(f"{A}.embedding_length", n_embd)
w.add_uint32(f"{A}.block_count", n_layer)
w.add_uint32(f"{A}.feed_forward_length", n_ff)
w.add_uint32(f"{A}.attention.head_count", n_head)
w.add_uint32(f"{A}.attention.head_count_kv", n_head)
w.add_float32(f"{A}.attention.layer_norm_rms_epsilon", 1e-6)
if A == "qwen2":
    w.add_float32(f"{A}.rope.freq_base", 1000000.0)
w.add_uint32("general.file_type", 1)
n_vocab = None
for k, f in vr.fields.items():
    if not k.startswith("tokenizer."):
        continue
    vt = f.types[0]
    if vt == GGUFValueType.ARRAY:
        val = f.contents()
        if k == "tokenizer.ggml.tokens":
            n_vocab = len(val)
        w.add_key_value(k, val, vt, f.types[-1])
    else:
        w.add_key_value(k, f.contents(), vt)
assert n_vocab
w.add_tensor("token_embd.weight", rnd(n_vocab, n_embd, dtype=np.float16))
w.add_tensor("output_norm.weight", np.ones(n_embd, np.float32))
for i in range(n_layer):
    p = f"blk.{i}."
    w.add_tensor(p + "attn_norm.weight", np.ones(n_embd, np.float32))
    for t in ("attn_q", "attn_k", "attn_v", "attn_output"):
        w.add_tensor(p + t + ".weight", rnd(n_embd, n_embd, dtype=np.float16))
    if A == "qwen2":
        for t in ("attn_q", "attn_k", "attn_v"):
            w.add_tensor(p + t + ".bias", rnd(n_embd))
    w.add_tensor(p + "ffn_norm.weight", np.ones(n_embd, np.float32))
    w.add_tensor(p + "ffn_gate.weight", rnd(n_ff, n_embd, dtype=np.float16))
    w.add_tensor(p + "ffn_up.weight", rnd(n_ff, n_embd, dtype=np.float16))
    w.add_tensor(p + "ffn_down.weight", rnd(n_embd, n_ff, dtype=np.float16))
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()

# ---------------- mmproj (clip) ----------------
rng = np.random.default_rng(a.seed + 1)
m = GGUFWriter(a.out_mmproj, "clip")
v_embd, v_head, v_ff, v_layer = 32, 2, 48, a.v_layer       # v_ff != v_embd (avoids the up/down swap heuristic)
img, patch = 28, 14                                 # 2x2 = 4 patches -> 4 image tokens per tile
n_patch = (img // patch) ** 2
m.add_bool("clip.has_vision_encoder", True)
m.add_string("clip.projector_type", "mlp")
m.add_bool("clip.use_gelu", True)
m.add_uint32("clip.vision.image_size", img)
m.add_uint32("clip.vision.patch_size", patch)
m.add_uint32("clip.vision.embedding_length", v_embd)
m.add_uint32("clip.vision.feed_forward_length", v_ff)
m.add_uint32("clip.vision.block_count", v_layer)
m.add_uint32("clip.vision.projection_dim", n_embd)
m.add_uint32("clip.vision.attention.head_count", v_head)
m.add_float32("clip.vision.attention.layer_norm_epsilon", 1e-6)
m.add_array("clip.vision.image_mean", [0.5, 0.5, 0.5])
m.add_array("clip.vision.image_std", [0.5, 0.5, 0.5])
if a.feature_layer >= 0:
    m.add_array("clip.vision.feature_layer", [a.feature_layer])
if a.pinpoints:
    m.add_array("clip.vision.image_grid_pinpoints", [28, 28, 28, 56, 56, 28, 56, 56])  # int32
    m.add_string("clip.vision.mm_patch_merge_type", "spatial_unpad")
m.add_tensor("v.patch_embd.weight", rnd(v_embd, 3, patch, patch, dtype=np.float16))
m.add_tensor("v.patch_embd.bias", rnd(v_embd))
n_pos = n_patch
if not a.siglip:
    m.add_tensor("v.class_embd", rnd(v_embd))
    m.add_tensor("v.pre_ln.weight", np.ones(v_embd, np.float32))
    m.add_tensor("v.pre_ln.bias", np.zeros(v_embd, np.float32))
    n_pos += 1
m.add_tensor("v.position_embd.weight", rnd(n_pos, v_embd))
for i in range(v_layer):
    p = f"v.blk.{i}."
    for t in ("attn_q", "attn_k", "attn_v", "attn_out"):
        m.add_tensor(p + t + ".weight", rnd(v_embd, v_embd, dtype=np.float16))
        m.add_tensor(p + t + ".bias", rnd(v_embd))
    for t in ("ln1", "ln2"):
        m.add_tensor(p + t + ".weight", np.ones(v_embd, np.float32))
        m.add_tensor(p + t + ".bias", np.zeros(v_embd, np.float32))
    m.add_tensor(p + "ffn_up.weight", rnd(v_ff, v_embd, dtype=np.float16))    # ne = [v_embd, v_ff]
    m.add_tensor(p + "ffn_up.bias", rnd(v_ff))
    m.add_tensor(p + "ffn_down.weight", rnd(v_embd, v_ff, dtype=np.float16))  # ne = [v_ff, v_embd]
    m.add_tensor(p + "ffn_down.bias", rnd(v_embd))
rng = np.random.default_rng(a.seed + 2)
m.add_tensor("mm.0.weight", rnd(n_embd, v_embd, dtype=np.float16))
m.add_tensor("mm.0.bias", rnd(n_embd))
m.add_tensor("mm.2.weight", rnd(n_embd, n_embd, dtype=np.float16))
m.add_tensor("mm.2.bias", rnd(n_embd))
if a.pinpoints:
    m.add_tensor("v.image_newline", rnd(n_embd))  # loaded but unused by the mlp graph
m.write_header_to_file(); m.write_kv_data_to_file(); m.write_tensors_to_file(); m.close()
print("ok", n_vocab)
