package dev.cascade.events;

/** A person (§5.3). */
public record Prospect(
        String firstName, String lastName, String fullName, String title, String linkedinUrl, String location) {}
