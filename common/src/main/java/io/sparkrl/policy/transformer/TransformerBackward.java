package io.sparkrl.policy.transformer;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The backward pass of a {@link TransformerForward.Pass} over whole sequences: given dL/dlogits,
 * adds dL/d(theta) of every tensor into a gradient in the parameters' layout. A tied head's
 * embedding gets both its contributions (as input embedding and as output head).
 */
final class TransformerBackward {
  private final TransformerShape shape;
  private final TransformerWeights w;
  private final TransformerWeights g;
  private final boolean llama;

  /**
   * @param weights the parameters the forward pass used
   * @param gradient receives the gradient (added to what it holds)
   */
  TransformerBackward(TransformerShape shape, TransformerWeights weights,
      TransformerWeights gradient) {
    this.shape = shape;
    this.w = weights;
    this.g = gradient;
    this.llama = shape.family() == TransformerFamily.LLAMA;
  }

  void run(TransformerForward.Pass pass, CausalAttention attention, INDArray dLogits,
      INDArray head, String headName) {
    g.get(headName).addi(Kernels.mm(dLogits, pass.finalNorm.out(), true, false));
    INDArray dx = Kernels.mm(dLogits, head);
    dx = llama
        ? Kernels.normBackward(pass.finalNorm, dx, w.get("model.norm.weight"),
            g.get("model.norm.weight"), null)
        : Kernels.normBackward(pass.finalNorm, dx, w.get("transformer.ln_f.weight"),
            g.get("transformer.ln_f.weight"), g.get("transformer.ln_f.bias"));
    for (int l = shape.layers() - 1; l >= 0; l--) {
      dx = llama ? llamaLayer(l, pass.layers[l], pass, attention, dx)
          : gpt2Layer(l, pass.layers[l], attention, dx);
    }
    INDArray embedding = g.get(llama ? "model.embed_tokens.weight" : "transformer.wte.weight");
    Kernels.scatterAddRows(embedding, pass.tokens, dx);
    if (!llama) {
      Kernels.scatterAddRows(g.get("transformer.wpe.weight"), pass.positions, dx);
    }
  }

  /** dL/d(layer input) of a Llama layer, given dL/d(layer output). */
  private INDArray llamaLayer(int l, TransformerForward.Layer a, TransformerForward.Pass pass,
      CausalAttention attention, INDArray dOut) {
    // MLP: out = h + down(silu(gate) * up)
    INDArray dHidden = Kernels.linearBackward(a.hidden, dOut, w.layer(l, "mlp.down_proj.weight"),
        true, g.layer(l, "mlp.down_proj.weight"), null);
    INDArray dGate = Kernels.siluBackward(a.mlpIn, dHidden.mul(a.up));
    INDArray dUp = dHidden.muli(Kernels.silu(a.mlpIn));
    INDArray dn2 = Kernels.linearBackward(a.norm2.out(), dGate, w.layer(l, "mlp.gate_proj.weight"),
        true, g.layer(l, "mlp.gate_proj.weight"), null);
    dn2.addi(Kernels.linearBackward(a.norm2.out(), dUp, w.layer(l, "mlp.up_proj.weight"), true,
        g.layer(l, "mlp.up_proj.weight"), null));
    INDArray dh = dOut.add(Kernels.normBackward(a.norm2, dn2,
        w.layer(l, "post_attention_layernorm.weight"), g.layer(l, "post_attention_layernorm.weight"),
        null));
    // attention: h = x + o_proj(attend(rope(q), rope(k), v))
    INDArray dContext = Kernels.linearBackward(a.context, dh, w.layer(l, "self_attn.o_proj.weight"),
        true, g.layer(l, "self_attn.o_proj.weight"), null);
    INDArray[] dqkv = attention.backward(l, a.q, a.k, a.v, dContext);
    INDArray dq = pass.rotary.backward(dqkv[0]);
    INDArray dk = pass.rotary.backward(dqkv[1]);
    INDArray in = a.norm1.out();
    INDArray dn1 = Kernels.linearBackward(in, dq, w.layer(l, "self_attn.q_proj.weight"), true,
        g.layer(l, "self_attn.q_proj.weight"), g.layerOrNull(l, "self_attn.q_proj.bias"));
    dn1.addi(Kernels.linearBackward(in, dk, w.layer(l, "self_attn.k_proj.weight"), true,
        g.layer(l, "self_attn.k_proj.weight"), g.layerOrNull(l, "self_attn.k_proj.bias")));
    dn1.addi(Kernels.linearBackward(in, dqkv[2], w.layer(l, "self_attn.v_proj.weight"), true,
        g.layer(l, "self_attn.v_proj.weight"), g.layerOrNull(l, "self_attn.v_proj.bias")));
    return dh.addi(Kernels.normBackward(a.norm1, dn1, w.layer(l, "input_layernorm.weight"),
        g.layer(l, "input_layernorm.weight"), null));
  }

  /** dL/d(layer input) of a GPT-2 layer, given dL/d(layer output). */
  private INDArray gpt2Layer(int l, TransformerForward.Layer a, CausalAttention attention,
      INDArray dOut) {
    INDArray dHidden = Kernels.linearBackward(a.hidden, dOut, w.layer(l, "mlp.c_proj.weight"),
        false, g.layer(l, "mlp.c_proj.weight"), g.layer(l, "mlp.c_proj.bias"));
    INDArray dFc = Kernels.geluBackward(a.mlpIn, dHidden);
    INDArray dn2 = Kernels.linearBackward(a.norm2.out(), dFc, w.layer(l, "mlp.c_fc.weight"), false,
        g.layer(l, "mlp.c_fc.weight"), g.layer(l, "mlp.c_fc.bias"));
    INDArray dh = dOut.add(Kernels.normBackward(a.norm2, dn2, w.layer(l, "ln_2.weight"),
        g.layer(l, "ln_2.weight"), g.layer(l, "ln_2.bias")));
    INDArray dContext = Kernels.linearBackward(a.context, dh, w.layer(l, "attn.c_proj.weight"),
        false, g.layer(l, "attn.c_proj.weight"), g.layer(l, "attn.c_proj.bias"));
    INDArray[] dqkv = attention.backward(l, a.q, a.k, a.v, dContext);
    INDArray dAll = org.nd4j.linalg.factory.Nd4j.hstack(dqkv[0], dqkv[1], dqkv[2]);
    INDArray dn1 = Kernels.linearBackward(a.norm1.out(), dAll, w.layer(l, "attn.c_attn.weight"),
        false, g.layer(l, "attn.c_attn.weight"), g.layer(l, "attn.c_attn.bias"));
    return dh.addi(Kernels.normBackward(a.norm1, dn1, w.layer(l, "ln_1.weight"),
        g.layer(l, "ln_1.weight"), g.layer(l, "ln_1.bias")));
  }
}
