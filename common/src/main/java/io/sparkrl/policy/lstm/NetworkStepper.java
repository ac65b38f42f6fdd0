package io.sparkrl.policy.lstm;


import io.sparkrl.sampling.TokenStepper;
import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One-token-at-a-time inference through the policy network's own DL4J ops
 * ({@code rnnTimeStep}), so that under the CUDA backend sampling runs on the GPU the task thread is
 * bound to, where the network lives. Only the token ids go in and the (B, V) log-probabilities come
 * out per step; token choice stays on the host in {@link TokenPicker}.
 *
 * <p>The batch is fixed: every step runs all {@code capacity} rows, unlisted rows fed PAD. Their
 * outputs are ignored and their state is put back ({@code new * m + old * (1 - m)} with a 0/1 mask
 * m, exact for finite values), so a prompt whose tokens ran out keeps its state while longer
 * prompts are still being fed. Each {@link Rows} holds its own h and c (B, H) per LSTM layer; the
 * network's stored state is set before a step and cleared after it, so the network is left as the
 * gradient pass expects it.
 *
 * <p>Floats: DL4J's batched products and its tanh/sigmoid, so values agree with {@link LstmKernel}
 * to ~1e-6, not bit for bit, and on a GPU they may depend on the batch size and the kernels chosen.
 */
public final class NetworkStepper implements TokenStepper {
  private final MultiLayerNetwork net;
  private final int layers;
  private final int vocabularySize;
  private final int hiddenSize;
  private final DataType type;

  private NetworkStepper(MultiLayerNetwork net) {
    this.net = net;
    this.layers = LstmFactory.lstmLayers(net);
    this.vocabularySize = (int) net.getLayer(0).getParam("W").size(0);
    this.hiddenSize = (int) net.getLayer(1).getParam("RW").size(0);
    this.type = net.params().dataType();
  }

  /** A stepper over the network itself (not a copy: it sees later parameter updates). */
  public static NetworkStepper of(MultiLayerNetwork net) {
    return new NetworkStepper(net);
  }

  @Override
  public int vocabularySize() {
    return vocabularySize;
  }

  @Override
  public TokenStepper.Rows start(int capacity) {
    INDArray[] h = new INDArray[layers];
    INDArray[] c = new INDArray[layers];
    for (int l = 0; l < layers; l++) {
      h[l] = Nd4j.zeros(type, capacity, hiddenSize);
      c[l] = Nd4j.zeros(type, capacity, hiddenSize);
    }
    return new NetworkRows(capacity, h, c);
  }

  private final class NetworkRows implements TokenStepper.Rows {
    private final int capacity;
    /** Per LSTM layer: (capacity, H) output activations and cell states. */
    private final INDArray[] h;
    private final INDArray[] c;

    NetworkRows(int capacity, INDArray[] h, INDArray[] c) {
      this.capacity = capacity;
      this.h = h;
      this.c = c;
    }

    @Override
    public void step(int n, int[] rows, int[] tokens, float[] logits) {
      int[][] ids = new int[capacity][1]; // PAD (0) for rows not stepped
      float[] stepped = new float[capacity];
      for (int i = 0; i < n; i++) {
        ids[rows[i]][0] = tokens[i];
        stepped[rows[i]] = 1;
      }
      for (int l = 0; l < layers; l++) {
        Map<String, INDArray> state = new HashMap<>();
        state.put(LSTM.STATE_KEY_PREV_ACTIVATION, h[l]);
        state.put(LSTM.STATE_KEY_PREV_MEMCELL, c[l]);
        net.rnnSetPreviousState(1 + l, state);
      }
      // (B, 1, 1) token ids -> (B, V, 1) next-token probabilities
      INDArray probabilities = net.rnnTimeStep(LstmFactory.input(ids, 1, type));
      INDArray keep = n == capacity ? null : Nd4j.create(stepped, new long[] {capacity, 1}, 'c')
          .castTo(type);
      for (int l = 0; l < layers; l++) {
        Map<String, INDArray> state = net.rnnGetPreviousState(1 + l);
        h[l] = merged(state.get(LSTM.STATE_KEY_PREV_ACTIVATION), h[l], keep);
        c[l] = merged(state.get(LSTM.STATE_KEY_PREV_MEMCELL), c[l], keep);
      }
      net.rnnClearPreviousState();
      // log-probabilities are the logits shifted per row: all the picker needs
      INDArray logProbs = Transforms.log(probabilities.reshape(capacity, vocabularySize), true);
      float[] host = logProbs.castTo(DataType.FLOAT).dup('c').data().asFloat();
      int v = vocabularySize;
      for (int i = 0; i < n; i++) {
        System.arraycopy(host, rows[i] * v, logits, i * v, v);
      }
    }

    /** The new state where {@code keep} is 1 (or everywhere when null), the old elsewhere. */
    private INDArray merged(INDArray updated, INDArray old, INDArray keep) {
      if (keep == null) {
        return updated;
      }
      return updated.mulColumnVector(keep).addi(old.mulColumnVector(keep.rsub(1)));
    }

    @Override
    public TokenStepper.Rows expand(int[] sources) {
      INDArray[] h2 = new INDArray[layers];
      INDArray[] c2 = new INDArray[layers];
      for (int l = 0; l < layers; l++) {
        h2[l] = h[l].getRows(sources);
        c2[l] = c[l].getRows(sources);
      }
      return new NetworkRows(sources.length, h2, c2);
    }
  }
}
