package io.sparkrl.job;

import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.config.JobSettings;
import io.sparkrl.job.config.SparkHadoop;
import io.sparkrl.job.corpus.ArithmeticTask;
import io.sparkrl.job.corpus.CorpusRequirements;
import io.sparkrl.job.corpus.ProgramTask;
import io.sparkrl.job.corpus.SortingTask;
import io.sparkrl.job.driver.ReinforceJob;
import io.sparkrl.job.driver.SftJob;
import io.sparkrl.job.driver.SparkDefaults;
import io.sparkrl.job.output.InitFrom;
import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.job.output.RunSummary;
import io.sparkrl.job.report.ReportCommand;
import io.sparkrl.job.report.RunHistory;
import io.sparkrl.job.report.RunReport;
import io.sparkrl.settings.SettingsException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Spark application. {@code Main <command> [--config FILE] [key=value ...] [-Dkey=value ...]}
 *
 * <p>Commands: {@code generate} (write a bundled corpus: arithmetic, or programs with
 * {@code generate.task = programs}), {@code sft} (supervised
 * warm start), {@code reinforce} (REINFORCE training), {@code evaluate} (greedy held-out accuracy
 * of {@code run.init-policy}); {@code report RUN_DIR} and {@code compare RUN_DIR RUN_DIR...}
 * (charts and report.html of run directories, see {@link ReportCommand}); {@code train-tokenizer}
 * (a byte-level BPE tokenizer.json from a corpus) and {@code export} (a policy as a Hugging Face
 * folder), see {@code io.sparkrl.job.hf}.
 *
 * <p>Exit codes: 0 done (or nothing to do: the run directory already has {@code _SUCCESS});
 * 2 bad command line, configuration or input data (a corpus, policy or checkpoint that is missing
 * or malformed; nothing was trained); 4 training stopped after
 * {@code sparkrl.trainer.max-consecutive-skipped-steps} updates in a row were skipped for NaN or
 * infinite values; 75 stopped at {@code run.max-wall-time} with a checkpoint (run again to
 * continue); 1 any other failure.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  public static final int OK = ExitCode.OK;
  public static final int FAILED = ExitCode.FAILED;
  public static final int BAD_CONFIGURATION = ExitCode.BAD_CONFIGURATION;
  public static final int BAD_INPUT = ExitCode.BAD_INPUT;
  public static final int NON_FINITE_UPDATES = ExitCode.NON_FINITE_UPDATES;
  public static final int NOT_FINISHED = ExitCode.NOT_FINISHED;
  private static final List<String> COMMANDS =
      List.of("generate", "sft", "reinforce", "evaluate", "report", "compare", "train-tokenizer",
          "export");

  private Main() {}

  public static void main(String[] args) {
    int code = run(args);
    if (code == OK && inYarnClusterDriver()) {
      // The ApplicationMaster reports success when main returns. System.exit, even exit(0), runs
      // its shutdown hook first and YARN records the application as FAILED.
      return;
    }
    System.exit(code);
  }

  /** The driver runs inside a YARN ApplicationMaster ({@code --deploy-mode cluster}). */
  static boolean inYarnClusterDriver() {
    return "yarn".equals(System.getProperty("spark.master"))
        && "cluster".equals(System.getProperty("spark.submit.deployMode"));
  }

  public static int run(String[] args) {
    if (args.length == 0 || !COMMANDS.contains(args[0])) {
      System.err.println("usage: Main <" + String.join("|", COMMANDS)
          + "> [--config FILE] [key=value ...] [-Dkey=value ...]"
          + (args.length == 0 ? "" : "\nunknown command: " + args[0]));
      return BAD_CONFIGURATION;
    }
    String command = args[0];
    if (command.equals("report") || command.equals("compare")) {
      return ReportCommand.run(command, List.of(args).subList(1, args.length), System.out, System.err);
    }
    String file = null;
    List<String> overrides = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--config")) {
        if (i + 1 == args.length) {
          System.err.println("configuration error: --config needs a file");
          return BAD_CONFIGURATION;
        }
        file = args[++i];
      } else {
        overrides.add(args[i].startsWith("-D") ? args[i].substring(2) : args[i]);
      }
    }
    JobConfig config;
    try {
      config = JobConfig.load(file, overrides);
    } catch (SettingsException e) {
      System.err.println("configuration error: " + e.getMessage());
      return BAD_CONFIGURATION;
    }
    try {
      return execute(command, config);
    } catch (SettingsException e) {
      System.err.println("configuration error: " + e.getMessage());
      return BAD_CONFIGURATION;
    } catch (io.sparkrl.job.driver.SkippedUpdatesException e) {
      LOG.error("training stopped: {}", e.getMessage());
      System.err.println("training stopped: " + e.getMessage());
      return NON_FINITE_UPDATES;
    } catch (Exception e) {
      Throwable input = ExitCode.inputError(e);
      if (input != null) {
        System.err.println("input error: " + input.getMessage());
        return BAD_INPUT;
      }
      LOG.error("{} failed", command, e);
      System.err.println(command + " failed: " + e);
      return FAILED;
    }
  }

  private static int execute(String command, JobConfig config) throws IOException {
    JobSettings job = config.job();
    SparkConf conf = SparkDefaults.apply(new SparkConf().setAppName("sparkrl " + command));
    // The checks before Spark starts and the run directory see the Hadoop settings the Spark
    // jobs see (spark.hadoop.*, for example fs.s3a.endpoint): a plain new Configuration() does
    // not read them, so an s3a:// run would look for its corpus on another endpoint.
    Configuration hadoop = SparkHadoop.configuration(conf);
    if (command.equals("generate")) {
      List<String> written = switch (job.generateTask()) {
        case "programs" -> ArithmeticTask.write(ProgramTask.generate(job.programs(), job.corpus()),
            job.programs().dir(), hadoop);
        case "sorting" -> ArithmeticTask.write(SortingTask.generate(job.sorting(), job.corpus()),
            job.sorting().dir(), hadoop);
        default -> ArithmeticTask.write(ArithmeticTask.generate(job.arithmetic(), job.corpus()),
            job.arithmetic().dir(), hadoop);
      };
      System.out.println("wrote " + String.join(" and ", written));
      return OK;
    }
    if (command.equals("train-tokenizer")) {
      io.sparkrl.job.hf.TrainTokenizerCommand.run(config, hadoop, System.out);
      return OK;
    }
    if (command.equals("export")) {
      io.sparkrl.job.hf.ExportCommand.run(config, hadoop, System.out);
      return OK;
    }
    // Everything that can be checked without Spark is checked before it starts.
    CorpusRequirements.check(command, config, hadoop);
    io.sparkrl.job.hf.HfChecks.beforeSpark(command, config, hadoop);
    if (command.equals("sft")) {
      SftJob.check(config);
    }
    if (!job.run().initPolicy().isEmpty()) {
      RunDirectory.readPolicy(job.run().initPolicy(), hadoop);
    } else if (command.equals("evaluate")) {
      throw new SettingsException("sparkrl.run.init-policy", "", "evaluate needs a policy file");
    }
    if (command.equals("reinforce") && !job.run().initFrom().isEmpty()) {
      InitFrom.resolve(job.run().initFrom(), hadoop);
    }
    RunDirectory dir = new RunDirectory(job.run().dir(), hadoop);
    if (!command.equals("evaluate") && dir.isFinished()) {
      System.out.println("nothing to do: the run in " + dir.uri() + " has already finished (it has"
          + " _SUCCESS; see summary.json). Use a new sparkrl.run.dir, with sparkrl.run.init-from"
          + " to continue training from it.");
      dir.close();
      return OK;
    }
    if (command.equals("reinforce") && !job.run().resume() && dir.hasCheckpoints()) {
      throw new SettingsException("sparkrl.run.resume", false, "the run directory " + dir.uri()
          + " already has checkpoints; use a new sparkrl.run.dir or set resume = true");
    }
    LOG.info("configuration ({}):\n{}", config.source(), config.renderConcise());

    if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]"); // only when nothing (spark-submit, -Dspark.master) set one
    }
    try (JavaSparkContext sc = new JavaSparkContext(conf); RunDirectory out = dir) {
      sc.setLogLevel("WARN");
      // the step lines stay visible whatever log4j profile the launcher chose (spark-submit
      // uses Spark's own, in which WARN above would hide them)
      org.apache.logging.log4j.core.config.Configurator.setLevel("io.sparkrl",
          org.apache.logging.log4j.Level.INFO);
      out.clearSuccess();
      out.writeConfig(config.render());
      switch (command) {
        case "sft" -> io.sparkrl.job.hf.HfRunExport.write(config, out, SftJob.run(sc, config, out));
        case "reinforce" -> {
          ReinforceJob training = ReinforceJob.start(sc, config, out);
          RunSummary.Ending ending = training.run(out);
          training.close();
          if (ending == RunSummary.Ending.FINISHED) {
            io.sparkrl.job.hf.HfRunExport.write(config, out, training.policy());
          }
          if (job.monitor().report()) {
            writeReport(out, hadoop);
          }
          if (ending != RunSummary.Ending.FINISHED) {
            System.out.println("stopped at step " + training.policy().step() + " (" + ending.text()
                + "); run the same command again to continue. Checkpoint and summary.json in "
                + out.uri());
            return NOT_FINISHED;
          }
          LOG.info("done: {} steps; see {}/summary.json", training.policy().step(), out.uri());
        }
        case "evaluate" -> io.sparkrl.job.driver.EvaluateCommand.run(sc, config, out, System.out);
        default -> throw new IllegalStateException(command);
      }
      out.markSuccess();
      System.out.println("results in " + out.uri());
    }
    return OK;
  }

  /** The run's report; a failure to draw it is logged, the training it reports on stands. */
  private static void writeReport(RunDirectory dir, Configuration hadoop) {
    try {
      long t0 = System.nanoTime();
      String page = RunReport.report(RunHistory.read(dir.uri(), hadoop),
          dir.uri() + "/" + RunReport.FOLDER, hadoop);
      LOG.info("report: {} ({} ms)", page, (System.nanoTime() - t0) / 1_000_000);
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not write the run's report (the training completed): {}", e.toString());
    }
  }
}
