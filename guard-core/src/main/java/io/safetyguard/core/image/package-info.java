/**
 * Safe image decoding in Java: {@link io.safetyguard.core.image.ImageDecoder} turns untrusted PNG,
 * JPEG, GIF, BMP and WebP bytes into 8-bit RGB {@link io.safetyguard.core.image.DecodedImage}s
 * within {@link io.safetyguard.core.image.ImageLimits}, so no untrusted bytes reach native code.
 */
package io.safetyguard.core.image;
