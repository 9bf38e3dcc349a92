package io.acrcache.webhook.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a new key reaches its record component: by name, through sections of any depth. */
class SettingsBindingTest {
    record Deep(boolean enabled, Set<String> names) {}

    record Section(int port, Mode mode, Deep deep) {}

    record Root(String host, List<String> items, Section section) {}

    @Test
    void componentsTakeTheValueOfTheirPathAtAnyDepth() {
        Root root = Binder.bind(
                Root.class,
                "",
                Map.of(
                        "host",
                        "h",
                        "items",
                        List.of("a", "b"),
                        "section.port",
                        8443,
                        "section.mode",
                        "audit",
                        "section.deep.enabled",
                        true,
                        "section.deep.names",
                        List.of("x", "y")));
        assertEquals(
                new Root("h", List.of("a", "b"), new Section(8443, Mode.AUDIT, new Deep(true, Set.of("x", "y")))),
                root);
    }

    @Test
    void aComponentWithoutASettingIsNamed() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> Binder.bind(Root.class, "", Map.of("host", "h", "items", List.of())));
        assertTrue(e.getMessage().contains("no setting section.port"), e.getMessage());
    }
}
