package io.sparkrl.job.report;

import io.sparkrl.job.ExitCode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * The {@code report} and {@code compare} commands: they read run directories (running or
 * finished, any Hadoop URI) and need no Spark.
 *
 * <pre>
 *   report  RUN_DIR [--out DIR]               DIR defaults to RUN_DIR/report
 *   compare RUN_DIR RUN_DIR... [--out DIR]    DIR defaults to ./comparison
 * </pre>
 */
public final class ReportCommand {
  public static final String USAGE = "usage: Main report RUN_DIR [--out DIR]\n"
      + "       Main compare RUN_DIR RUN_DIR... [--out DIR]";
  public static final String DEFAULT_COMPARE_OUT = "comparison";

  private ReportCommand() {}

  /** @return 0 done, 2 bad arguments or a run directory missing or unreadable, 1 other failure */
  public static int run(String command, List<String> args, PrintStream out, PrintStream err) {
    List<String> dirs = new ArrayList<>();
    String outDir = null;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--out")) {
        if (i + 1 == args.size()) {
          err.println("argument error: --out needs a directory\n" + USAGE);
          return ExitCode.BAD_CONFIGURATION;
        }
        outDir = args.get(++i);
      } else if (a.startsWith("-")) {
        err.println("argument error: unknown option " + a + "\n" + USAGE);
        return ExitCode.BAD_CONFIGURATION;
      } else {
        dirs.add(a);
      }
    }
    if (command.equals("report") && dirs.size() != 1) {
      err.println("argument error: report takes one run directory, got " + dirs.size()
          + (dirs.isEmpty() ? "" : ": " + dirs) + "\n" + USAGE);
      return ExitCode.BAD_CONFIGURATION;
    }
    if (command.equals("compare") && dirs.size() < 2) {
      err.println("argument error: compare takes two or more run directories, got " + dirs.size()
          + (dirs.isEmpty() ? "" : ": " + dirs) + "\n" + USAGE);
      return ExitCode.BAD_CONFIGURATION;
    }
    Configuration hadoop = io.sparkrl.job.config.SparkHadoop.configuration(new org.apache.spark.SparkConf());
    try {
      List<RunHistory> runs = new ArrayList<>();
      for (String d : dirs) {
        runs.add(RunHistory.read(d, hadoop));
      }
      long t0 = System.nanoTime();
      String page = command.equals("report")
          ? RunReport.report(runs.get(0), outDir != null ? outDir : runs.get(0).uri() + "/" + RunReport.FOLDER, hadoop)
          : RunReport.compare(runs, outDir != null ? outDir : DEFAULT_COMPARE_OUT, hadoop);
      out.printf("wrote %s in %.1f s%n", page, (System.nanoTime() - t0) / 1e9);
      return ExitCode.OK;
    } catch (RunDirectoryException e) {
      err.println("input error: " + e.getMessage());
      return ExitCode.BAD_INPUT;
    } catch (Exception e) {
      err.println(command + " failed: " + e);
      return ExitCode.FAILED;
    }
  }
}
