package dev.cascade.testing;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;

/** A real HTTP webhook receiver on loopback (WireMock), one per test class. */
public final class Receiver {
    private Receiver() {}

    public static WireMockServer start() {
        WireMockServer server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        return server;
    }
}
