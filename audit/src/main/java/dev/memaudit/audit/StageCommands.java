package dev.memaudit.audit;

import java.util.List;

/**
 * How the audit runs a stage: as the memaudit command a user would type, given by its argument list
 * (without the leading {@code memaudit}). The command line itself (parsing, help, error mapping)
 * stays in the cli module; the runner only needs to know whether a command exists and its exit
 * code.
 */
public interface StageCommands {
    /**
     * @param command a top-level command name ({@code index}, {@code extract}, …)
     * @return whether this build has it
     */
    boolean has(String command);

    /**
     * Runs one command to its end in this process.
     *
     * @param args the arguments after {@code memaudit}
     * @return its exit code (0 ok; see {@code ExitCategory})
     */
    int run(List<String> args);
}
