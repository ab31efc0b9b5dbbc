package dev.memaudit.index.source;

import java.util.Set;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * Block-aware plain text of an HTML (or XHTML) tree, as a reader sees it: whitespace collapsed as a
 * browser does, a line break between block elements, a blank line around paragraphs, headings,
 * lists, quotes and tables, {@code <br>} as a line break, {@code <pre>} kept as written. Scripts,
 * styles, templates, {@code <noscript>} and the {@code <head>} are dropped.
 */
final class HtmlText {
    private static final Set<String> DROPPED =
            Set.of("script", "style", "noscript", "template", "head", "title");

    /** Blocks set off by a blank line. */
    private static final Set<String> PARAGRAPHS =
            Set.of(
                    "p",
                    "h1",
                    "h2",
                    "h3",
                    "h4",
                    "h5",
                    "h6",
                    "blockquote",
                    "pre",
                    "hr",
                    "ul",
                    "ol",
                    "dl",
                    "table",
                    "figure",
                    "section",
                    "article",
                    "aside",
                    "header",
                    "footer",
                    "nav",
                    "main",
                    "address",
                    "fieldset",
                    "details");

    /** Blocks that start on a new line. */
    private static final Set<String> LINES =
            Set.of(
                    "div",
                    "li",
                    "dt",
                    "dd",
                    "tr",
                    "caption",
                    "figcaption",
                    "summary",
                    "body",
                    "form",
                    "center",
                    "legend",
                    "option",
                    "tbody",
                    "thead",
                    "tfoot");

    private HtmlText() {}

    /** The plain text of {@code root} and everything below it, of at most max_work_bytes. */
    static String of(Element root, ReadLimits limits) {
        PlainTextBuilder text = new PlainTextBuilder(limits);
        NodeTraversor.traverse(new Visitor(text), root);
        return text.build();
    }

    private static final class Visitor implements NodeVisitor {
        private final PlainTextBuilder text;
        private int preDepth;
        private Node droppedRoot;

        Visitor(PlainTextBuilder text) {
            this.text = text;
        }

        @Override
        public void head(Node node, int depth) {
            if (droppedRoot != null) {
                return;
            }
            if (node instanceof TextNode textNode) {
                if (preDepth > 0) {
                    text.literal(textNode.getWholeText());
                } else {
                    text.collapsed(textNode.getWholeText());
                }
            } else if (node instanceof Element element) {
                String name = element.normalName();
                if (DROPPED.contains(name)) {
                    droppedRoot = node;
                } else if (name.equals("br")) {
                    text.hardBreak();
                } else if (name.equals("td") || name.equals("th")) {
                    text.space();
                } else {
                    breakAround(name);
                    if (name.equals("pre")) {
                        preDepth++;
                    }
                }
            }
        }

        @Override
        public void tail(Node node, int depth) {
            if (droppedRoot != null) {
                if (droppedRoot == node) {
                    droppedRoot = null;
                }
                return;
            }
            if (node instanceof Element element) {
                String name = element.normalName();
                if (name.equals("td") || name.equals("th")) {
                    text.space();
                } else {
                    breakAround(name);
                    if (name.equals("pre")) {
                        preDepth--;
                    }
                }
            }
        }

        private void breakAround(String name) {
            if (PARAGRAPHS.contains(name)) {
                text.paragraphBreak();
            } else if (LINES.contains(name)) {
                text.lineBreak();
            }
        }
    }
}
