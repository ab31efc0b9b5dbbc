package dev.memaudit.core.io;

/** The version of memaudit that wrote an artifact; recorded in every manifest. */
public final class ToolVersion {
    private ToolVersion() {}

    /**
     * The implementation version from the jar manifest, or {@code 0.1.0-dev} when run from classes.
     */
    public static String get() {
        String v = ToolVersion.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-dev";
    }
}
