package dev.memaudit.index.source;

import java.io.IOException;
import java.util.Set;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.BlockQuote;
import org.commonmark.node.BulletList;
import org.commonmark.node.Code;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.HardLineBreak;
import org.commonmark.node.Heading;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.HtmlInline;
import org.commonmark.node.Image;
import org.commonmark.node.IndentedCodeBlock;
import org.commonmark.node.ListItem;
import org.commonmark.node.Node;
import org.commonmark.node.OrderedList;
import org.commonmark.node.Paragraph;
import org.commonmark.node.SoftLineBreak;
import org.commonmark.node.Text;
import org.commonmark.node.ThematicBreak;
import org.commonmark.parser.Parser;
import org.jsoup.Jsoup;

/**
 * Markdown (CommonMark) files rendered to the plain text a reader sees: markup removed (heading
 * marks, emphasis, link targets), link text kept, images dropped, code kept as text, HTML tags
 * stripped (their text kept), blocks separated by a blank line, list items one per line. Soft line
 * breaks stay line breaks, so the text keeps the file's line layout. Decoding follows {@link
 * TextSource}.
 *
 * <p>Limits: the file's size (max_document_bytes) is checked before it is read, the nesting and the
 * number of nodes (max_depth, max_elements) as the tree is rendered, the text (max_work_bytes) as
 * it is built. The node tree costs about 60 to 90 bytes of heap per node, which text-heavy Markdown
 * has few of (about 3 bytes of heap per byte of file) and markup-dense Markdown up to one per byte:
 * the node count is known only after parsing, so max_document_bytes is what bounds the parse's
 * memory. Inline markup nested thousands deep overflows commonmark's recursive parser: the work
 * fails with that reason.
 */
public final class MarkdownSource extends SingleWorkSource {
    private static final Parser PARSER = Parser.builder().build();

    @Override
    public String format() {
        return "md";
    }

    @Override
    public Set<String> extensions() {
        return Set.of("md", "markdown");
    }

    @Override
    protected ExtractedText extract(WorkEntry entry, ReadLimits limits)
            throws WorkReadException, IOException {
        String markdown = TextDecoder.decode(entry.path(), entry.encoding());
        return ExtractedText.of(toPlainText(markdown, limits));
    }

    @Override
    public ReadLimits.Key fileSizeLimit() {
        return ReadLimits.Key.MAX_DOCUMENT_BYTES;
    }

    /** The plain text of a Markdown document, with the default limits. */
    static String toPlainText(String markdown) {
        return toPlainText(markdown, ReadLimits.DEFAULTS);
    }

    /** The plain text of a Markdown document. */
    static String toPlainText(String markdown, ReadLimits limits) {
        PlainTextBuilder text = new PlainTextBuilder(limits);
        PARSER.parse(markdown).accept(new Renderer(text, limits));
        return text.build();
    }

    private static final class Renderer extends AbstractVisitor {
        private final PlainTextBuilder text;
        private final ReadLimits limits;
        private int depth;
        private long nodes;

        Renderer(PlainTextBuilder text, ReadLimits limits) {
            this.text = text;
            this.limits = limits;
        }

        @Override
        protected void visitChildren(Node parent) {
            if (++depth > limits.maxDepth()) {
                throw limits.exceeded(
                        ReadLimits.Key.MAX_DEPTH,
                        "the Markdown nests blocks or inlines more than "
                                + limits.maxDepth()
                                + " deep");
            }
            for (Node child = parent.getFirstChild(); child != null; ) {
                if (++nodes > limits.maxElements()) {
                    throw limits.exceeded(
                            ReadLimits.Key.MAX_ELEMENTS,
                            "the Markdown has more than "
                                    + ReadLimits.Key.MAX_ELEMENTS.format(limits.maxElements())
                                    + " nodes");
                }
                Node next = child.getNext();
                child.accept(this);
                child = next;
            }
            depth--;
        }

        private void block(Node node) {
            text.paragraphBreak();
            visitChildren(node);
            text.paragraphBreak();
        }

        @Override
        public void visit(Paragraph paragraph) {
            if (paragraph.getParent() instanceof ListItem) {
                text.lineBreak();
                visitChildren(paragraph);
                text.lineBreak();
            } else {
                block(paragraph);
            }
        }

        @Override
        public void visit(Heading heading) {
            block(heading);
        }

        @Override
        public void visit(BlockQuote blockQuote) {
            block(blockQuote);
        }

        @Override
        public void visit(BulletList bulletList) {
            block(bulletList);
        }

        @Override
        public void visit(OrderedList orderedList) {
            block(orderedList);
        }

        @Override
        public void visit(ListItem listItem) {
            text.lineBreak();
            visitChildren(listItem);
            text.lineBreak();
        }

        @Override
        public void visit(ThematicBreak thematicBreak) {
            text.paragraphBreak();
        }

        @Override
        public void visit(FencedCodeBlock code) {
            codeBlock(code.getLiteral());
        }

        @Override
        public void visit(IndentedCodeBlock code) {
            codeBlock(code.getLiteral());
        }

        private void codeBlock(String literal) {
            text.paragraphBreak();
            text.literal(stripTrailingNewlines(literal));
            text.paragraphBreak();
        }

        @Override
        public void visit(HtmlBlock html) {
            text.paragraphBreak();
            text.literal(HtmlText.of(Jsoup.parseBodyFragment(html.getLiteral()).body(), limits));
            text.paragraphBreak();
        }

        @Override
        public void visit(HtmlInline html) {
            // a tag on its own (<em>, </span>): the text around it is kept, the tag is not
        }

        @Override
        public void visit(Image image) {
            // images carry no text of the work; their alt text is a description, not the work
        }

        @Override
        public void visit(Text node) {
            text.literal(node.getLiteral());
        }

        @Override
        public void visit(Code code) {
            text.literal(code.getLiteral());
        }

        @Override
        public void visit(SoftLineBreak softLineBreak) {
            text.hardBreak();
        }

        @Override
        public void visit(HardLineBreak hardLineBreak) {
            text.hardBreak();
        }
    }

    private static String stripTrailingNewlines(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
            end--;
        }
        return s.substring(0, end);
    }
}
