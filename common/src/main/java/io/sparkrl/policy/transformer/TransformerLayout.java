package io.sparkrl.policy.transformer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every tensor of a transformer as a named block of ONE flat parameter vector, with Hugging Face's
 * names, shapes and row-major storage, in Hugging Face's state-dict order: importing or exporting
 * a safetensors checkpoint is a straight copy of each tensor's floats to or from its block.
 *
 * <p>Llama linear weights are stored (out, in) and applied as {@code y = x W^T (+ b)}; GPT-2's
 * Conv1D weights are stored (in, out) and applied as {@code y = x W + b}, with c_attn's columns
 * {@code [q | k | v]}. The gradient vector uses the same layout.
 */
public final class TransformerLayout {
  /**
   * One tensor: its Hugging Face name, shape (row-major) and where its values sit.
   *
   * @param offset index of its first value in the flat vector
   * @param length the product of the shape
   */
  public record Tensor(String name, int[] shape, int offset, int length) {
    public Tensor {
      shape = shape.clone();
    }

    @Override
    public int[] shape() {
      return shape.clone();
    }

    /** Rows of a matrix (the only dimension of a vector). */
    public int rows() {
      return shape[0];
    }

    /** Columns of a matrix; 1 for a vector. */
    public int columns() {
      return shape.length > 1 ? shape[1] : 1;
    }

    @Override
    public String toString() {
      return name + Arrays.toString(shape) + "@" + offset;
    }
  }

  private final TransformerShape shape;
  private final List<Tensor> tensors;
  private final Map<String, Tensor> byName;
  private final int parameterCount;

  private TransformerLayout(TransformerShape shape, List<Tensor> tensors) {
    this.shape = shape;
    this.tensors = Collections.unmodifiableList(tensors);
    Map<String, Tensor> map = new LinkedHashMap<>();
    for (Tensor t : tensors) {
      map.put(t.name(), t);
    }
    this.byName = Collections.unmodifiableMap(map);
    Tensor last = tensors.get(tensors.size() - 1);
    this.parameterCount = last.offset() + last.length();
  }

  public static TransformerLayout of(TransformerShape shape) {
    Builder b = new Builder();
    int v = shape.vocabularySize();
    int d = shape.modelWidth();
    int hd = shape.headDim();
    int inner = shape.mlpWidth();
    if (shape.family() == TransformerFamily.LLAMA) {
      int q = shape.heads() * hd;
      int kv = shape.kvHeads() * hd;
      b.add("model.embed_tokens.weight", v, d);
      for (int i = 0; i < shape.layers(); i++) {
        String p = "model.layers." + i + ".";
        b.add(p + "input_layernorm.weight", d);
        b.add(p + "self_attn.q_proj.weight", q, d);
        if (shape.attentionBias()) {
          b.add(p + "self_attn.q_proj.bias", q);
        }
        b.add(p + "self_attn.k_proj.weight", kv, d);
        if (shape.attentionBias()) {
          b.add(p + "self_attn.k_proj.bias", kv);
        }
        b.add(p + "self_attn.v_proj.weight", kv, d);
        if (shape.attentionBias()) {
          b.add(p + "self_attn.v_proj.bias", kv);
        }
        b.add(p + "self_attn.o_proj.weight", d, q);
        b.add(p + "post_attention_layernorm.weight", d);
        b.add(p + "mlp.gate_proj.weight", inner, d);
        b.add(p + "mlp.up_proj.weight", inner, d);
        b.add(p + "mlp.down_proj.weight", d, inner);
      }
      b.add("model.norm.weight", d);
      if (!shape.tiedHead()) {
        b.add("lm_head.weight", v, d);
      }
    } else {
      b.add("transformer.wte.weight", v, d);
      b.add("transformer.wpe.weight", shape.maxPositions(), d);
      for (int i = 0; i < shape.layers(); i++) {
        String p = "transformer.h." + i + ".";
        b.add(p + "ln_1.weight", d);
        b.add(p + "ln_1.bias", d);
        b.add(p + "attn.c_attn.weight", d, 3 * d);
        b.add(p + "attn.c_attn.bias", 3 * d);
        b.add(p + "attn.c_proj.weight", d, d);
        b.add(p + "attn.c_proj.bias", d);
        b.add(p + "ln_2.weight", d);
        b.add(p + "ln_2.bias", d);
        b.add(p + "mlp.c_fc.weight", d, inner);
        b.add(p + "mlp.c_fc.bias", inner);
        b.add(p + "mlp.c_proj.weight", inner, d);
        b.add(p + "mlp.c_proj.bias", d);
      }
      b.add("transformer.ln_f.weight", d);
      b.add("transformer.ln_f.bias", d);
    }
    return new TransformerLayout(shape, b.tensors);
  }

  public TransformerShape shape() {
    return shape;
  }

  /** All tensors in state-dict order, contiguous and non-overlapping. */
  public List<Tensor> tensors() {
    return tensors;
  }

  /** The tensor called {@code name}; fails naming it when there is none. */
  public Tensor tensor(String name) {
    Tensor t = byName.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no tensor '" + name + "' in a " + shape.family()
          + " transformer (" + tensors.size() + " tensors)");
    }
    return t;
  }

  public boolean has(String name) {
    return byName.containsKey(name);
  }

  /** The output head's weight (V, d): lm_head when untied, else the token embedding. */
  public Tensor head() {
    if (shape.family() == TransformerFamily.GPT2) {
      return tensor("transformer.wte.weight");
    }
    return tensor(shape.tiedHead() ? "model.embed_tokens.weight" : "lm_head.weight");
  }

  /** The token embedding (V, d). */
  public Tensor embedding() {
    return tensor(shape.family() == TransformerFamily.GPT2 ? "transformer.wte.weight"
        : "model.embed_tokens.weight");
  }

  /** The length of the flat parameter vector. */
  public int parameterCount() {
    return parameterCount;
  }

  private static final class Builder {
    private final List<Tensor> tensors = new ArrayList<>();
    private long next;

    void add(String name, int... shape) {
      long length = 1;
      for (int s : shape) {
        length *= s;
      }
      if (next + length > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("more than 2^31 parameters at tensor " + name
            + ": a flat float[] cannot hold them");
      }
      tensors.add(new Tensor(name, shape, (int) next, (int) length));
      next += length;
    }
  }
}
