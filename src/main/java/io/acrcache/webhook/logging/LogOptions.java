package io.acrcache.webhook.logging;

/**
 * How logs are written: {@code format} text or json, {@code level} error, warn, info or debug (the configuration
 * validates both; an unknown level logs at info).
 */
public record LogOptions(String format, String level) {}
