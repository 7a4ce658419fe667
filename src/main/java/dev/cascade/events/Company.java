package dev.cascade.events;

/** A company (§5.3). */
public record Company(String name, String domain, String industry, Integer employeeCount) {}
