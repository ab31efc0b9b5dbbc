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
    protected ExtractedText extract(WorkEntry entry) throws WorkReadException, IOException {
        return ExtractedText.of(toPlainText(TextDecoder.decode(entry.path(), entry.encoding())));
    }

    /** The plain text of a Markdown document. */
    static String toPlainText(String markdown) {
        PlainTextBuilder text = new PlainTextBuilder();
        PARSER.parse(markdown).accept(new Renderer(text));
        return text.build();
    }

    private static final class Renderer extends AbstractVisitor {
        private final PlainTextBuilder text;

        Renderer(PlainTextBuilder text) {
            this.text = text;
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
            text.literal(HtmlText.of(Jsoup.parseBodyFragment(html.getLiteral()).body()));
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
