package io.acrcache.webhook.config;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The defaults the webhook runs with, as a reviewed file: a changed default shows up as a diff of
 * {@code src/test/resources/config/defaults.json}. After a deliberate change, regenerate it with {@code mvn test
 * -Dtest=DefaultsTest -DUPDATE_DEFAULTS=true} (or environment {@code UPDATE_DEFAULTS=true}).
 */
class DefaultsTest {
    private static final Path GOLDEN = Path.of("src/test/resources/config/defaults.json");
    private static final ObjectMapper JSON =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    @Test
    void loadedDefaultsMatchTheGoldenFile() throws Exception {
        Settings defaults = SettingsLoader.parse(null, "defaults", Map.of()).settings();
        String actual = JSON.writeValueAsString(tree(defaults)) + "\n";
        if ("true".equals(System.getProperty("UPDATE_DEFAULTS")) || "true".equals(System.getenv("UPDATE_DEFAULTS"))) {
            Files.writeString(GOLDEN, actual);
        }
        assertEquals(
                Files.readString(GOLDEN), actual, "defaults changed; see this class's comment to update " + GOLDEN);
    }

    /** Records as objects in component order, sets sorted, enums by name: the same text on every run. */
    private static JsonNode tree(Object value) throws Exception {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        if (value instanceof Record record) {
            var object = nodes.objectNode();
            for (RecordComponent c : record.getClass().getRecordComponents()) {
                object.set(c.getName(), tree(c.getAccessor().invoke(record)));
            }
            return object;
        }
        if (value instanceof Collection<?> items) {
            var array = nodes.arrayNode();
            Collection<?> ordered = items instanceof Set<?> set ? new TreeSet<>(set) : items;
            for (Object item : ordered) {
                array.add(tree(item));
            }
            return array;
        }
        if (value instanceof Enum<?> e) {
            return nodes.stringNode(e.name());
        }
        return JSON.valueToTree(value);
    }
}
