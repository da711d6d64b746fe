#!/usr/bin/env python3
"""Compare SafetyGuard with Hugging Face transformers on your own LlavaGuard checkpoint and images.

For every image in a folder it prints P(Unsafe) and the rating from both sides:

  * transformers: the checkpoint as published (LlavaOnevisionForConditionalGeneration for v1.2,
    LlavaForConditionalGeneration for v1.0/v1.1), the exact prompt SafetyGuard builds (the policy text
    comes from `guard policy show`, the chat layout is the one in PromptLayout), greedy decoding;
    P(Unsafe) is read at the rating value: the prompt plus the trained answer opening
    `{\n    "rating": "` is fed, and the next-token distribution is split between the tokens that
    start the value `Unsafe` and those that start `Safe` (the quantity SafetyGuard reports, see
    RatingProbe);
  * SafetyGuard: `guard check --greedy` on the converted GGUF pair (one JSON line per image).

Needs a machine with access to the gated weights, PyTorch, transformers >= 4.45 and Pillow:

  pip install torch transformers pillow accelerate
  python docs/compare_with_transformers.py LlavaGuard-v1.2-0.5B-OV-hf images/ \
      --model models/LlavaGuard-v1.2-0.5B-OV.gguf --mmproj models/LlavaGuard-v1.2-0.5B-OV-mmproj.gguf

Run it from the root of the SafetyGuard repository (it calls ./guard). This script was written against
the transformers sources; the machines SafetyGuard is developed on cannot download the gated weights, so
it has not been run on them there. Please report what it prints.
"""
import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"}
# The two chat layouts SafetyGuard uses (guard-llamacpp PromptLayout): text before the image, between the
# image and the policy, and after the policy.
CHATML = ("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n", "\n",
          "<|im_end|>\n<|im_start|>assistant\n")
VICUNA_V1 = ("A chat between a curious user and an artificial intelligence assistant. The assistant gives "
             "helpful, detailed, and polite answers to the user's questions. USER: ", "\n", " ASSISTANT:")
ANSWER_OPENING = '{\n    "rating": "'


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkpoint", type=Path, help="the Hugging Face checkpoint folder (…-hf)")
    ap.add_argument("images", type=Path, help="a folder of images")
    ap.add_argument("--model", required=True, type=Path, help="the converted text GGUF")
    ap.add_argument("--mmproj", required=True, type=Path, help="the converted mmproj GGUF")
    ap.add_argument("--preset", default="llavaguard-v1.2", help="llavaguard-v1.2 (v1.1 too) or llavaguard-v1.0")
    ap.add_argument("--guard", default="./guard", help="the guard launcher")
    ap.add_argument("--device", default="cuda" if _cuda() else "cpu")
    ap.add_argument("--max-new-tokens", type=int, default=200)
    return ap.parse_args()


def _cuda():
    try:
        import torch
        return torch.cuda.is_available()
    except ImportError:
        return False


def policy_text(guard, preset):
    # exactly the bytes SafetyGuard puts into the prompt
    return subprocess.run([guard, "policy", "show", "--preset", preset], check=True, capture_output=True,
                          text=True).stdout


def load(checkpoint, device):
    import torch
    from transformers import AutoProcessor, LlavaForConditionalGeneration, LlavaOnevisionForConditionalGeneration
    config = json.loads((checkpoint / "config.json").read_text())
    arch = config["architectures"][0]
    cls = {"LlavaOnevisionForConditionalGeneration": LlavaOnevisionForConditionalGeneration,
           "LlavaForConditionalGeneration": LlavaForConditionalGeneration}[arch]
    dtype = torch.bfloat16 if device != "cpu" else torch.float32
    model = cls.from_pretrained(checkpoint, torch_dtype=dtype).to(device).eval()
    processor = AutoProcessor.from_pretrained(checkpoint)
    layout = CHATML if arch.startswith("LlavaOnevision") else VICUNA_V1
    return model, processor, layout


def value_start_tokens(tokenizer):
    """Token ids whose text can begin the rating value Safe / Unsafe (as the verdict grammar allows)."""
    safe, unsafe = [], []
    for token_id in range(len(tokenizer)):
        text = tokenizer.decode([token_id])
        for value, bucket in (('Safe"', safe), ('Unsafe"', unsafe)):
            if text and (value.startswith(text) or text.startswith(value)):
                bucket.append(token_id)
    return safe, unsafe


def assess_with_transformers(model, processor, layout, policy, image_path, starts, device, max_new_tokens):
    import torch
    from PIL import Image
    image = Image.open(image_path).convert("RGB")
    prompt = layout[0] + "<image>" + layout[1] + policy + layout[2]
    inputs = processor(images=image, text=prompt, return_tensors="pt").to(device, model.dtype)
    with torch.no_grad():
        generated = model.generate(**inputs, do_sample=False, max_new_tokens=max_new_tokens)
        answer = processor.tokenizer.decode(generated[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
        opened = processor(images=image, text=prompt + ANSWER_OPENING, return_tensors="pt").to(device, model.dtype)
        logits = model(**opened).logits[0, -1].float()
    safe, unsafe = starts
    p = torch.softmax(logits[safe + unsafe], dim=0)
    p_unsafe = p[len(safe):].sum().item()
    try:
        rating = json.loads(answer[answer.index("{"):answer.rindex("}") + 1])["rating"]
    except (ValueError, KeyError):
        rating = "?"
    return rating, p_unsafe


def assess_with_safetyguard(args, images):
    out = subprocess.run([args.guard, "check", "--greedy", "--model", str(args.model), "--mmproj",
                          str(args.mmproj), "--preset", args.preset, *map(str, images)],
                         capture_output=True, text=True)
    if out.returncode not in (0, 2, 3):
        sys.exit("guard check failed:\n" + out.stderr)
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    return {Path(line["image"]).name: line for line in lines}


def main():
    args = parse_args()
    images = sorted(p for p in args.images.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not images:
        sys.exit(f"no images in {args.images}")
    policy = policy_text(args.guard, args.preset)
    guard = assess_with_safetyguard(args, images)
    model, processor, layout = load(args.checkpoint, args.device)
    starts = value_start_tokens(processor.tokenizer)

    print(f"{'image':40} {'hf':>7} {'guard':>7} {'hf P(U)':>8} {'guard P(U)':>10} {'|diff|':>7}")
    diffs, same = [], 0
    for path in images:
        hf_rating, hf_p = assess_with_transformers(model, processor, layout, policy, path, starts, args.device,
                                                   args.max_new_tokens)
        line = guard.get(path.name, {})
        sg_rating, sg_p = line.get("model_rating", line.get("rating", "?")), line.get("p_unsafe")
        diff = abs(hf_p - sg_p) if sg_p is not None else float("nan")
        diffs.append(diff)
        same += hf_rating == sg_rating
        sg_text = f"{sg_p:10.4f}" if sg_p is not None else f"{'-':>10}"
        print(f"{path.name[:40]:40} {hf_rating:>7} {sg_rating:>7} {hf_p:8.4f} {sg_text} {diff:7.4f}")
    valid = [d for d in diffs if d == d]
    print(f"\nratings agree on {same} of {len(images)} images; "
          f"|P(Unsafe) difference| median {statistics.median(valid) if valid else float('nan'):.4f}, "
          f"max {max(valid) if valid else float('nan'):.4f}")


if __name__ == "__main__":
    main()
