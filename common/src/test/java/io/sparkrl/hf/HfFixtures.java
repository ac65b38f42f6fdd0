package io.sparkrl.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The tiny Hugging Face checkpoints of {@code scripts/fixtures/hf_reference.py} (test resources
 * under {@code hf/}) with their PyTorch reference log-probs.
 */
public final class HfFixtures {
  public static final List<String> NAMES = List.of("llama-gqa-untied-f32", "qwen2-bias-tied-bf16",
      "mistral-mqa-f16", "gpt2-noprefix-buffers-f16", "gpt2-lmhead-bf16");
  private static final ObjectMapper JSON = new ObjectMapper();

  public record Reference(List<int[]> sequences, double[][][] logProbs) {}

  private HfFixtures() {}

  /** The fixture's folder among the test resources (read-only use). */
  public static Path folder(String name) {
    try {
      return Path.of(HfFixtures.class.getResource("/hf/" + name + "/config.json").toURI())
          .getParent();
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing test resource hf/" + name, e);
    }
  }

  /** A copy of the fixture's folder under {@code dir}, to change. */
  public static Path copy(String name, Path dir) throws IOException {
    Path to = dir.resolve(name);
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(folder(name))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }

  /** The same folder, read as a stream (as from HDFS): nothing is memory-mapped. */
  public static HfFolder streamed(Path dir) {
    HfFolder local = HfFolder.local(dir);
    return new HfFolder() {
      @Override
      public String describe(String name) {
        return local.describe(name);
      }

      @Override
      public boolean exists(String name) throws IOException {
        return local.exists(name);
      }

      @Override
      public long length(String name) throws IOException {
        return local.length(name);
      }

      @Override
      public InputStream open(String name) throws IOException {
        return local.open(name);
      }
    };
  }

  public static Reference reference(String name) throws IOException {
    JsonNode doc = JSON.readTree(folder(name).resolve("reference.json").toFile());
    List<int[]> sequences = new ArrayList<>();
    for (JsonNode s : doc.get("sequences")) {
      int[] tokens = new int[s.size()];
      for (int t = 0; t < tokens.length; t++) {
        tokens[t] = s.get(t).asInt();
      }
      sequences.add(tokens);
    }
    JsonNode lp = doc.get("log_probs");
    double[][][] logProbs = new double[lp.size()][][];
    for (int i = 0; i < logProbs.length; i++) {
      logProbs[i] = new double[lp.get(i).size()][];
      for (int t = 0; t < logProbs[i].length; t++) {
        JsonNode row = lp.get(i).get(t);
        logProbs[i][t] = new double[row.size()];
        for (int j = 0; j < row.size(); j++) {
          logProbs[i][t][j] = row.get(j).asDouble();
        }
      }
    }
    return new Reference(sequences, logProbs);
  }

  /** The largest |a - b| over every sequence, position and token. */
  public static double maxDifference(double[][][] a, double[][][] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      for (int t = 0; t < a[i].length; t++) {
        for (int j = 0; j < a[i][t].length; j++) {
          max = Math.max(max, Math.abs(a[i][t][j] - b[i][t][j]));
        }
      }
    }
    return max;
  }
}
