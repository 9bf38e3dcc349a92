package io.acrcache.webhook.status;

import io.acrcache.webhook.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The page's HTML: every section filled from its inputs, data escaped, nothing loaded from elsewhere. */
class StatusPageTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:30Z"));

    @Test
    void showsEverySection() throws Exception {
        String html = StatusFixture.page(clock).render();

        for (String expected : List.of(
                "version 1.2.3-test",
                "login server myacr.azurecr.io",
                "Registry sync: the rules are the registry&#39;s",
                "2026-03-01T09:59:50Z (40s ago)",
                "<td>docker-hub</td><td>docker.io/*</td><td>docker/*</td>",
                "credential set quay-creds is Unhealthy",
                "quay-creds <span class=\"bad\">Unhealthy</span> KeyVaultSecretNotFound: gone",
                "ghcr-new",
                "<tr><td>docker-hub</td><td>1</td></tr>",
                "<tr><td>no-rule</td><td>1</td></tr>",
                "<tr><td>already-cached</td><td>1</td></tr>",
                "→ myacr.azurecr.io/docker/library/nginx:1.27 by docker-hub",
                "<span class=\"bad\">not-covered</span>: 3 failed pull(s) of 1 image(s)",
                "add a cache rule for ghcr.io",
                "Credential sets",
                "fix the Key Vault secret")) {
            assertTrue(html.contains(expected), () -> "missing " + expected + " in\n" + html);
        }
        assertTrue(html.indexOf("not-covered") < html.indexOf("not-rewritten"), "categories in their fixed order");
    }

    @Test
    void escapesDataAndLoadsNothingFromElsewhere() throws Exception {
        String html = StatusFixture.page(clock).render();

        assertTrue(html.contains("ghcr.io/&lt;b&gt;org&lt;/b&gt;/app:1"), html);
        assertFalse(html.contains("<b>org"), "report data is escaped");
        assertFalse(html.contains("<script"), "no script");
        assertFalse(html.contains("<link"), "no stylesheet or font from elsewhere");
        assertFalse(html.contains("src="), "no image or frame");
        assertFalse(html.contains("url("), "no CSS resource");
        assertTrue(html.contains("<meta http-equiv=\"refresh\" content=\"15\">"));
    }

    @Test
    void saysWhatIsOff() {
        StatusInputs in = new StatusInputs("1", StatusFixture::config, null, null, null, null);
        String html = new StatusPage(in, new RecentDecisions(5, clock), clock).render();

        assertTrue(html.contains("The registry guard is off"), html);
        assertTrue(html.contains("no registry sync"), html);
        assertTrue(html.contains("The pull-failure report is off"), html);
        assertTrue(html.contains("No admission since the start."), html);
        assertFalse(html.contains("id=\"doctor\""), "no doctor section without the doctor");
    }

    @Test
    void escaperCoversMarkupCharacters() {
        assertEquals("&lt;a href=&quot;x&quot;&gt;&amp;&#39;", Html.escape("<a href=\"x\">&'"));
    }
}
