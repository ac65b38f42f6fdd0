package io.sparkrl.policy.transformer;

import io.sparkrl.gradient.GradientSum;
import io.sparkrl.gradient.LossSettings;
import io.sparkrl.gradient.SequenceBatch;
import io.sparkrl.gradient.TokenLoss;
import io.sparkrl.gradient.TrainingSequence;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A decoder-only transformer policy (Llama family or GPT-2) on a flat parameter vector in
 * {@link TransformerLayout}'s order: log-probabilities of completions, the REINFORCE gradient sum
 * (the same contract as {@code LstmBackprop}), and a KV-cached {@link TransformerStepper} for
 * sampling. All maths is ND4J ops (gemm, element-wise transforms, broadcasts, reductions) that the
 * CPU and CUDA backends both provide, in the data type given (FLOAT normally; DOUBLE for
 * finite-difference checks); only the per-token loss ({@link TokenLoss}) runs in Java doubles.
 *
 * <p>Sequences are batched row-major: matrix row {@code i*T + t} is position t of sequence i,
 * T = the longest sequence minus one (the last token is predicted, never read). Position t reads
 * token t at absolute position t and predicts token t+1; only completion positions (promptLength-1
 * .. length-2) carry loss. Right-padding (token 0) sits after each sequence's tokens, where causal
 * attention keeps it from every real position; padded rows carry zero loss gradient.
 *
 * <p>Memory of one {@link #sum} over B sequences of T positions (T = longest - 1), in elements
 * of the data type unless said: the parameters P (the engine's own copy) and a gradient of P,
 * plus P doubles in the returned {@link GradientSum}; saved activations
 * {@code B*T*(L*(7d + 2*kvHeads*hd + 3I) + 2d) + L*B*heads*T^2} (the last term: attention
 * probabilities); logits B*T*V, plus two B*T*V double arrays for the loss (logits and dL/dz); and
 * transient temporaries of about one layer's activations. For the stepper's cache see
 * {@link TransformerStepper}. Nothing is pooled: every call allocates its arrays afresh (ND4J frees
 * them when they are collected).
 *
 * <p>Not thread-safe: one engine per thread (it caches the last batch's forward pass so that
 * {@link #completionLogProbs} and {@link #sum} on one batch share it). The parameters are copied
 * into an ND4J array at construction; later changes to the caller's array are not seen.
 */
public final class TransformerPolicy {
  private final TransformerShape shape;
  private final TransformerLayout layout;
  private final DataType dataType;
  private final TransformerWeights weights;
  private final TransformerForward forward;
  private SequenceBatch forwardOf;
  private TransformerForward.Pass lastPass;
  private CausalAttention lastAttention;
  private int lastLength;

  private TransformerPolicy(TransformerShape shape, INDArray flat, DataType dataType) {
    this.shape = shape;
    this.layout = TransformerLayout.of(shape);
    this.dataType = dataType;
    this.weights = new TransformerWeights(layout, flat);
    this.forward = new TransformerForward(shape, weights, dataType);
  }

  /** An engine over float parameters (copied), computing in {@code dataType}. */
  public static TransformerPolicy of(TransformerShape shape, float[] parameters,
      DataType dataType) {
    check(shape, parameters.length);
    return new TransformerPolicy(shape, Nd4j.createFromArray(parameters).castTo(dataType),
        dataType);
  }

  /** An engine over double parameters (copied; finite-difference tests), computing in dataType. */
  public static TransformerPolicy of(TransformerShape shape, double[] parameters,
      DataType dataType) {
    check(shape, parameters.length);
    return new TransformerPolicy(shape, Nd4j.createFromArray(parameters).castTo(dataType),
        dataType);
  }

  private static void check(TransformerShape shape, int length) {
    int expected = TransformerLayout.of(shape).parameterCount();
    if (length != expected) {
      throw new IllegalArgumentException(length + " parameters for a transformer of " + expected);
    }
  }

  public TransformerShape shape() {
    return shape;
  }

  public TransformerLayout layout() {
    return layout;
  }

  public DataType dataType() {
    return dataType;
  }

  TransformerForward forward() {
    return forward;
  }

  TransformerWeights weights() {
    return weights;
  }

  /** log pi(a) of every completion token, [i][k]: one batched forward pass. */
  public double[][] completionLogProbs(SequenceBatch batch) {
    double[][] logits = forwardLogits(batch);
    List<TrainingSequence> sequences = batch.sequences();
    double[][] out = new double[sequences.size()][];
    double[] z = new double[shape.vocabularySize()];
    for (int i = 0; i < out.length; i++) {
      TrainingSequence s = sequences.get(i);
      out[i] = new double[s.completionLength()];
      for (int k = 0; k < out[i].length; k++) {
        int t = s.promptLength() - 1 + k;
        System.arraycopy(logits[i * lastLength + t], 0, z, 0, z.length);
        TokenLoss.logSoftmax(z, z);
        out[i][k] = z[s.tokens()[t + 1]];
      }
    }
    return out;
  }

  /**
   * d/d(theta) of {@code sum_i [ -A_i sum_t log pi(a_t^i) + beta sum_t k_t - alpha sum_t H_t ]}
   * over completion tokens, in {@link TransformerLayout}'s order.
   *
   * @param regularizer the loss whose KL/entropy terms to include, or null for none
   * @param referenceLogProbs log pi_ref per completion token, [i][k], when the KL term is on
   */
  public GradientSum sum(SequenceBatch batch, double[] advantages, LossSettings regularizer,
      double[][] referenceLogProbs) {
    List<TrainingSequence> sequences = batch.sequences();
    if (advantages.length != sequences.size()) {
      throw new IllegalArgumentException(advantages.length + " advantages for "
          + sequences.size() + " sequences");
    }
    double beta = regularizer == null ? 0 : regularizer.klCoefficient();
    double alpha = regularizer == null ? 0 : regularizer.entropyCoefficient();
    boolean k3 = regularizer != null && regularizer.klEstimator() == LossSettings.KlEstimator.K3;
    if (beta != 0 && referenceLogProbs == null) {
      throw new IllegalArgumentException("the KL term needs reference log-probs");
    }
    double[][] logits = forwardLogits(batch);
    int v = shape.vocabularySize();
    double[] dz = new double[logits.length * v];
    double[] z = new double[v];
    double loss = 0;
    for (int i = 0; i < sequences.size(); i++) {
      TrainingSequence s = sequences.get(i);
      int[] tokens = s.tokens();
      for (int t = s.promptLength() - 1; t < tokens.length - 1; t++) {
        int r = i * lastLength + t;
        System.arraycopy(logits[r], 0, z, 0, v);
        double lref = beta != 0 ? referenceLogProbs[i][t + 1 - s.promptLength()] : 0;
        loss += TokenLoss.row(z, tokens[t + 1], advantages[i], beta, lref, k3, alpha, dz, r * v);
      }
    }
    INDArray dLogits = Nd4j.create(dz, new long[] {logits.length, v}, 'c').castTo(dataType);
    TransformerWeights gradient =
        new TransformerWeights(layout, Nd4j.zeros(dataType, layout.parameterCount()));
    new TransformerBackward(shape, weights, gradient).run(lastPass, lastAttention, dLogits,
        forward.head(), layout.head().name());
    return new GradientSum(gradient.flat().toDoubleVector(), sequences.size(),
        batch.completionTokens(), loss);
  }

  /**
   * log-softmax over the vocabulary at every position of each sequence: [i][t][j] = log p(token
   * j at t+1 | tokens 0..t), for t in [0, length). Sequences of different lengths share one padded
   * pass.
   */
  public double[][][] nextTokenLogProbs(List<int[]> sequences) {
    int longest = 0;
    for (int[] s : sequences) {
      longest = Math.max(longest, s.length);
    }
    int[][] rows = sequences.toArray(new int[0][]);
    CausalAttention attention = new CausalAttention(shape, rows.length, longest, dataType);
    double[][] logits = run(rows, longest, attention).logits.toDoubleMatrix();
    double[][][] out = new double[rows.length][][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = new double[rows[i].length][];
      for (int t = 0; t < rows[i].length; t++) {
        out[i][t] = new double[shape.vocabularySize()];
        TokenLoss.logSoftmax(logits[i * longest + t], out[i][t]);
      }
    }
    return out;
  }

  /** A KV-cached sampler over this policy; caches hold prompt + {@code maxNewTokens} positions. */
  public TransformerStepper stepper(int maxNewTokens) {
    return new TransformerStepper(this, maxNewTokens);
  }

  /** Sequences' first {@code length} tokens (right-padded with 0), all at positions 0..length-1. */
  TransformerForward.Pass run(int[][] rows, int length, TransformerForward.Attention attention) {
    int[] tokens = new int[rows.length * length];
    int[] positions = new int[tokens.length];
    for (int i = 0; i < rows.length; i++) {
      for (int t = 0; t < length; t++) {
        tokens[i * length + t] = t < rows[i].length ? rows[i][t] : 0;
        positions[i * length + t] = t;
      }
    }
    return forward.run(tokens, positions, attention);
  }

  /** Logits of every position of the batch (B*T rows), reusing the last pass for the same batch. */
  private double[][] forwardLogits(SequenceBatch batch) {
    List<TrainingSequence> sequences = batch.sequences();
    if (forwardOf != batch) {
      int longest = 0;
      int[][] rows = new int[sequences.size()][];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = sequences.get(i).tokens();
        longest = Math.max(longest, rows[i].length);
      }
      lastLength = Math.max(1, longest - 1);
      lastAttention = new CausalAttention(shape, rows.length, lastLength, dataType);
      lastPass = run(rows, lastLength, lastAttention);
      forwardOf = batch;
    }
    return lastPass.logits.toDoubleMatrix();
  }
}
