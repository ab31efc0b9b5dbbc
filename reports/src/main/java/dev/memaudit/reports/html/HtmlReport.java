package dev.memaudit.reports.html;

import dev.memaudit.reports.ReportInfo;
import dev.memaudit.reports.calibration.CalibrationFile;
import dev.memaudit.reports.influence.InfluenceFolder;
import dev.memaudit.reports.run.RunView;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.util.List;

/**
 * The self-contained {@code report.html}: one file with inline CSS and inline SVG, no script, no
 * font, image or style from anywhere else, and a Content-Security-Policy that forbids every request
 * ({@link #CSP}). The overview table sorts without JavaScript: it is written once per column and
 * direction, and CSS {@code :target} shows the copy the header link names.
 *
 * <p>The page is rendered by jte templates ({@code reports/src/main/jte}, entry {@code report.jte})
 * from a {@link ReportPage} built out of the run view in one place ({@link ReportPageBuilder}). The
 * templates are compiled to Java at build time (no template compiler at run time) with content type
 * HTML: every {@code ${}} value is escaped for where it stands ({@link ReportOutput}); the only
 * markup written as it is, is {@link SafeSvg} from {@link Svg}.
 */
public final class HtmlReport {
    /** No fetch of any kind; inline style only; no script at all. {@code report.jte} writes it. */
    public static final String CSP =
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none';"
                    + " form-action 'none'";

    /** The coverage threshold the overview shows (all thresholds are in each work's section). */
    public static final String OVERVIEW_TAU = "0.1";

    /**
     * Above this many works the overview is written in the default order only: every sorted copy
     * repeats the whole table, and 20 copies of a very large table would dwarf the rest.
     */
    public static final int PRESORT_MAX_WORKS = 2_000;

    /** Most passages shown side by side per work and kind (all are in spans.csv). */
    public static final int PASSAGES_SHOWN = 10;

    /** The package the jte plugin generates the template classes into (reports/pom.xml). */
    static final String TEMPLATE_PACKAGE = "dev.memaudit.reports.html.templates";

    /** The precompiled templates, loaded from this module's classes. */
    private static final TemplateEngine TEMPLATES = engine();

    private HtmlReport() {}

    /** The whole document. */
    public static String render(RunView view, ReportInfo info) {
        return render(view, info, null);
    }

    /**
     * The whole document, its method section summarizing {@code calibration} (or saying that none
     * was given when it is null).
     */
    public static String render(RunView view, ReportInfo info, CalibrationFile calibration) {
        return render(ReportPageBuilder.build(view, info, calibration));
    }

    /** The whole document, with an influence section from {@code influence} when not empty. */
    public static String render(
            RunView view,
            ReportInfo info,
            CalibrationFile calibration,
            List<InfluenceFolder> influence,
            InfluenceFolder.Validation validation) {
        return render(ReportPageBuilder.build(view, info, calibration, influence, validation));
    }

    private static TemplateEngine engine() {
        // Without a class folder jte loads template classes through the thread's context class
        // loader, which need not see this module (a pool thread, a plugin host): point it here
        // while the engine takes its loader.
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(HtmlReport.class.getClassLoader());
        try {
            return TemplateEngine.createPrecompiled(null, ContentType.Html, null, TEMPLATE_PACKAGE);
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    /** The whole document of a page. */
    static String render(ReportPage page) {
        StringOutput out = new StringOutput(1 << 16);
        TEMPLATES.render("report.jte", page, new ReportOutput(out));
        return out.toString();
    }
}
