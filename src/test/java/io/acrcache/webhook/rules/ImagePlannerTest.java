package io.acrcache.webhook.rules;

import io.acrcache.webhook.image.DockerHubHosts;
import io.acrcache.webhook.image.ImageReferenceParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

class ImagePlannerTest {
    private static final String LOGIN = "myacr.azurecr.io";
    private static final ImageReferenceParser PARSER = new ImageReferenceParser(DockerHubHosts.defaults());

    private static ImagePlanner planner(String loginServer, CacheRule... rules) {
        return new ImagePlanner(PARSER, loginServer, RuleSet.compile(List.of(rules), DockerHubHosts.defaults()));
    }

    private static ImagePlanner planner() {
        return planner(
                LOGIN,
                new CacheRule("hub", "docker.io/*", "docker/*"),
                new CacheRule("ubuntu", "docker.io/library/ubuntu", "ubuntu"));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            nginx:1.25                                | hub    | myacr.azurecr.io/docker/library/nginx:1.25
            ubuntu@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef | ubuntu | myacr.azurecr.io/ubuntu@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
            registry-1.docker.io/bitnami/redis:7.2     | hub    | myacr.azurecr.io/docker/bitnami/redis:7.2
            """)
    void coveredImagesAreRewrittenKeepingTagAndDigest(String image, String rule, String rewritten) throws Exception {
        ImageTarget.Rewrite r =
                assertInstanceOf(ImageTarget.Rewrite.class, planner().plan(image));
        assertEquals(rewritten, r.rewritten());
        assertEquals(rule, r.match().rule().name());
        assertEquals(image, r.reference().original());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            Nginx:Latest                               | INVALID_REFERENCE
            myacr.azurecr.io/docker/library/nginx:1.25 | ALREADY_CACHED
            MyAcr.AzureCR.io/app:1                     | ALREADY_CACHED
            ghcr.io/org/app:1                          | NO_RULE
            """)
    void otherImagesAreLeftWithTheReason(String image, ImageTarget.Miss miss) throws Exception {
        ImageTarget.Leave leave =
                assertInstanceOf(ImageTarget.Leave.class, planner().plan(image));
        assertEquals(miss, leave.miss());
        assertNull(leave.match());
    }

    @Test
    void aRewriteOverTheNameLimitIsLeftButKeepsTheRuleThatCoversIt() throws Exception {
        String target = "t".repeat(ImageReferenceParser.NAME_MAX - LOGIN.length()); // one over, with the '/'
        ImagePlanner planner = planner(LOGIN, new CacheRule("long", "docker.io/library/nginx", target));
        ImageTarget.Leave leave = assertInstanceOf(ImageTarget.Leave.class, planner.plan("nginx:1.25"));
        assertEquals(ImageTarget.Miss.TARGET_TOO_LONG, leave.miss());
        assertEquals("long", leave.match().rule().name());

        String fits = "t".repeat(ImageReferenceParser.NAME_MAX - LOGIN.length() - 1);
        ImagePlanner fitting = planner(LOGIN, new CacheRule("long", "docker.io/library/nginx", fits));
        assertInstanceOf(ImageTarget.Rewrite.class, fitting.plan("nginx:1.25"));
    }

    @Test
    void aNullImageIsInvalid() throws Exception {
        ImageTarget.Leave leave =
                assertInstanceOf(ImageTarget.Leave.class, planner().plan(null));
        assertEquals(ImageTarget.Miss.INVALID_REFERENCE, leave.miss());
        assertNull(leave.reference());
    }
}
