package io.acrcache.webhook.status;

/** Just enough HTML building for the status page: text is always escaped on the way in. */
final class Html {
    private final StringBuilder sb = new StringBuilder(16_384);

    /** Markup written as is: only literals of this package, never data. */
    Html raw(String markup) {
        sb.append(markup);
        return this;
    }

    /** Text (any data: names, images, messages), escaped for element content and quoted attributes. */
    Html text(Object value) {
        String s = value == null ? "" : value.toString();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return this;
    }

    /** {@code <tag class="cls">text</tag>}. */
    Html el(String tag, String cls, Object text) {
        sb.append('<').append(tag);
        if (cls != null) {
            sb.append(" class=\"").append(cls).append('"');
        }
        sb.append('>');
        text(text);
        sb.append("</").append(tag).append('>');
        return this;
    }

    /** One table row of cells, each escaped. */
    Html row(Object... cells) {
        sb.append("<tr>");
        for (Object c : cells) {
            el("td", null, c);
        }
        sb.append("</tr>");
        return this;
    }

    /** The head row of a table. */
    Html head(String... cells) {
        sb.append("<tr>");
        for (String c : cells) {
            el("th", null, c);
        }
        sb.append("</tr>");
        return this;
    }

    static String escape(String s) {
        return new Html().text(s).toString();
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
