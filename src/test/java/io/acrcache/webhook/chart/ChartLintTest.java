package io.acrcache.webhook.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChartLintTest {

    @Test
    void strictLintPassesWithALoginServer() {
        LintResult result = ChartRenderer.lint(ChartRenderer.LOGIN_SERVER);

        assertFalse(result.isFailed(), () -> String.join("\n", result.getMessages()));
        assertTrue(
                result.getMessages().stream().noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]")),
                () -> String.join("\n", result.getMessages()));
    }

    @Test
    void lintOfTheBareChartFailsOnTheMissingLoginServer() {
        LintResult result = new Helm(ChartRenderer.CHART_DIR).lint().call();

        assertTrue(result.isFailed());
        assertTrue(
                result.getMessages().stream().anyMatch(m -> m.contains("missing property 'loginServer'")),
                () -> String.join("\n", result.getMessages()));
    }
}
