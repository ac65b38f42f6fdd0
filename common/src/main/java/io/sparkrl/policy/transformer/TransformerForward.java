package io.sparkrl.policy.transformer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The forward pass of n token positions through the decoder stack, keeping what the backward pass
 * needs. Everything but attention is per position (one matrix row each); how positions attend to
 * each other is the {@link Attention} the caller gives: causal over whole sequences (training,
 * prefill) or over a key/value cache (sampling).
 */
final class TransformerForward {
  /** Mixes positions: from post-rotary q (n, heads*hd), k and v (n, kvHeads*hd), ctx (n, heads*hd). */
  interface Attention {
    INDArray attend(int layer, INDArray q, INDArray k, INDArray v);
  }

  /** One layer's saved activations. */
  static final class Layer {
    Kernels.Normalised norm1;
    INDArray q;
    INDArray k;
    INDArray v;
    INDArray context;
    Kernels.Normalised norm2;
    /** Llama: the gate projection; GPT-2: c_fc's output (before GELU). */
    INDArray mlpIn;
    /** Llama: the up projection; GPT-2: unused. */
    INDArray up;
    /** The MLP's hidden activation, input of down_proj / c_proj. */
    INDArray hidden;
  }

  /** A pass's positions and saved activations. */
  static final class Pass {
    final int[] tokens;
    final int[] positions;
    final Layer[] layers;
    final Rotary rotary;
    Kernels.Normalised finalNorm;
    INDArray logits;

    Pass(int[] tokens, int[] positions, Layer[] layers, Rotary rotary) {
      this.tokens = tokens;
      this.positions = positions;
      this.layers = layers;
      this.rotary = rotary;
    }
  }

  private final TransformerShape shape;
  private final TransformerWeights w;
  private final DataType dataType;
  private final boolean llama;
  private final String headName;

  TransformerForward(TransformerShape shape, TransformerWeights weights, DataType dataType) {
    this.shape = shape;
    this.w = weights;
    this.dataType = dataType;
    this.llama = shape.family() == TransformerFamily.LLAMA;
    this.headName = TransformerLayout.of(shape).head().name();
  }

  /**
   * Logits (n, V) for tokens[r] at absolute position positions[r].
   *
   * @throws IllegalArgumentException for a position outside [0, maxPositions) or a token outside
   *     the vocabulary
   */
  Pass run(int[] tokens, int[] positions, Attention attention) {
    int n = tokens.length;
    for (int r = 0; r < n; r++) {
      if (positions[r] < 0 || positions[r] >= shape.maxPositions()) {
        throw new IllegalArgumentException("position " + positions[r] + " outside the model's "
            + shape.maxPositions() + " positions");
      }
      if (tokens[r] < 0 || tokens[r] >= shape.vocabularySize()) {
        throw new IllegalArgumentException("token " + tokens[r] + " outside the vocabulary of "
            + shape.vocabularySize());
      }
    }
    Pass pass = new Pass(tokens, positions, new Layer[shape.layers()],
        llama ? Rotary.at(shape, positions, dataType) : null);
    INDArray x = rows(llama ? w.get("model.embed_tokens.weight") : w.get("transformer.wte.weight"),
        tokens);
    if (!llama) {
      x.addi(rows(w.get("transformer.wpe.weight"), positions));
    }
    double eps = shape.normEpsilon();
    int d = shape.modelWidth();
    for (int l = 0; l < shape.layers(); l++) {
      Layer a = new Layer();
      pass.layers[l] = a;
      if (llama) {
        a.norm1 = Kernels.rmsNorm(x, w.layer(l, "input_layernorm.weight"), eps);
        INDArray in = a.norm1.out();
        a.q = pass.rotary.apply(Kernels.linear(in, w.layer(l, "self_attn.q_proj.weight"), true,
            w.layerOrNull(l, "self_attn.q_proj.bias")));
        a.k = pass.rotary.apply(Kernels.linear(in, w.layer(l, "self_attn.k_proj.weight"), true,
            w.layerOrNull(l, "self_attn.k_proj.bias")));
        a.v = Kernels.linear(in, w.layer(l, "self_attn.v_proj.weight"), true,
            w.layerOrNull(l, "self_attn.v_proj.bias"));
        a.context = attention.attend(l, a.q, a.k, a.v);
        x = x.add(Kernels.linear(a.context, w.layer(l, "self_attn.o_proj.weight"), true, null));
        a.norm2 = Kernels.rmsNorm(x, w.layer(l, "post_attention_layernorm.weight"), eps);
        a.mlpIn = Kernels.linear(a.norm2.out(), w.layer(l, "mlp.gate_proj.weight"), true, null);
        a.up = Kernels.linear(a.norm2.out(), w.layer(l, "mlp.up_proj.weight"), true, null);
        a.hidden = Kernels.silu(a.mlpIn).muli(a.up);
        x = x.add(Kernels.linear(a.hidden, w.layer(l, "mlp.down_proj.weight"), true, null));
      } else {
        a.norm1 = Kernels.layerNorm(x, w.layer(l, "ln_1.weight"), w.layer(l, "ln_1.bias"), eps);
        INDArray qkv = Kernels.linear(a.norm1.out(), w.layer(l, "attn.c_attn.weight"), false,
            w.layer(l, "attn.c_attn.bias"));
        a.q = columns(qkv, 0, d);
        a.k = columns(qkv, d, 2 * d);
        a.v = columns(qkv, 2 * d, 3 * d);
        a.context = attention.attend(l, a.q, a.k, a.v);
        x = x.add(Kernels.linear(a.context, w.layer(l, "attn.c_proj.weight"), false,
            w.layer(l, "attn.c_proj.bias")));
        a.norm2 = Kernels.layerNorm(x, w.layer(l, "ln_2.weight"), w.layer(l, "ln_2.bias"), eps);
        a.mlpIn = Kernels.linear(a.norm2.out(), w.layer(l, "mlp.c_fc.weight"), false,
            w.layer(l, "mlp.c_fc.bias"));
        a.hidden = Kernels.gelu(a.mlpIn);
        x = x.add(Kernels.linear(a.hidden, w.layer(l, "mlp.c_proj.weight"), false,
            w.layer(l, "mlp.c_proj.bias")));
      }
    }
    pass.finalNorm = llama ? Kernels.rmsNorm(x, w.get("model.norm.weight"), eps)
        : Kernels.layerNorm(x, w.get("transformer.ln_f.weight"), w.get("transformer.ln_f.bias"),
            eps);
    pass.logits = Kernels.mm(pass.finalNorm.out(), head(), false, true);
    return pass;
  }

  /** The output head's weight (V, d). */
  INDArray head() {
    return w.get(headName);
  }

  /** Rows {@code index[r]} of matrix m, as a new (n, cols) matrix. */
  static INDArray rows(INDArray m, int[] index) {
    INDArray out = Nd4j.pullRows(m, 1, index);
    return out.ordering() == 'c' ? out : out.dup('c');
  }

  static INDArray columns(INDArray m, int from, int to) {
    return m.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)).dup('c');
  }
}
