package io.sparkrl.policy.transformer;

import io.sparkrl.gradient.NativeFloats;

/**
 * The parameters of a transformer in native memory, which OpenBLAS reads in place, with the
 * offsets of every tensor resolved once: what {@link TransformerKernel} (sampling) and
 * {@link TransformerBackprop} (gradient) share. Loading new values of the same shape copies them
 * into the same buffer.
 *
 * <p>Linear maps are {@link Linear} pieces writing column blocks of one output matrix: a Llama
 * layer's q/k/v projections write {@code [q | k | v]} (one fused product when the three weights
 * are adjacent in the flat vector, i.e. without q/k/v biases), gate/up write {@code [gate | up]}
 * (always adjacent, so always one product); GPT-2's c_attn is one (in, out) Conv1D.
 */
public final class FastWeights {
  /**
   * One weight applied as {@code y[:, column .. column+out) = x W^T} ({@code outIn}, Llama (out,
   * in) storage) or {@code x W} (GPT-2 (in, out) storage).
   *
   * @param weight the weight's offset in the flat vector
   * @param bias the bias's offset, or -1
   * @param column the first output column it writes
   */
  record Linear(int weight, int out, int in, int bias, boolean outIn, int column) {
    /** Row-major leading dimension of the stored weight. */
    int ld() {
      return outIn ? in : out;
    }

    /** y[:, column..) = x op(W), over n rows; x (n, in) with leading dim ldx, y with ldy. */
    void forward(int n, NativeFloats w, NativeFloats x, int xOffset, int ldx, NativeFloats y,
        int ldy) {
      NativeFloats.gemm(false, outIn, n, out, in, 1f, x, xOffset, ldx, w, weight, ld(), 0f, y,
          column, ldy);
    }

    /** grad(W) += dy^T x (outIn) or x^T dy, over n rows. */
    void weightGradient(int n, NativeFloats x, int xOffset, int ldx, NativeFloats dy, int ldy,
        NativeFloats grad) {
      if (outIn) {
        NativeFloats.gemm(true, false, out, in, n, 1f, dy, column, ldy, x, xOffset, ldx, 1f, grad,
            weight, in);
      } else {
        NativeFloats.gemm(true, false, in, out, n, 1f, x, xOffset, ldx, dy, column, ldy, 1f, grad,
            weight, out);
      }
    }

    /** dx (n, in) = dy op(W)^T, added to dx when {@code accumulate}. */
    void inputGradient(int n, NativeFloats w, NativeFloats dy, int ldy, NativeFloats dx,
        boolean accumulate) {
      NativeFloats.gemm(false, !outIn, n, in, out, 1f, dy, column, ldy, w, weight, ld(),
          accumulate ? 1f : 0f, dx, 0, in);
    }
  }

  final TransformerShape shape;
  final TransformerLayout layout;
  final boolean llama;
  final int d;
  final int hd;
  final int qWidth;
  final int kvWidth;
  /** Columns of the q/k/v output: q, then k at {@link #qWidth}, then v. */
  final int qkvWidth;
  final int mlp;
  /** Columns of the MLP's first product: Llama [gate | up] = 2I, GPT-2 I. */
  final int upWidth;
  final int vocabulary;
  final float[] values;
  final NativeFloats params;
  final int[] norm1;
  final int[] norm1Bias;
  final int[] norm2;
  final int[] norm2Bias;
  final Linear[][] qkv;
  final Linear[] attentionOut;
  final Linear[][] up;
  final Linear[] down;
  final int finalNorm;
  final int finalNormBias;
  final int embedding;
  /** GPT-2's learned positions (maxPositions, d), or -1. */
  final int positions;
  final Linear head;
  /** Rotary cos/sin per (position, j < hd/2), computed in double as {@link Rotary} does. */
  final float[] cos;
  final float[] sin;

