package io.acrcache.webhook.chart;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.acrcache.webhook.chart.ChartRenderer.FULLNAME;
import static io.acrcache.webhook.chart.ChartRenderer.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dashboard ConfigMap: off by default, labelled for Grafana's sidecar, the same JSON as docs/ offers. */
class GrafanaDashboardTest {
    static final Path CHART_JSON = ChartRenderer.CHART_DIR.resolve("dashboards/acr-cache-webhook.json");
    static final Path DOCS_JSON = Path.of("docs/grafana-dashboard.json");

    private static List<ConfigMap> dashboards(List<HasMetadata> objects) {
        return ChartRenderer.all(objects, ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().endsWith("-dashboard"))
                .toList();
    }

    @Test
    void offByDefault() {
        assertEquals(List.of(), dashboards(ChartRenderer.objects(values())));
    }

    @Test
    void aConfigMapTheSidecarFinds() throws Exception {
        List<ConfigMap> maps = dashboards(ChartRenderer.objects(
                values("grafanaDashboard.enabled", "true", "grafanaDashboard.annotations.grafana_folder", "Platform")));
        assertEquals(1, maps.size());
        ConfigMap map = maps.get(0);
        assertEquals(FULLNAME + "-dashboard", map.getMetadata().getName());
        assertEquals("1", map.getMetadata().getLabels().get("grafana_dashboard"));
        assertEquals("Platform", map.getMetadata().getAnnotations().get("grafana_folder"));
        JsonMapper json = JsonMapper.builder().build();
        JsonNode rendered = json.readTree(map.getData().get("acr-cache-webhook.json"));
        assertEquals(json.readTree(Files.readString(CHART_JSON)), rendered);
        assertEquals("acr-cache-webhook", rendered.get("uid").stringValue());
        assertTrue(
                rendered.get("panels").size() >= 12,
                "panels: " + rendered.get("panels").size());
    }

    @Test
    void theDocsCopyIsTheChartsDashboard() throws Exception {
        assertEquals(
                Files.readString(CHART_JSON),
                Files.readString(DOCS_JSON),
                "docs/grafana-dashboard.json must be a copy of charts/acr-cache-webhook/dashboards/acr-cache-webhook.json");
    }
}
