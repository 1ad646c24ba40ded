# Writes models/<id>/README.md (the model card) from eval.json, the training summary and
# logs, and the data-source licence table in scripts/train/data.py.
import json
import os

from scripts.train import data as D


def _fmt(x, nd=3):
    return f"{x:.{nd}f}"


def _throughput(work):
    """Median tokens/s of each training stage from its log.jsonl."""
    out = {}
    for stage in ("pretrain", "sft"):
        p = os.path.join(work, stage, "log.jsonl")
        if not os.path.exists(p):
            continue
        rates = sorted(r["tok_s"] for r in map(json.loads, open(p)) if "tok_s" in r)
        if rates:
            out[stage] = rates[len(rates) // 2]
    return out


def write_card(out_dir, res, work):
    cfg = res["config"]
    tr = res.get("training", {})
    tps = _throughput(work)
    sizes = res["file_sizes"]
    mb = lambda f: sizes.get(f, 0) / 1e6  # noqa: E731
    L = []
    L.append(f"# {os.path.basename(os.path.abspath(out_dir))}\n")
    L.append("Hearth's default chat model: a small GPT-2-layout decoder trained from scratch on a 2-core CPU, "
             "shipped with the app so it works offline on first load. It is tiny: expect short, simple, often "
             "wrong answers.\n")
    L.append("## Model\n")
    L.append(f"- Architecture: GPT-2 layout (`model_type: gpt2`, tied embeddings, learned positions, GELU), "
             f"{cfg['n_layer']} layers, {cfg['n_embd']} hidden, {cfg['n_head']} heads, context {cfg['n_positions']} tokens.")
    L.append(f"- Parameters: {res['params'] / 1e6:.2f} M (of which embeddings {cfg['vocab_size'] * cfg['n_embd'] / 1e6:.2f} M).")
    L.append(f"- Tokenizer: byte-level BPE, {cfg['vocab_size']} tokens, trained on the training split of the data below. "
             "Special tokens `<|endoftext|>` (0), `<|system|>`, `<|user|>`, `<|assistant|>`, `<|end|>` (end of turn).")
    L.append("- Chat template: `<|{role}|>\\n{content}<|end|>\\n` per message, then `<|assistant|>\\n`; generation stops on `<|end|>`.")
    L.append(f"- Files: `onnx/model.onnx` fp32 {mb('model.onnx'):.1f} MB, `onnx/model_quantized.onnx` int8 "
             f"(MatMulInteger, dynamic activation quantization) {mb('model_quantized.onnx'):.1f} MB, `onnx/model_q4.onnx` "
             f"4-bit (MatMulNBits, block 32; int8 embedding) {mb('model_q4.onnx'):.1f} MB.\n")
    L.append("## Usage (transformers.js)\n")
    L.append("```js\nimport { env, AutoTokenizer, AutoModelForCausalLM } from '@huggingface/transformers';\n"
             "env.localModelPath = '/models/'; env.allowRemoteModels = false;\n"
             "const tok = await AutoTokenizer.from_pretrained('hearth-chat');\n"
             "const model = await AutoModelForCausalLM.from_pretrained('hearth-chat', { dtype: 'q8' });\n"
             "const inputs = tok.apply_chat_template([{ role: 'user', content: 'Hi!' }], { add_generation_prompt: true, return_dict: true });\n"
             "const out = await model.generate({ ...inputs, max_new_tokens: 80 }); // stops on <|end|>\n```\n")
    L.append("Greedy decoding repeats itself easily at this size; a repetition penalty (about 1.2) or "
             "`no_repeat_ngram_size: 3` helps. `generation_config.json` itself is plain greedy.\n")
    L.append("## Why this size\n")
    L.append(open(os.path.join(os.path.dirname(__file__), "size_rationale.md")).read().strip() + "\n"
             if os.path.exists(os.path.join(os.path.dirname(__file__), "size_rationale.md")) else "")
    L.append("## Training\n")
    for stage, what in (("pretrain", "Pretraining on all sources (booking dialogues and canned chit-chat at half weight), loss on every token"),
                        ("sft", "Chat fine-tune on the dialogue sources mapped to the chat template, loss on assistant turns only, "
                                "weighted towards assistant-style answers (weights in `SOURCES`, `scripts/train/data.py`): OpenAssistant "
                                "and GPTeacher, plus question -> first-sentences-of-the-answer pairs mined from the training split of the "
                                "oasst prose (`qa_pairs`: consecutive messages whose opening sentences share the question's content words), "
                                "and a small replay of oasst prose (`SFT_REPLAY` in `scripts/train/pipeline.py`) so long answers are not forgotten")):
        if stage in tr:
            s = tr[stage]
            L.append(f"- {what}: {s['steps']} steps, {s['tokens'] / 1e6:.1f} M tokens, {s['train_seconds'] / 60:.0f} min, "
                     f"median {tps.get(stage, 0)} tokens/s (bf16 autocast, 1 or 2 threads picked by measured step time; light test jobs ran alongside at low priority; time includes periodic held-out evaluation).")
    L.append("- Held-out: a fixed, seeded 2% slice (at least 10 documents) of every source is never trained on (tokenizer included).")
    L.append("- Rebuild everything: `/usr/bin/python3 -m scripts.train.pipeline --data ../shared/data` (see `scripts/README.md`).\n")
    L.append("## Held-out loss (nats/token) and perplexity\n")
    L.append("Dialogue sources: loss on assistant-turn tokens in the chat template; prose sources: every token. "
             "ONNX figures are computed in onnxruntime-node on the same windows (prefill, no cache).\n")
    L.append("The last column is the fp32 loss per UTF-8 byte of the same targets (special tokens count no bytes): "
             "unlike nats/token it compares models with different tokenizers.\n")
    L.append("| source | kind | tokens | PyTorch | fp32 | q8 | q4 | ppl fp32 | ppl q8 | ppl q4 | fp32 nats/byte |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for n, r in res["heldout"].items():
        per_byte = _fmt(r["fp32"]["nats_per_byte"], 4) if "nats_per_byte" in r["fp32"] else "-"
        L.append(f"| {n} | {D.SOURCES[n][0]} | {int(r['fp32']['tokens'])} | {_fmt(r['torch']['loss'])} | {_fmt(r['fp32']['loss'])} | "
                 f"{_fmt(r['q8']['loss'])} | {_fmt(r['q4']['loss'])} | {r['fp32']['ppl']:.1f} | {r['q8']['ppl']:.1f} | {r['q4']['ppl']:.1f} | {per_byte} |")
    dq8 = max(r["q8"]["loss"] - r["fp32"]["loss"] for r in res["heldout"].values())
    dq4 = max(r["q4"]["loss"] - r["fp32"]["loss"] for r in res["heldout"].values())
    L.append(f"\nLargest increase over fp32: q8 {dq8:+.4f}, q4 {dq4:+.4f} nats (targets +0.05 / +0.15).\n")
    p = res["parity"]
    L.append("## Parity\n")
    L.append(f"- PyTorch vs ONNX fp32 held-out loss: max |diff| {p['loss_max_abs_diff_fp32']:.5f} (equal to 3 decimals: {p['loss_equal_3dp_fp32']}).")
    L.append(f"- Greedy {len(p['torch_greedy'])} tokens, PyTorch vs ONNX fp32 identical: {p['fp32_tokens_equal']}; "
             f"vs ONNX q8 identical: {p['q8_tokens_equal']} (first {p['q8_common_prefix']} tokens equal"
             + (f"; at the first difference PyTorch's two best logits are only {p['q8_divergence_top2_margin']:.3f} apart" if p.get('q8_divergence_top2_margin') is not None else "")
             + ").")
    if "q8_tokens_equal_reference" in p:
        L.append(f"- Greedy {len(p['torch_greedy'])} tokens, ONNX q8 vs a PyTorch reference of the same quantized model "
                 f"(`scripts/eval/q8_reference.py`: int8 weights, dynamic uint8 activations, exact integer products): "
                 f"identical: {p['q8_tokens_equal_reference']}"
                 + (". So the q8 graph computes what it should; the difference from fp32 above is the quantization itself."
                    if p["q8_tokens_equal_reference"] else "."))
    if "samples_q8_equal_fp32" in p:
        L.append(f"- Plain greedy answers to the {p['samples_count']} sample prompts, ONNX q8 vs fp32: identical for {p['samples_q8_equal_fp32']}"
                 + (f"; ONNX q8 vs the PyTorch q8 reference: identical for {p['samples_q8_equal_reference']}." if "samples_q8_equal_reference" in p else "."))
    L.append("- `golden.json`: greedy output of `onnx/model_quantized.onnx` recorded at export; the tests reproduce it in transformers.js.\n")
    bench = os.path.join(work, "bench_runtime.jsonl")
    if os.path.exists(bench):
        rows = [json.loads(x) for x in open(bench) if x.strip()]
        L.append("## Speed (onnxruntime-web WASM, 1 thread, in Node)\n")
        L.append("Measured with `node scripts/eval/bench_runtime.mjs` on the shared 2-core build machine "
                 "(absolute numbers are noisy; compare the rows).\n")
        L.append("| run | dtype | file MB | prefill 128 tokens (ms) | decode (ms/token) |")
        L.append("|---|---|---|---|---|")
        for r in rows:
            L.append(f"| {r.get('run', 1)} | {r['dtype']} | {r['mb']} | {r['prefill_ms']} | {r['decode_ms_per_token']} |")
        L.append(f"\nRecommended: q8 on WASM (small, fastest here, at most {dq8:+.4f} nats from fp32); on WebGPU q4 "
                 "(MatMulNBits has a WebGPU kernel, MatMulInteger does not) or fp32.\n")
    if "topic" in res:
        t = res["topic"]
        L.append("## Topic adherence (held-out prompts)\n")
        L.append("Greedy answers (PyTorch fp32, up to 48 tokens) to the first user message of held-out dialogues, "
                 "counted as on topic when they share a content word (5-letter stem) with it (`scripts/eval/topic.py`). "
                 "Crude and automatic; it compares training runs on the same prompts. The answers are in `eval.json`.\n")
        L.append("| source | prompts | on topic | rate |")
        L.append("|---|---|---|---|")
        for n, r in t.items():
            L.append(f"| {n} | {r['prompts']} | {r['on_topic']} | {r['rate']:.2f} |")
        L.append("")
    if "app" in res["samples"][0]:
        L.append("## Sample answers (q8, greedy, repeated 4-grams blocked as in the app, max 80 tokens)\n")
        L.append("What the app answers at temperature 0. Plain greedy answers (q8 and fp32, no blocking) are in `eval.json`.\n")
    else:
        L.append("## Sample answers (greedy, q8, max 80 tokens)\n")
    for s in res["samples"]:
        ans = s.get("app", s["q8"]).replace("\n", " ")
        L.append(f"- **{s['prompt']}** — {ans}")
    L.append("\n## Data sources and licences\n")
    L.append("| source | data | licence | origin |")
    L.append("|---|---|---|---|")
    for n, (what, lic, origin) in D.LICENCES.items():
        L.append(f"| {n} | {what} | {lic} | {origin} |")
    L.append("\nAttribution: Synthetic-Persona-Chat (Google, CC BY 4.0), Topical-Chat (Amazon Alexa, CDLA-Sharing-1.0), "
             "Schema-Guided Dialogue (Google, CC BY-SA 4.0), OpenAssistant oasst1 (Apache-2.0), GPTeacher (MIT), "
             "Microsoft Personality Chat (MIT); State of the Union addresses and Moby-Dick are public domain.\n")
    L.append("## Limits\n")
    L.append("- A few million parameters trained for under two hours on a 2-core CPU: answers are short and "
             "often off-topic, factually wrong or repetitive. Do not rely on it for facts, advice or code.")
    L.append(f"- Context is {cfg['n_positions']} tokens; the app cuts older turns to fit (positions past the "
             "context are clamped in the graph, so longer inputs run but degrade).")
    L.append("- Long, informative answers are beyond this model. It often answers a question with a persona-chat "
             "style remark on the same subject (\"I'm not really into spacecraft\") rather than an answer, and "
             "about a third of its answers to held-out prompts share no content word with the prompt (see "
             "Topic adherence).")
    L.append("- Licence of the weights: the training data include share-alike sources (CC BY-SA 4.0, "
             "CDLA-Sharing-1.0); keep the attributions above with the model.")
    L.append("- English only; the training text is dialogue, assistant messages, speeches and one novel.")
    L.append("- It inherits biases of its sources; no safety tuning beyond what the dialogues contain.")
    with open(os.path.join(out_dir, "README.md"), "w") as f:
        f.write("\n".join(L) + "\n")
