package io.acrcache.webhook.azure;

import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import static io.acrcache.webhook.azure.FakeTls.await;

/**
 * Fake Entra ID and ARM over TLS, with the real token source and ARM client pointed at them: the set-up the ARM client
 * and the rule sync tests share.
 */
public final class AzureFakes implements AutoCloseable {
    public final Vertx vertx = Vertx.vertx();
    public final FakeEntra entra;
    public final FakeArm arm;
    public final EntraTokenSource tokens;
    public final ArmRegistryClient client;

    /** @param dir where the projected service-account token file is written */
    public AzureFakes(Path dir, AzureHttp.Timeouts timeouts) throws IOException {
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, "projected-service-account-token");
        entra = new FakeEntra(vertx, tokenFile);
        arm = new FakeArm(vertx, entra::valid);
        WebClient http = FakeTls.client(vertx, timeouts);
        tokens = new EntraTokenSource(
                vertx,
                http,
                entra.identity(),
                new EntraTokenSource.Options(timeouts, Duration.ofMillis(100), Duration.ofSeconds(1)),
                Clock.systemUTC());
        client = new ArmRegistryClient(
                http,
                tokens,
                RegistryResourceId.parse(FakeArm.REGISTRY_ID),
                arm.endpoint(),
                timeouts,
                Clock.systemUTC());
    }

    @Override
    public void close() {
        tokens.close();
        arm.close();
        entra.close();
        await(vertx.close());
    }
}
