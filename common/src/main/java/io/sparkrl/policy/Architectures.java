package io.sparkrl.policy;

import io.sparkrl.policy.lstm.LstmArchitecture;
import io.sparkrl.policy.transformer.TransformerArchitecture;
import io.sparkrl.tokenizer.Tokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The policy architectures by name ({@code sparkrl.policy.architecture}): how each builds a fresh
 * policy, reads its shape back from a policy file, and reads its checkpoint files. The one place
 * that lists them.
 */
public final class Architectures {
  /** What each architecture provides besides {@link PolicyArchitecture} itself. */
  public interface Kind {
    PolicyArchitecture fromShapeJson(String shapeJson);

    /** A fresh policy of the settings' shape, parameters from {@code policy.init-seed}. */
    PolicySnapshot fresh(PolicySettings settings, Tokenizer tokenizer);
  }

  private static final Map<String, Kind> KINDS = Map.of(
      LstmArchitecture.NAME, new Kind() {
        @Override
        public PolicyArchitecture fromShapeJson(String shapeJson) {
          return LstmArchitecture.fromJson(shapeJson);
        }

        @Override
        public PolicySnapshot fresh(PolicySettings settings, Tokenizer tokenizer) {
          return LstmArchitecture.fresh(settings, tokenizer);
        }
      },
      TransformerArchitecture.NAME, TransformerArchitecture.KIND);

  /** The file that marks a checkpoint written by {@link PolicySnapshot#writeTo}. */
  public static final String POLICY_FILE = "policy.bin";

  private Architectures() {}

  public static Set<String> names() {
    return new TreeSet<>(KINDS.keySet());
  }

  public static Kind kind(String name) {
    Kind k = KINDS.get(name);
    if (k == null) {
      throw new IllegalArgumentException("unknown policy architecture \"" + name + "\" (known: "
          + names() + ")");
    }
    return k;
  }

  /** The architecture a policy file names, with its shape. */
  public static PolicyArchitecture read(String name, String shapeJson) {
    return kind(name).fromShapeJson(shapeJson);
  }

  /** A fresh policy of {@code sparkrl.policy.architecture} over the tokenizer. */
  public static PolicySnapshot fresh(PolicySettings settings, Tokenizer tokenizer) {
    return kind(settings.architecture()).fresh(settings, tokenizer);
  }

  /**
   * The policy of a checkpoint's files ({@link PolicyArchitecture#checkpointFiles}): a
   * {@code policy.bin}, or an LSTM's {@code policy.zip} and {@code vocabulary.json}.
   */
  public static PolicySnapshot readCheckpoint(Map<String, byte[]> files, long step)
      throws IOException {
    if (files.containsKey(POLICY_FILE)) {
      PolicySnapshot read = PolicySnapshot.readFrom(new ByteArrayInputStream(files.get(POLICY_FILE)));
      return read.withParameters(read.parameters(), step);
    }
    if (files.containsKey(LstmArchitecture.MODEL_FILE)) {
      return LstmArchitecture.readCheckpoint(files, step);
    }
    throw new IOException("no policy in the checkpoint: neither " + POLICY_FILE + " nor "
        + LstmArchitecture.MODEL_FILE);
  }

  /** The names of the files that may hold a checkpoint's policy. */
  public static Set<String> policyFileNames() {
    return Set.of(POLICY_FILE, LstmArchitecture.MODEL_FILE, LstmArchitecture.VOCABULARY_FILE);
  }
}