  public FastWeights(TransformerShape shape, float[] parameters) {
    this.shape = shape;
    this.layout = TransformerLayout.of(shape);
    if (parameters.length != layout.parameterCount()) {
      throw new IllegalArgumentException(parameters.length + " parameters for a transformer of "
          + layout.parameterCount());
    }
    this.llama = shape.family() == TransformerFamily.LLAMA;
    this.d = shape.modelWidth();
    this.hd = shape.headDim();
    this.qWidth = shape.heads() * hd;
    this.kvWidth = shape.kvHeads() * hd;
    this.qkvWidth = qWidth + 2 * kvWidth;
    this.mlp = shape.mlpWidth();
    this.upWidth = llama ? 2 * mlp : mlp;
    this.vocabulary = shape.vocabularySize();
    this.values = parameters.clone();
    this.params = new NativeFloats(values.length);
    params.put(0, values, 0, values.length);
    int layers = shape.layers();
    norm1 = new int[layers];
    norm1Bias = new int[layers];
    norm2 = new int[layers];
    norm2Bias = new int[layers];
    qkv = new Linear[layers][];
    attentionOut = new Linear[layers];
    up = new Linear[layers][];
    down = new Linear[layers];
    for (int l = 0; l < layers; l++) {
      if (llama) {
        norm1[l] = at(l, "input_layernorm.weight");
        norm1Bias[l] = -1;
        norm2[l] = at(l, "post_attention_layernorm.weight");
        norm2Bias[l] = -1;
        int q = at(l, "self_attn.q_proj.weight");
        int k = at(l, "self_attn.k_proj.weight");
        int v = at(l, "self_attn.v_proj.weight");
        if (!shape.attentionBias() && k == q + qWidth * d && v == k + kvWidth * d) {
          qkv[l] = new Linear[] {new Linear(q, qkvWidth, d, -1, true, 0)};
        } else {
          qkv[l] = new Linear[] {
              new Linear(q, qWidth, d, atOrNone(l, "self_attn.q_proj.bias"), true, 0),
              new Linear(k, kvWidth, d, atOrNone(l, "self_attn.k_proj.bias"), true, qWidth),
              new Linear(v, kvWidth, d, atOrNone(l, "self_attn.v_proj.bias"), true,
                  qWidth + kvWidth)};
        }
        attentionOut[l] = new Linear(at(l, "self_attn.o_proj.weight"), d, qWidth, -1, true, 0);
        int gate = at(l, "mlp.gate_proj.weight");
        int upProj = at(l, "mlp.up_proj.weight");
        up[l] = upProj == gate + mlp * d
            ? new Linear[] {new Linear(gate, 2 * mlp, d, -1, true, 0)}
            : new Linear[] {new Linear(gate, mlp, d, -1, true, 0),
                new Linear(upProj, mlp, d, -1, true, mlp)};
        down[l] = new Linear(at(l, "mlp.down_proj.weight"), d, mlp, -1, true, 0);
      } else {
        norm1[l] = at(l, "ln_1.weight");
        norm1Bias[l] = at(l, "ln_1.bias");
        norm2[l] = at(l, "ln_2.weight");
        norm2Bias[l] = at(l, "ln_2.bias");
        qkv[l] = new Linear[] {
            new Linear(at(l, "attn.c_attn.weight"), 3 * d, d, at(l, "attn.c_attn.bias"), false,
                0)};
        attentionOut[l] = new Linear(at(l, "attn.c_proj.weight"), d, d, at(l, "attn.c_proj.bias"),
            false, 0);
        up[l] = new Linear[] {
            new Linear(at(l, "mlp.c_fc.weight"), mlp, d, at(l, "mlp.c_fc.bias"), false, 0)};
        down[l] = new Linear(at(l, "mlp.c_proj.weight"), d, mlp, at(l, "mlp.c_proj.bias"), false,
            0);
      }
    }
    finalNorm = layout.tensor(llama ? "model.norm.weight" : "transformer.ln_f.weight").offset();
    finalNormBias = llama ? -1 : layout.tensor("transformer.ln_f.bias").offset();
    embedding = layout.embedding().offset();
    positions = llama ? -1 : layout.tensor("transformer.wpe.weight").offset();
    head = new Linear(layout.head().offset(), vocabulary, d, -1, true, 0);
    int half = hd / 2;
    int rotaryPositions = llama ? shape.maxPositions() : 0;
    cos = new float[rotaryPositions * half];
    sin = new float[rotaryPositions * half];
    for (int p = 0; p < rotaryPositions; p++) {
      for (int j = 0; j < half; j++) {
        double angle = p * Math.pow(shape.ropeTheta(), -2.0 * j / hd);
        cos[p * half + j] = (float) Math.cos(angle);
        sin[p * half + j] = (float) Math.sin(angle);
      }
    }
  }

