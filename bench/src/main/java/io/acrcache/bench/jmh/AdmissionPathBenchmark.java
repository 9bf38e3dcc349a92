package io.acrcache.bench.jmh;

import io.acrcache.bench.Fixture;
import io.acrcache.webhook.admission.AdmissionResult;
import io.acrcache.webhook.admission.AdmissionReviewHandler;
import io.acrcache.webhook.admission.MalformedReviewException;
import io.acrcache.webhook.admission.ReviewPlan;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.image.ImageReference;
import io.acrcache.webhook.image.ImageReferenceParser;
import io.acrcache.webhook.image.InvalidImageReferenceException;
import io.acrcache.webhook.rules.RuleMatch;
import io.acrcache.webhook.rules.RuleSet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The webhook's pure path on the load benchmark's review (about 5.4 KB, four images, all rewritten), and its parts. Run
 * with {@code -prof gc} for {@code gc.alloc.rate.norm} (bytes allocated per operation).
 *
 * <ul>
 *   <li>{@code handle}: {@link AdmissionReviewHandler#handle} end to end: parse the review into a tree, decide, build
 *       the patch, serialize the answer.
 *   <li>{@code readTree}: only a Jackson 3 parse into a tree with {@code STRICT_DUPLICATE_DETECTION} (the webhook's
 *       mapper up to commit 1007724, the bare server with {@code -Dbench.bare.strict=true});
 *       {@code readTreeWithoutDuplicateCheck}: the same without the check (the bare server by default).
 *   <li>{@code parseImages}: {@link ImageReferenceParser#parse} of the four image strings.
 *   <li>{@code matchRules}: {@link RuleSet#match} of the four parsed references.
 * </ul>
 *
 * <p>Defaults are modest for a 2-core machine (1 fork, 5 x 3 s warm-up: {@code handle} needs about 10 s before C2 is
 * done with it; 5 x 2 s measured); JMH options override them ({@code -f 2 -wi 5 -i 10 -w 3s -r 2s}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 2)
public class AdmissionPathBenchmark {
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper LENIENT = JsonMapper.builder().build();

    private byte[] review;
    private AdmissionReviewHandler handler;
    private ImageReferenceParser parser;
    private RuleSet rules;
    private String[] images;
    private ImageReference[] references;
    private ReviewPlan.Planned planned;

    @Setup
    public void setUp() throws InvalidImageReferenceException, MalformedReviewException {
        LoadedConfig config = Fixture.config();
        review = Fixture.review();
        handler = new AdmissionReviewHandler(() -> config);
        parser = config.parser();
        rules = config.ruleSet();
        List<String> list = Fixture.images();
        images = list.toArray(String[]::new);
        references = new ImageReference[images.length];
        for (int i = 0; i < images.length; i++) {
            references[i] = parser.parse(images[i]);
            if (rules.match(references[i]).isEmpty()) {
                throw new IllegalStateException("no rule matches " + images[i]);
            }
        }
        planned = (ReviewPlan.Planned) handler.plan(review, null);
        if (Fixture.expectedAnswer().length == 0) {
            throw new IllegalStateException("no answer");
        }
    }

    @Benchmark
    public AdmissionResult handle() throws Exception {
        return handler.handle(review, null);
    }

    @Benchmark
    public ReviewPlan plan() throws Exception {
        return handler.plan(review, null);
    }

    @Benchmark
    public AdmissionResult answer() {
        return handler.answer(planned.context(), planned.plan());
    }

    @Benchmark
    public JsonNode readTree() {
        return STRICT.readTree(review);
    }

    @Benchmark
    public JsonNode readTreeWithoutDuplicateCheck() {
        return LENIENT.readTree(review);
    }

    @Benchmark
    public void parseImages(Blackhole bh) throws InvalidImageReferenceException {
        for (String image : images) {
            bh.consume(parser.parse(image));
        }
    }

    @Benchmark
    public void matchRules(Blackhole bh) {
        for (ImageReference ref : references) {
            Optional<RuleMatch> m = rules.match(ref);
            bh.consume(m);
        }
    }
}
