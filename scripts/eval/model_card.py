# Writes models/<id>/README.md (the model card) from eval.json, the training summary and
# logs, the previous model's figures (baseline_hearth_chat_v3.json) and the data-source
# licence table in scripts/train/data.py.
import json
import os
import re

from scripts.train import data as D

HERE = os.path.dirname(os.path.abspath(__file__))
BASELINE = os.path.join(HERE, "baseline_hearth_chat_v3.json")


def trained_prompts(prompts, files=(D.IDENTITY_FILE, D.INTRODUCTIONS_FILE)):
    """The prompts that are, up to case, spacing and end punctuation, a user turn of the in-repo chats
    the model trains on (by default the identity and introductions files)."""
    norm = lambda t: re.sub(r"\s+", " ", t.lower().strip(" ?!."))  # noqa: E731
    users = {norm(m["content"]) for f in files for c in D.read_chats(f) for m in c if m["role"] == "user"}
    return [p for p in prompts if norm(p) in users]


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


def _args(work):
    p = os.path.join(work, "args.json")
    return json.load(open(p)) if os.path.exists(p) else {}


def write_card(out_dir, res, work):
    cfg = res["config"]
    tr = res.get("training", {})
    intro = "introductions" in tr.get("sft_mix", {})  # the fine-tune drew from the introductions chats
    tps = _throughput(work)
    args = _args(work)
    # the optimizer as the pretraining stage recorded it (summary.json), else as the arguments asked
    optimizer = tr.get("pretrain", {}).get("optimizer") or args.get("optimizer", "muon")
    sizes = res["file_sizes"]
    base = json.load(open(BASELINE)) if os.path.exists(BASELINE) else None
    mb = lambda f: sizes.get(f, 0) / 1e6  # noqa: E731
    hd = cfg["n_embd"] // cfg["n_head"]
    L = []
    L.append(f"# {os.path.basename(os.path.abspath(out_dir))}\n")
    L.append("Hearth's default chat model, second generation: a small Llama-layout decoder trained from scratch on a "
             "2-core CPU, shipped with the app so it works offline on first load. It is tiny: expect short, simple, "
             "often wrong answers.\n")
    L.append("## Model\n")
    L.append(f"- Architecture: transformers' `LlamaForCausalLM` (`model_type: llama`: RoPE, RMSNorm, SwiGLU, grouped-query "
             f"attention, tied input/output embeddings, no biases), {cfg['n_layer']} layers, {cfg['n_embd']} hidden, "
             f"{cfg['n_head']} query heads and {cfg['n_kv_head']} key/value heads of {hd}, SwiGLU {cfg['intermediate']}, "
             f"context {cfg['n_positions']} tokens. transformers.js runs it on its Llama path, as SmolLM2 and Llama 3.2.")
    L.append(f"- Parameters: {res['params'] / 1e6:.2f} M (of which the tied embedding {cfg['vocab_size'] * cfg['n_embd'] / 1e6:.2f} M).")
    L.append(f"- Tokenizer: byte-level BPE (GPT-2 pre-tokenization) trained with Hugging Face `tokenizers`, {cfg['vocab_size']} "
             "tokens, on the training split of the data below. Special tokens `<|endoftext|>` (0), `<|system|>`, `<|user|>`, "
             "`<|assistant|>`, `<|end|>` (end of turn).")
    L.append("- Chat template (Jinja, `chat_template` in `tokenizer_config.json`): `<|{role}|>\\n{content}<|end|>\\n` per "
             "message, then `<|assistant|>\\n`; generation stops on `<|end|>`.")
    L.append(f"- Files: `onnx/model.onnx` fp32 {mb('model.onnx'):.1f} MB, `onnx/model_quantized.onnx` int8 "
             f"(MatMulInteger, dynamic activation quantization; `down_proj` int8 weights computed in float; int8 embedding shared with the output layer) "
             f"{mb('model_quantized.onnx'):.1f} MB, `onnx/model_q4.onnx` 4-bit (MatMulNBits, block 32; int8 embedding) "
             f"{mb('model_q4.onnx'):.1f} MB. Inputs `input_ids`, `attention_mask`, `position_ids`, "
             "`past_key_values.N.key/value`; outputs `logits`, `present.N.key/value` (the layout of the onnx-community Llama exports).\n")
    L.append("## Usage (transformers.js)\n")
    L.append("```js\nimport { env, AutoTokenizer, AutoModelForCausalLM } from '@huggingface/transformers';\n"
             "env.localModelPath = '/models/'; env.allowRemoteModels = false;\n"
             "const tok = await AutoTokenizer.from_pretrained('hearth-chat');\n"
             "const model = await AutoModelForCausalLM.from_pretrained('hearth-chat', { dtype: 'q8' });\n"
             "const inputs = tok.apply_chat_template([{ role: 'user', content: 'Hi!' }], { add_generation_prompt: true, return_dict: true });\n"
             "const out = await model.generate({ ...inputs, max_new_tokens: 80, no_repeat_ngram_size: 4 }); // stops on <|end|>\n```\n"
             "The app decodes with its own loop (`workers/decoder.ts`), which adds the reply repetition penalty and "
             "classifier-free guidance of `generation_config.json` (`hearth_reply_repetition_penalty`, "
             "`hearth_guidance_scale`); `generate()` above applies neither.\n")
    L.append("## Why this size\n")
    L.append("The budget was about 100 minutes of a shared 2-core CPU, so, as for the previous model, the model is "
             "data-starved rather than capacity-limited and the size that reads the most text per second wins. "
             "Measured before the run (bf16 autocast, 2 threads, batch 8 x 512, 4k vocabulary; other jobs running, so "
             "noisy): 4 layers x 256 with SwiGLU 688 (3.95 M parameters) trained at 3.7-4.1 k tokens/s with AdamW on a quiet "
             "moment; 5 and 6 layers measured 1.2-1.4 k tokens/s while the machine was busy (not comparable, but no "
             "cheaper). 4 x 256 with SwiGLU 768 (4.2 M, inside the 4-8 M target) trained at 2.66 k tokens/s with "
             "Muon + AdamW and 2.70 k with AdamW alone at the same moment: Muon's orthogonalisation costs about 1%. "
             "Grouped-query attention (4 key/value heads for 8 query heads) halves the KV cache and the k/v "
             "projections; its effect on quality was not measured.\n")
    L.append("## Recipe (and what was not separated)\n")
    L.append("There was no budget for ablations: every change below was made at once against the previous model "
             "(GPT-2 layout, 256 context, AdamW with cosine decay, 85 + 25 minutes of training) and trained once, so "
             "the comparison further down measures them together; none of them is shown to help on its own.\n")
    L.append("- Llama layout (RoPE instead of learned positions, RMSNorm, SwiGLU, 8 query / 4 key-value heads) and a "
             "512-token context (the previous model had 256).")
    L.append("- Output projections (`o_proj`, `down_proj`) initialised to zero, so every block starts as the identity. "
             "QK-norm was not used: `LlamaForCausalLM` has no query/key normalisation (Qwen3 and OLMo2 have it, under other "
             "model types), and keeping `model_type: llama` was the point.")
    if optimizer == "adamw":
        L.append(f"- AdamW for every parameter (peak LR {args.get('pretrain_lr', 3e-3)}, betas 0.9/0.95, weight decay 0.1 "
                 "on every matrix, the tied embedding included, in pretraining), as the previous model was trained (`--optimizer adamw`).")
    else:
        L.append(f"- Muon (`torch.optim.Muon`, Newton-Schulz orthogonalised momentum; peak LR {args.get('pretrain_muon_lr', 0.02)}) "
                 f"for the hidden matrices, AdamW (peak LR {args.get('pretrain_lr', 3e-3)}, betas 0.9/0.95) for the tied embedding "
                 "and the RMSNorm gains.")
    L.append("- Warmup-stable-decay schedule: 200 warm-up steps, constant, then a linear decay to zero over the last "
             "quarter of max(step / steps, elapsed / time budget), so a slow or shared machine still decays inside the budget.")
    L.append("- Pretraining mix: every source in full (State of the Union and Moby-Dick included, as for the previous model), "
             "booking dialogues and canned chit-chat at half, the identity chats 4x (`PRETRAIN_WEIGHTS`, `scripts/train/pipeline.py`; "
             "the first Llama runs read the prose at a tenth, and stayed above the previous model's loss on oasst and GPTeacher).")
    if args.get("pretrain_weights"):
        over = ",".join(f"{k}={v:g}" for k, v in sorted(args["pretrain_weights"].items()))
        L.append(f"- This run overrode the pretraining weights: `--pretrain-weights '{over}'` (1 = the source in full).")
    L.append("- Fine-tune with loss on the assistant replies only, each ending on its `<|end|>` token, with the same "
             f"optimizer at peak LR {args.get('sft_lr', 5e-4)}"
             + (f" (Muon {args.get('sft_muon_lr', 0.004)})" if optimizer != "adamw" else "")
             + "; adds a small set of greeting / thanks / "
             "\"who are you\" chats in Hearth's voice, written by `scripts/train/make_identity_data.py` "
             "(`scripts/train/identity_chats.jsonl`): training data, not canned replies (the app has none)"
             + ("; and, in the fine-tune only, replies in the same voice to users who introduce themselves or ask it "
                "personal questions (`introductions_chats.jsonl`, the same script): they greet the user by name, ask "
                "about what the user said, and give Hearth no invented name, job or family." if intro else "."))
    L.append("- Tokenizer trained by `tokenizers` instead of our own BPE code (same vocabulary size and pre-tokenization).\n")
    L.append("## Training\n")
    for stage, what in (("pretrain", "Pretraining on all sources with the weights above, loss on every token"),
                        ("sft", "Chat fine-tune on the dialogue sources mapped to the chat template, loss on assistant turns only, "
                                "weighted towards assistant-style answers (weights in `SOURCES`, `scripts/train/data.py`): OpenAssistant "
                                "and GPTeacher, question -> first-sentences-of-the-answer pairs mined from the training split of the "
                                "oasst prose (`qa_pairs`), the identity chats" + (" and introductions" if intro else "")
                                + ", and a small replay of oasst prose (`SFT_REPLAY`)")):
        if stage in tr:
            s = tr[stage]
            L.append(f"- {what}: {s['steps']} steps of {args.get('bsz', 8)} x {cfg['n_positions']} tokens, {s['tokens'] / 1e6:.1f} M tokens, "
                     f"{s['train_seconds'] / 60:.0f} min, median {tps.get(stage, 0)} tokens/s ({s.get('precision', 'fp32')}"
                     f"{', torch.compile' if s.get('compiled', True) else ''}, 2-core CPU; time includes periodic held-out evaluation).")
    L.append("- Held-out: a fixed, seeded 2% slice (at least 10 documents) of every source is never trained on (tokenizer included); "
             "the same documents as for the previous model.")
    L.append("- Rebuild everything: `npm run model:train` (see `scripts/README.md`).\n")
    L.append("## Held-out loss per byte against the previous model\n")
    L.append("fp32 loss per UTF-8 byte of the held-out targets (dialogue sources: assistant turns in the chat template; "
             "prose: every token; special tokens count no bytes), which compares models with different tokenizers. "
             "The new model sees up to 512 tokens of context in these windows, the previous one 256.\n")
    if base:
        L.append("| source | kind | previous (hearth-chat v3) | this model | change |")
        L.append("|---|---|---|---|---|")
        for n, r in res["heldout"].items():
            new = r["fp32"]["nats_per_byte"]
            old = base["nats_per_byte"].get(n)
            if old is None:
                L.append(f"| {n} | {D.SOURCES[n][0]} | - | {new:.4f} | new source |")
            else:
                L.append(f"| {n} | {D.SOURCES[n][0]} | {old:.4f} | {new:.4f} | {100 * (new / old - 1):+.1f}% |")
        L.append("")
    L.append("## Held-out loss (nats/token), per file\n")
    L.append("ONNX figures come from Python onnxruntime on the same windows (prefill, no cache), fed as transformers.js feeds the model.\n")
    ort = any("q8_ort" in r for r in res["heldout"].values())
    head = "| source | kind | tokens | PyTorch | fp32 | q8 | q4 |" + (" q8 (ORT tool) | q4 (ORT tool) |" if ort else "") + " ppl fp32 | fp32 nats/byte |"
    L.append(head)
    L.append("|" + "---|" * (head.count("|") - 1))
    for n, r in res["heldout"].items():
        extra = f" {_fmt(r['q8_ort']['loss'])} | {_fmt(r['q4_ort']['loss'])} |" if ort else ""
        L.append(f"| {n} | {D.SOURCES[n][0]} | {int(r['fp32']['tokens'])} | {_fmt(r['torch']['loss'])} | {_fmt(r['fp32']['loss'])} | "
                 f"{_fmt(r['q8']['loss'])} | {_fmt(r['q4']['loss'])} |{extra} {r['fp32']['ppl']:.1f} | {_fmt(r['fp32']['nats_per_byte'], 4)} |")
    dq8 = max(r["q8"]["loss"] - r["fp32"]["loss"] for r in res["heldout"].values())
    dq4 = max(r["q4"]["loss"] - r["fp32"]["loss"] for r in res["heldout"].values())
    L.append(f"\nLargest increase over fp32: q8 {dq8:+.4f}, q4 {dq4:+.4f} nats (targets +0.05 / +0.15).")
    if ort:
        oq8 = max(r["q8_ort"]["loss"] - r["fp32"]["loss"] for r in res["heldout"].values())
        oq4 = max(r["q4_ort"]["loss"] - r["fp32"]["loss"] for r in res["heldout"].values())
        os_ = res.get("ort_quant_file_sizes", {})
        L.append(f"\nonnxruntime's own tools (`quantize_dynamic` int8 per channel, `MatMulNBitsQuantizer` 4-bit block 32; "
                 f"`scripts/export/quantize.py`) on the same fp32 graph: q8 {oq8:+.4f} / q4 {oq4:+.4f} nats, "
                 f"{os_.get('model_quantized.onnx', 0) / 1e6:.1f} MB / {os_.get('model_q4.onnx', 0) / 1e6:.1f} MB. They leave the "
                 "tied output layer (a MatMul on the transposed embedding) and so the embedding table in fp32, where ours "
                 "stores that table once in int8; the shipped files are ours (smaller, and the loss figures decide the rest).")
    L.append("")
    p = res["parity"]
    L.append("## Parity\n")
    L.append(f"- PyTorch vs ONNX fp32 held-out loss: max |diff| {p['loss_max_abs_diff_fp32']:.5f} (equal to 3 decimals: {p['loss_equal_3dp_fp32']}).")
    L.append(f"- Greedy {len(p['torch_greedy'])} tokens, PyTorch vs ONNX fp32 identical: {p['fp32_tokens_equal']}; "
             f"vs ONNX q8 identical: {p['q8_tokens_equal']} (first {p['q8_common_prefix']} tokens equal"
             + (f"; at the first difference PyTorch's two best logits are {p['q8_divergence_top2_margin']:.3f} apart" if p.get('q8_divergence_top2_margin') is not None else "")
             + ").")
    L.append(f"- Plain greedy answers to the {p['samples_count']} sample prompts: q8 identical to fp32 for {p['samples_q8_equal_fp32']}, "
             f"q4 for {p.get('samples_q4_equal_fp32', '-')}.")
    L.append("- `golden.json`: greedy output of `onnx/model_quantized.onnx` recorded at export; the tests reproduce it in "
             "transformers.js, and check transformers.js against Python onnxruntime token for token.\n")
    bench = os.path.join(work, "bench_runtime.jsonl")
    if os.path.exists(bench):
        rows = [json.loads(x) for x in open(bench) if x.strip()]
        L.append("## Speed (onnxruntime-web WASM, 1 thread, in Node)\n")
        L.append("Measured with `node scripts/eval/bench_runtime.mjs` on the shared 2-core build machine "
                 "(absolute numbers are noisy; compare the rows).\n")
        L.append("| model | dtype | file MB | prefill 128 tokens (ms) | decode (ms/token) |")
        L.append("|---|---|---|---|---|")
        for r in rows:
            L.append(f"| {r.get('model', 'this')} | {r['dtype']} | {r['mb']} | {r['prefill_ms']} | {r['decode_ms_per_token']} |")
        L.append("")
    rules = res.get("app_rules")
    rules_txt = (f"repeated {rules['ngram']}-grams blocked, repetition penalty {rules['penalty']} on the reply's tokens, "
                 f"classifier-free guidance {rules['guidance']}" if rules else "repeated 4-grams blocked")
    if "topic" in res:
        t, ta = res["topic"], res.get("topic_app", {})
        L.append("## Topic adherence (held-out prompts)\n")
        L.append("Answers (up to 48 tokens) to the first user message of held-out dialogues, counted as on topic when "
                 "they share a content word (5-letter stem) with it (`scripts/eval/topic.py`): the model's plain greedy "
                 "answers (PyTorch fp32), and the app's (q8, greedy, " + rules_txt + ": `scripts/eval/app_topic.py`, "
                 "the rules of `generation_config.json` as `workers/sampling.ts` reads them). "
                 "Crude and automatic; it compares training runs on the same prompts. The answers are in `eval.json`. "
                 "\"human\" counts the people's own replies in the same dialogues by the same rule: a rate above theirs "
                 "means echoing the prompt's words rather than answering better.\n")
        L.append("| source | prompts | greedy | as the app answers | human reply | previous model, greedy | previous model, as the app answers |")
        L.append("|---|---|---|---|---|---|---|")
        frac = lambda r: f"{r['on_topic']}/{r['prompts']} ({r['on_topic'] / max(r['prompts'], 1):.2f})" if r else "-"  # noqa: E731
        for n, r in t.items():
            hum = r.get("human_on_topic")
            hum = f"{hum}/{r['prompts']} ({hum / max(r['prompts'], 1):.2f})" if hum is not None else "-"
            prev = frac(base["topic"].get(n)) if base else "-"
            prev_app = frac(base.get("topic_app", {}).get(n)) if base else "-"
            L.append(f"| {n} | {r['prompts']} | {frac(r)} | {frac(ta.get(n))} | {hum} | {prev} | {prev_app} |")
        L.append("")
    so = res.get("samples_on_topic")
    L.append(f"## Sample answers (q8, greedy, {rules_txt}, max 80 tokens)\n")
    prev_samples = base.get("samples_app_rules") if base else None
    prev_txt = ""
    if prev_samples:
        from scripts.eval.topic import shares_topic
        prev_txt = f" (previous model, as the app answers: {sum(shares_topic(k, v) for k, v in prev_samples['answers'].items())} of 20)"
    seen = trained_prompts([x["prompt"] for x in res["samples"]])
    seen_txt = (f" Of these prompts, {', '.join(f'“{p}”' for p in seen)} {'is' if len(seen) == 1 else 'are'} also a user turn "
                "of the chats in Hearth's voice it trained on (`scripts/train/make_identity_data.py`)." if seen else "")
    L.append("What the app answers at temperature 0. Plain greedy answers (q8, q4 and fp32, no rules) are in `eval.json`."
             + (f" On topic by the measure above: {so['on_topic']} of {so['prompts']}{prev_txt}." if so else "") + seen_txt + "\n")
    for s in res["samples"]:
        ans = s.get("app", s["q8"]).replace("\n", " ")
        L.append(f"- **{s['prompt']}** — {ans}")
    ident = res.get("identity_app")
    if ident:
        L.append("\n## Who it says it is\n")
        L.append(f"Asked who it is in {ident['prompts']} phrasings that its identity chats never use "
                 f"(`scripts/eval/identity.py`), as the app answers: it names Hearth in {ident['hearth']}, "
                 f"another assistant or its maker in {ident['other']}.\n")
        for a in ident["answers"]:
            L.append(f"- **{a['prompt']}** — {a['answer'].replace(chr(10), ' ')}")
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
    L.append(f"- Context is {cfg['n_positions']} tokens; the app cuts older turns to fit (RoPE has no position table, so "
             "longer inputs run but degrade).")
    L.append("- Long, informative answers are beyond this model; see the topic adherence and the sample answers above "
             "for how often it stays on the user's subject.")
    L.append("- Licence of the weights: the training data include share-alike sources (CC BY-SA 4.0, "
             "CDLA-Sharing-1.0); keep the attributions above with the model.")
    L.append("- English only; the training text is dialogue, assistant messages, speeches and one novel.")
    L.append("- It inherits biases of its sources; no safety tuning beyond what the dialogues contain.")
    with open(os.path.join(out_dir, "README.md"), "w") as f:
        f.write("\n".join(L) + "\n")