  /** Bumped by every {@link #load}: engines' cached forward passes are of one version. */
  int version;

  /** Copies new values of the same shape into place. */
  public void load(float[] parameters) {
    version++;
    if (parameters.length != values.length) {
      throw new IllegalArgumentException(parameters.length + " parameters for a transformer of "
          + values.length);
    }
    System.arraycopy(parameters, 0, values, 0, values.length);
    params.put(0, values, 0, values.length);
  }

  private int at(int l, String suffix) {
    return layout.tensor(TransformerWeights.layerName(shape.family(), l, suffix)).offset();
  }

  private int atOrNone(int l, String suffix) {
    String name = TransformerWeights.layerName(shape.family(), l, suffix);
    return layout.has(name) ? layout.tensor(name).offset() : -1;
  }

  private NativeFloats headByColumns;
  private int headByColumnsVersion = -1;

  /**
   * The output head as a (d, V) matrix (the stored head transposed), built on first use after
   * each {@link #load}: what the sampler multiplies by. OpenBLAS at the sampler's few rows is
   * bound by packing its operands, and it packs a (d, V) head faster than the stored (V, d) one
   * (measured at small, V 8192, d 512, 16 rows: 5.5 ms against 8.3 ms a product; 1.13x at 64
   * rows). Costs V x d floats more native memory where a kernel samples.
   */
  synchronized NativeFloats headByColumns() {
    if (headByColumnsVersion != version) {
      if (headByColumns == null) {
        headByColumns = new NativeFloats(vocabulary * d);
      }
      // transposed a band of rows at a time (each load: not a second V x d array per step)
      int band = Math.min(d, 64);
      float[] t = new float[band * vocabulary];
      for (int j0 = 0; j0 < d; j0 += band) {
        int rows = Math.min(band, d - j0);
        for (int v = 0; v < vocabulary; v++) {
          int from = head.weight() + v * d + j0;
          for (int j = 0; j < rows; j++) {
            t[j * vocabulary + v] = values[from + j];
          }
        }
        headByColumns.put(j0 * vocabulary, t, 0, rows * vocabulary);
      }
      headByColumnsVersion = version;
    }
    return headByColumns;
  }

  private WeightPanels panels;
  private int panelsVersion = -1;

  /**
   * The weights as {@link WeightPanels}, repacked on first use after each {@link #load}: what
   * {@link PanelProducts} multiplies by. Costs the matrix products' parameters once more, on the
   * heap, where a kernel samples with them.
   */
  synchronized WeightPanels panels() {
    if (panels == null) {
      panels = new WeightPanels(this);
    } else if (panelsVersion != version) {
      panels.pack(values);
    }
    panelsVersion = version;
    return panels;
  }

  /**
   * Bytes a kernel with these products keeps beside the parameters, shared by the kernels over
   * these weights: the (d, V) head for OpenBLAS, every weight as panels for the vector panels.
   */
  public long samplerBytes(SamplingProducts products) {
    return products == SamplingProducts.OPENBLAS ? 4L * vocabulary * d : WeightPanels.bytes(this);
  }

  /** Every linear map the sampler multiplies by, the head last. */
  java.util.List<Linear> linears() {
    java.util.List<Linear> all = new java.util.ArrayList<>();
    for (int l = 0; l < shape.layers(); l++) {
      all.addAll(java.util.List.of(qkv[l]));
      all.add(attentionOut[l]);
      all.addAll(java.util.List.of(up[l]));
      all.add(down[l]);
    }
    all.add(head);
    return all;
  }

  /** Parameters of the matrix products per position (every linear map and the head). */
  public long matmulParameters() {
    long perLayer = (long) d * qkvWidth + (long) qWidth * d + (long) d * upWidth + (long) mlp * d;
    return perLayer * shape.layers() + (long) vocabulary * d;
  }
}
