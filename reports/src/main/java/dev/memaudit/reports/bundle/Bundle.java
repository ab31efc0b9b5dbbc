package dev.memaudit.reports.bundle;

/**
 * The file names of an evidence bundle (a report folder): {@code manifest.json} (a {@code
 * RunManifest} with {@code command: report}: SHA-256 of every input file of the run's stage
 * folders, relative to {@code run_dir}, and of every file of the bundle), {@code manifest.sig}
 * (base64 of the Ed25519 signature of the exact bytes of {@code manifest.json}) and {@code
 * manifest.pub} (the signer's public key, PEM; listed and hashed in the manifest).
 */
public final class Bundle {
    public static final String MANIFEST = "manifest.json";
    public static final String SIGNATURE = "manifest.sig";
    public static final String PUBLIC_KEY = "manifest.pub";

    /** Manifest section: the run folder, relative to the bundle folder ({@code /}-separated). */
    public static final String RUN_DIR = "run_dir";

    private Bundle() {}
}
