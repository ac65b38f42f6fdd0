package io.sparkrl.job.bench;

import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.driver.ReinforceJob;
import io.sparkrl.job.output.RunDirectory;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.RDDInfo;

/**
 * Driver heap against corpus size: generates an arithmetic corpus of N prompts (JSON Lines, local
 * disk), runs REINFORCE steps on local[2], and prints the heap in use after a full GC when the job
 * has started (corpus read and cached) and after the steps, next to the corpus's cached blocks
 * (Spark storage memory: executor memory, which local mode keeps in the same JVM). The corpus is
 * deleted afterwards. Run it with {@code scripts/bench-memory.sh}.
 *
 * <p>Usage: {@code DriverMemoryBenchmark prompts steps [key=value ...]}.
 */
public final class DriverMemoryBenchmark {
  public static void main(String[] args) throws Exception {
    long prompts = Long.parseLong(args[0]);
    int steps = Integer.parseInt(args[1]);
    List<String> overrides = new ArrayList<>(List.of(args).subList(2, args.length));
    Path tmp = Files.createTempDirectory("sparkrl-memory");
    try {
      Path corpus = tmp.resolve("corpus.jsonl");
      long t0 = System.nanoTime();
      write(corpus, prompts);
      System.out.printf("corpus: %,d prompts, %,d MB, written in %.1f s; -Xmx %d MB%n", prompts,
          Files.size(corpus) >> 20, (System.nanoTime() - t0) / 1e9,
          Runtime.getRuntime().maxMemory() >> 20);
      overrides.addAll(List.of("corpus.train=\"" + corpus.toUri() + "\"", "corpus.eval=\"\"",
          "run.dir=\"" + tmp.resolve("run") + "\"", "run.partitions=2"));
      JobConfig config = JobConfig.load(null, overrides);
      JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[2]")
          .setAppName("sparkrl-memory").set("spark.ui.enabled", "false"));
      sc.setLogLevel("WARN");
      ReinforceJob job = ReinforceJob.start(sc, config,
          new RunDirectory(tmp.resolve("run").toString(), new Configuration()));
      report("after start (corpus read and cached)", sc);
      double[] ms = new double[steps];
      for (int s = 0; s < steps; s++) {
        long t1 = System.nanoTime();
        job.step();
        ms[s] = (System.nanoTime() - t1) / 1e6;
      }
      // the first step also gathers the prompts of the coming steps: one scan of the cached corpus
      double[] later = java.util.Arrays.copyOfRange(ms, Math.min(1, steps), steps);
      java.util.Arrays.sort(later);
      report("after " + steps + " steps (" + String.format("first %.0f ms, later median %.0f ms;"
          + " %d prompt gathering job(s))", steps > 0 ? ms[0] : 0.0,
          later.length > 0 ? later[later.length / 2] : 0.0, job.promptGathers()), sc);
      job.close();
      sc.stop();
    } finally {
      try (Stream<Path> files = Files.walk(tmp)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** "How much is a+b?" prompts with their answers, streamed to disk. */
  static void write(Path file, long prompts) throws IOException {
    SplittableRandom random = new SplittableRandom(17);
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (long i = 0; i < prompts; i++) {
        int a = random.nextInt(30);
        int b = random.nextInt(30);
        out.write("{\"prompt\":\"How much is " + a + "+" + b + "?\",\"answer\":\"" + (a + b)
            + "\"}\n");
      }
    }
  }

  private static void report(String when, JavaSparkContext sc) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long cachedMemory = 0;
    long cachedDisk = 0;
    for (RDDInfo info : sc.sc().getRDDStorageInfo()) {
      cachedMemory += info.memSize();
      cachedDisk += info.diskSize();
    }
    System.out.printf("%-44s heap used after GC %5d MB | cached corpus blocks: %5d MB in memory,"
        + " %5d MB on disk | heap less cached blocks %5d MB%n", when, used >> 20,
        cachedMemory >> 20, cachedDisk >> 20, (used - cachedMemory) >> 20);
  }
}
