package dev.cascade.events;

/** A phone number in E.164 with its line type and the provider that found it (§5.2). */
public record Phone(String number, String lineType, String source) {}
