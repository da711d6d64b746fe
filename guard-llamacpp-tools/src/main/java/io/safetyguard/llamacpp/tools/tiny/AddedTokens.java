package io.safetyguard.llamacpp.tools.tiny;

import java.util.OptionalInt;

/**
 * The ids a written Hugging Face tokenizer gives its special and added tokens, for the {@code config.json},
 * {@code generation_config.json} and processor files written next to it.
 *
 * @param imageTokenId the id of {@code <image>} ({@code image_token_index} in the model config)
 * @param videoTokenId the id of {@code <video>} (LLaVA-OneVision only, {@code video_token_index})
 * @param bosTokenId   the beginning-of-sequence id the model config names ({@code bos_token_id})
 * @param eosTokenId   the end-of-sequence id of the tokenizer config ({@code eos_token})
 * @param padTokenId   the padding id ({@code pad_token})
 * @param size         tokens in the tokenizer, base vocabulary plus added tokens ({@code len(tokenizer)}); the
 *                     model's embedding may have more rows
 */
public record AddedTokens(
        int imageTokenId, OptionalInt videoTokenId, int bosTokenId, int eosTokenId, int padTokenId, int size) {}
