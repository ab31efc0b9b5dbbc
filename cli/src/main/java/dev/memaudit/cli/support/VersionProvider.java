package dev.memaudit.cli.support;

import dev.memaudit.core.io.ToolVersion;
import picocli.CommandLine.IVersionProvider;

/** Prints the tool version and the Java runtime. */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {
            "memaudit " + ToolVersion.get(), "Java " + System.getProperty("java.version")
        };
    }
}
