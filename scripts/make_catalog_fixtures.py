# Writes tests/fixtures/catalog/<owner>/<name>/: tiny random-weight models in the file layout of
# the Hub repositories models/catalog.json lists, for the test Hub server
# (tests/fixtures/hub-server.mjs) and the end-to-end tests (download, Use, a reply).
#
# Per repository, as published on the Hub (file lists read from the repositories' "Files" pages):
#   - HuggingFaceTB/SmolLM2-135M-Instruct, -360M-Instruct (llama): onnx/model.onnx, model_fp16.onnx,
#     model_q4.onnx, model_q4f16.onnx
#   - onnx-community/Qwen2.5-0.5B-Instruct (qwen2) and onnx-community/Llama-3.2-1B-Instruct (llama):
#     onnx/model.onnx, model_bnb4, model_fp16, model_int8, model_q4, model_q4f16, model_quantized,
#     model_uint8; Llama 3.2 keeps model.onnx and model_fp16.onnx's weights in external data
#     (model.onnx_data, model_fp16.onnx_data) and says so in config.json's transformers.js_config
#     (use_external_data_format), with kv_cache_dtype float16 for fp16 / q4f16.
#   - onnx-community/Qwen3-0.6B-ONNX (qwen3): the same eight dtypes, model.onnx's weights in
#     model.onnx_data (2.4 GB of fp32 is past protobuf's 2 GB), plus vocab.json and merges.txt;
#     head_dim is explicit (128 against hidden 1024 / 16 heads), so the fixture's differs from
#     hidden / heads too. The real chat template with enable_thinking.
#   - onnx-community/gemma-3-270m-it-ONNX and gemma-3-1b-it-ONNX (gemma3_text): onnx/model.onnx,
#     model_fp16, model_q4, model_q4f16, each with its weights in <file>_data, and the chat
#     template in chat_template.jinja (tokenizer_config.json here carries none, so the app's
#     fallback that reads chat_template.jinja is exercised); one KV head, explicit head_dim.
#   docs/catalog.md lists what was confirmed where, and what could not be.
#   - config.json (model_type, architectures, special token ids, context length, tied embeddings,
#     RoPE theta of the real model; tiny sizes), generation_config.json, tokenizer.json (a tiny
#     byte-level BPE with the model's real special tokens), tokenizer_config.json with the model's
#     real chat template, special_tokens_map.json.
# The graphs are Llama-shaped (scripts/train/llama.py's forward_cached) whatever the model type:
# with random weights only the interface matters (input/output names, KV shapes from head_dim).
# Every ONNX file has the inputs and outputs transformers.js feeds for these models: input_ids,
# attention_mask, position_ids, past_key_values.N.key/value -> logits, present.N.key/value
# (float16 past/logits in the fp16 and q4f16 files). Weights are random (seeded): replies are noise.
# Usage: .venv/bin/python -m scripts.make_catalog_fixtures [owner/name ...]   (~1 minute for all)
import json
import os
import shutil
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402

OUT = os.path.join(REPO, "tests", "fixtures", "catalog")

SMOLLM2_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}"
    "{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

QWEN25_TEMPLATE = r"""{%- if tools %}
    {{- '<|im_start|>system\n' }}
    {%- if messages[0]['role'] == 'system' %}
        {{- messages[0]['content'] }}
    {%- else %}
        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}
    {%- endif %}
    {{- "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>" }}
    {%- for tool in tools %}
        {{- "\n" }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" }}
{%- else %}
    {%- if messages[0]['role'] == 'system' %}
        {{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}
    {%- else %}
        {{- '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }}
    {%- endif %}
{%- endif %}
{%- for message in messages %}
    {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
        {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}
    {%- elif message.role == "assistant" %}
        {{- '<|im_start|>' + message.role }}
        {%- if message.content %}
            {{- '\n' + message.content }}
        {%- endif %}
        {%- for tool_call in message.tool_calls %}
            {%- if tool_call.function is defined %}
                {%- set tool_call = tool_call.function %}
            {%- endif %}
            {{- '\n<tool_call>\n{"name": "' }}
            {{- tool_call.name }}
            {{- '", "arguments": ' }}
            {{- tool_call.arguments | tojson }}
            {{- '}\n</tool_call>' }}
        {%- endfor %}
        {{- '<|im_end|>\n' }}
    {%- elif message.role == "tool" %}
        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\n<tool_response>\n' }}
        {{- message.content }}
        {{- '\n</tool_response>' }}
        {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
            {{- '<|im_end|>\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
{%- endif %}
"""

LLAMA32_TEMPLATE = r"""{{- bos_token }}
{%- if custom_tools is defined %}
    {%- set tools = custom_tools %}
{%- endif %}
{%- if not tools_in_user_message is defined %}
    {%- set tools_in_user_message = true %}
{%- endif %}
{%- if not date_string is defined %}
    {%- if strftime_now is defined %}
        {%- set date_string = strftime_now("%d %b %Y") %}
    {%- else %}
        {%- set date_string = "26 Jul 2024" %}
    {%- endif %}
{%- endif %}
{%- if not tools is defined %}
    {%- set tools = none %}
{%- endif %}

{#- This block extracts the system message, so we can slot it into the right place. #}
{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content']|trim %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = "" %}
{%- endif %}

{#- System message #}
{{- "<|start_header_id|>system<|end_header_id|>\n\n" }}
{%- if tools is not none %}
    {{- "Environment: ipython\n" }}
{%- endif %}
{{- "Cutting Knowledge Date: December 2023\n" }}
{{- "Today Date: " + date_string + "\n\n" }}
{%- if tools is not none and not tools_in_user_message %}
    {{- "You have access to the following functions. To call a function, please respond with JSON for a function call." }}
    {{- 'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.' }}
    {{- "Do not use variables.\n\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\n\n" }}
    {%- endfor %}
{%- endif %}
{{- system_message }}
{{- "<|eot_id|>" }}

{#- Custom tools are passed in a user message with some extra guidance #}
{%- if tools_in_user_message and not tools is none %}
    {#- Extract the first user message so we can plug it in here #}
    {%- if messages | length != 0 %}
        {%- set first_user_message = messages[0]['content']|trim %}
        {%- set messages = messages[1:] %}
    {%- else %}
        {{- raise_exception("Cannot put tools in the first user message when there's no first user message!") }}
{%- endif %}
    {{- '<|start_header_id|>user<|end_header_id|>\n\n' -}}
    {{- "Given the following functions, please respond with a JSON for a function call " }}
    {{- "with its proper arguments that best answers the given prompt.\n\n" }}
    {{- 'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.' }}
    {{- "Do not use variables.\n\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\n\n" }}
    {%- endfor %}
    {{- first_user_message + "<|eot_id|>"}}
{%- endif %}

{%- for message in messages %}
    {%- if not (message.role == 'ipython' or message.role == 'tool' or 'tool_calls' in message) %}
        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' }}
    {%- elif 'tool_calls' in message %}
        {%- if not message.tool_calls|length == 1 %}
            {{- raise_exception("This model only supports single tool-calls at once!") }}
        {%- endif %}
        {%- set tool_call = message.tool_calls[0].function %}
        {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}
        {{- '{"name": "' + tool_call.name + '", ' }}
        {{- '"parameters": ' }}
        {{- tool_call.arguments | tojson }}
        {{- "}" }}
        {{- "<|eot_id|>" }}
    {%- elif message.role == "tool" or message.role == "ipython" %}
        {{- "<|start_header_id|>ipython<|end_header_id|>\n\n" }}
        {%- if message.content is mapping or message.content is iterable %}
            {{- message.content | tojson }}
        {%- else %}
            {{- message.content }}
        {%- endif %}
        {{- "<|eot_id|>" }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
{%- endif %}
"""

QWEN3_TEMPLATE = r"""{%- if tools %}
    {{- '<|im_start|>system\n' }}
    {%- if messages[0].role == 'system' %}
        {{- messages[0].content + '\n\n' }}
    {%- endif %}
    {{- "# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>" }}
    {%- for tool in tools %}
        {{- "\n" }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" }}
{%- else %}
    {%- if messages[0].role == 'system' %}
        {{- '<|im_start|>system\n' + messages[0].content + '<|im_end|>\n' }}
    {%- endif %}
{%- endif %}
{%- set ns = namespace(multi_step_tool=true, last_query_index=messages|length - 1) %}
{%- for message in messages[::-1] %}
    {%- set index = (messages|length - 1) - loop.index0 %}
    {%- if ns.multi_step_tool and message.role == "user" and not(message.content.startswith('<tool_response>') and message.content.endswith('</tool_response>')) %}
        {%- set ns.multi_step_tool = false %}
        {%- set ns.last_query_index = index %}
    {%- endif %}
{%- endfor %}
{%- for message in messages %}
    {%- if (message.role == "user") or (message.role == "system" and not loop.first) %}
        {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}
    {%- elif message.role == "assistant" %}
        {%- set content = message.content %}
        {%- set reasoning_content = '' %}
        {%- if message.reasoning_content is defined and message.reasoning_content is not none %}
            {%- set reasoning_content = message.reasoning_content %}
        {%- else %}
            {%- if '</think>' in message.content %}
                {%- set content = message.content.split('</think>')[-1].lstrip('\n') %}
                {%- set reasoning_content = message.content.split('</think>')[0].rstrip('\n').split('<think>')[-1].lstrip('\n') %}
            {%- endif %}
        {%- endif %}
        {%- if loop.index0 > ns.last_query_index %}
            {%- if loop.last or (not loop.last and reasoning_content) %}
                {{- '<|im_start|>' + message.role + '\n<think>\n' + reasoning_content.strip('\n') + '\n</think>\n\n' + content.lstrip('\n') }}
            {%- else %}
                {{- '<|im_start|>' + message.role + '\n' + content }}
            {%- endif %}
        {%- else %}
            {{- '<|im_start|>' + message.role + '\n' + content }}
        {%- endif %}
        {%- if message.tool_calls %}
            {%- for tool_call in message.tool_calls %}
                {%- if (loop.first and content) or (not loop.first) %}
                    {{- '\n' }}
                {%- endif %}
                {%- if tool_call.function %}
                    {%- set tool_call = tool_call.function %}
                {%- endif %}
                {{- '<tool_call>\n{"name": "' }}
                {{- tool_call.name }}
                {{- '", "arguments": ' }}
                {%- if tool_call.arguments is string %}
                    {{- tool_call.arguments }}
                {%- else %}
                    {{- tool_call.arguments | tojson }}
                {%- endif %}
                {{- '}\n</tool_call>' }}
            {%- endfor %}
        {%- endif %}
        {{- '<|im_end|>\n' }}
    {%- elif message.role == "tool" %}
        {%- if loop.first or (messages[loop.index0 - 1].role != "tool") %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\n<tool_response>\n' }}
        {{- message.content }}
        {{- '\n</tool_response>' }}
        {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
            {{- '<|im_end|>\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
    {%- if enable_thinking is defined and enable_thinking is false %}
        {{- '<think>\n\n</think>\n\n' }}
    {%- endif %}
{%- endif %}"""

GEMMA3_TEMPLATE = r"""{{ bos_token }}
{%- if messages[0]['role'] == 'system' -%}
    {%- if messages[0]['content'] is string -%}
        {%- set first_user_prefix = messages[0]['content'] + '\n\n' -%}
    {%- else -%}
        {%- set first_user_prefix = messages[0]['content'][0]['text'] + '\n\n' -%}
    {%- endif -%}
    {%- set loop_messages = messages[1:] -%}
{%- else -%}
    {%- set first_user_prefix = "" -%}
    {%- set loop_messages = messages -%}
{%- endif -%}
{%- for message in loop_messages -%}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
        {{ raise_exception("Conversation roles must alternate user/assistant/user/assistant/...") }}
    {%- endif -%}
    {%- if (message['role'] == 'assistant') -%}
        {%- set role = "model" -%}
    {%- else -%}
        {%- set role = message['role'] -%}
    {%- endif -%}
    {{ '<start_of_turn>' + role + '\n' + (first_user_prefix if loop.first else "") }}
    {%- if message['content'] is string -%}
        {{ message['content'] | trim }}
    {%- elif message['content'] is iterable -%}
        {%- for item in message['content'] -%}
            {%- if item['type'] == 'image' -%}
                {{ '<start_of_image>' }}
            {%- elif item['type'] == 'text' -%}
                {{ item['text'] | trim }}
            {%- endif -%}
        {%- endfor -%}
    {%- else -%}
        {{ raise_exception("Invalid content type") }}
    {%- endif -%}
    {{ '<end_of_turn>\n' }}
{%- endfor -%}
{%- if add_generation_prompt -%}
    {{'<start_of_turn>model\n'}}
{%- endif -%}
"""

ALL_DTYPES = ["fp32", "bnb4", "fp16", "int8", "q4", "q4f16", "q8", "uint8"]
SUFFIX = {"fp32": "", "fp16": "_fp16", "int8": "_int8", "uint8": "_uint8", "q8": "_quantized", "q4": "_q4",
          "q4f16": "_q4f16", "bnb4": "_bnb4"}

SMOL = dict(arch="llama", template=SMOLLM2_TEMPLATE, specials=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
            bos="<|im_start|>", eos="<|im_end|>", pad="<|im_end|>", gen_eos=["<|im_end|>"], rope_theta=100000.0,
            ctx=8192, dtypes=["fp32", "fp16", "q4", "q4f16"], external=[], tjs={})
GEMMA3_DTYPES = ["fp32", "fp16", "q4", "q4f16"]
GEMMA3 = dict(
    arch="gemma3_text", template=GEMMA3_TEMPLATE, template_file=True,
    specials=["<pad>", "<eos>", "<bos>", "<unk>", "<mask>", "<start_of_turn>", "<end_of_turn>"],
    bos="<bos>", eos="<eos>", pad="<pad>", gen_eos=["<eos>", "<end_of_turn>"], rope_theta=1000000.0, ctx=32768,
    head_dim=16, kv_heads=1, dtypes=GEMMA3_DTYPES, external=GEMMA3_DTYPES,
    tjs={"kv_cache_dtype": {"q4f16": "float16", "fp16": "float16"},
         "use_external_data_format": {f"model{SUFFIX[d]}.onnx": True for d in GEMMA3_DTYPES}})
REPOS = {
    "HuggingFaceTB/SmolLM2-135M-Instruct": SMOL,
    "HuggingFaceTB/SmolLM2-360M-Instruct": SMOL,
    "onnx-community/Qwen2.5-0.5B-Instruct": dict(
        arch="qwen2", template=QWEN25_TEMPLATE,
        specials=["<|endoftext|>", "<|im_start|>", "<|im_end|>"], bos=None, eos="<|im_end|>", pad="<|endoftext|>",
        gen_eos=["<|im_end|>", "<|endoftext|>"], rope_theta=1000000.0, ctx=32768, dtypes=ALL_DTYPES, external=[],
        tjs={"kv_cache_dtype": {"q4f16": "float16", "fp16": "float16"}}),
    "onnx-community/Llama-3.2-1B-Instruct": dict(
        arch="llama", template=LLAMA32_TEMPLATE,
        specials=["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"],
        bos="<|begin_of_text|>", eos="<|eot_id|>", pad=None, gen_eos=["<|end_of_text|>", "<|eot_id|>"],
        rope_theta=500000.0, ctx=131072, dtypes=ALL_DTYPES, external=["fp32", "fp16"],
        tjs={"kv_cache_dtype": {"q4f16": "float16", "fp16": "float16"},
             "use_external_data_format": {"model.onnx": True, "model_fp16.onnx": True}}),
    "onnx-community/Qwen3-0.6B-ONNX": dict(
        arch="qwen3", template=QWEN3_TEMPLATE,
        specials=["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"], bos=None, eos="<|im_end|>",
        pad="<|endoftext|>", gen_eos=["<|im_end|>", "<|endoftext|>"], rope_theta=1000000.0, ctx=40960, head_dim=16,
        dtypes=ALL_DTYPES, external=["fp32"], vocab_files=True,
        tjs={"kv_cache_dtype": {"q4f16": "float16", "fp16": "float16"},
             "use_external_data_format": {"model.onnx": True}}),
    "onnx-community/gemma-3-270m-it-ONNX": GEMMA3,
    "onnx-community/gemma-3-1b-it-ONNX": GEMMA3,
}

CORPUS = ("Hello! How are you today? I am fine, thank you. What is your name? The weather is nice. "
          "Can you help me find a good book? Sure, here is one. The capital of France is Paris. ") * 20


def tokenizer(spec):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    tr = trainers.BpeTrainer(vocab_size=256 + 64 + len(spec["specials"]), special_tokens=spec["specials"],
                             initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator([CORPUS], trainer=tr)
    return tok


def build(spec, vocab, seed):
    from dataclasses import dataclass
    from scripts.train.llama import HearthLlama, LlamaCfg

    @dataclass
    class Cfg(LlamaCfg):
        hd: int = 0  # an explicit head_dim (Qwen3, Gemma 3), else hidden / heads

        @property
        def head_dim(self):
            return self.hd or self.n_embd // self.n_head

        def hf(self, **extra):
            return super().hf(head_dim=self.head_dim, **extra)

    torch.manual_seed(seed)
    cfg = Cfg(vocab_size=vocab, n_positions=spec["ctx"], n_embd=32, n_layer=2, n_head=4,
              n_kv_head=spec.get("kv_heads", 2), intermediate=64, rope_theta=spec["rope_theta"], rms_eps=1e-6,
              hd=spec.get("head_dim", 0))
    m = HearthLlama(cfg, init=False)
    if spec["arch"] == "qwen2":
        from transformers import Qwen2Config, Qwen2ForCausalLM
        hc = Qwen2Config(vocab_size=vocab, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=spec["ctx"],
                         rope_theta=spec["rope_theta"], rms_norm_eps=1e-6, tie_word_embeddings=True)
        hc._attn_implementation = "sdpa"
        m.hf = Qwen2ForCausalLM(hc)  # same module tree as Llama, plus q/k/v biases
    for name, p in m.hf.named_parameters():
        torch.nn.init.normal_(p, mean=1.0 if name.endswith("norm.weight") else 0.0, std=0.1 if "norm" in name else 0.5)
    return m


ARCHITECTURES = {"llama": "LlamaForCausalLM", "qwen2": "Qwen2ForCausalLM", "qwen3": "Qwen3ForCausalLM",
                 "gemma3_text": "Gemma3ForCausalLM"}


def arch_config(m, spec):
    """The model type's own transformers config (its config.json keys), at the fixture's tiny sizes."""
    c = m.cfg
    common = dict(vocab_size=c.vocab_size, hidden_size=c.n_embd, intermediate_size=c.intermediate,
                  num_hidden_layers=c.n_layer, num_attention_heads=c.n_head, num_key_value_heads=c.n_kv_head,
                  head_dim=c.head_dim, max_position_embeddings=spec["ctx"], rms_norm_eps=c.rms_eps,
                  rope_theta=spec["rope_theta"], tie_word_embeddings=True)
    if spec["arch"] == "qwen3":
        from transformers import Qwen3Config
        return Qwen3Config(**common)
    if spec["arch"] == "gemma3_text":
        from transformers import Gemma3TextConfig
        return Gemma3TextConfig(**common, sliding_window=512, query_pre_attn_scalar=256)
    return m.hf.config


def config_json(m, spec, tok):
    c = arch_config(m, spec).to_dict()
    for k in ("id2label", "label2id", "_name_or_path", "return_dict", "output_hidden_states", "output_attentions",
              "chunk_size_feed_forward", "is_encoder_decoder", "problem_type", "dtype"):
        c.pop(k, None)
    c["architectures"] = [ARCHITECTURES[spec["arch"]]]
    c["rope_theta"] = spec["rope_theta"]
    c["bos_token_id"] = tok.token_to_id(spec["bos"]) if spec["bos"] else None
    c["eos_token_id"] = tok.token_to_id(spec["eos"]) if spec["arch"] != "gemma3_text" else \
        [tok.token_to_id(s) for s in spec["gen_eos"]]
    if spec["arch"] in ("qwen3", "gemma3_text"):
        c["pad_token_id"] = tok.token_to_id(spec["pad"]) if spec["pad"] else None
    c["torch_dtype"] = "bfloat16"
    if spec["tjs"]:
        c["transformers.js_config"] = spec["tjs"]
    return c


def to_fp16(src, dst):
    from onnxruntime.transformers.float16 import convert_float_to_float16
    m = convert_float_to_float16(onnx.load(src), keep_io_types=False, disable_shape_infer=True)
    onnx.save(m, dst)


def write_repo(name, spec, seed):
    from scripts.export.onnx_export import export_model_onnx
    from scripts.export import quantize as qz
    d = os.path.join(OUT, *name.split("/"))
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "onnx"))
    tok = tokenizer(spec)
    m = build(spec, tok.get_vocab_size(), seed)
    tok.save(os.path.join(d, "tokenizer.json"))
    json.dump(config_json(m, spec, tok), open(os.path.join(d, "config.json"), "w"), indent=2)
    gen = {"bos_token_id": tok.token_to_id(spec["bos"]) if spec["bos"] else None,
           "eos_token_id": [tok.token_to_id(s) for s in spec["gen_eos"]], "do_sample": False}
    json.dump(gen, open(os.path.join(d, "generation_config.json"), "w"), indent=2)
    added = {str(tok.token_to_id(s)): {"content": s, "lstrip": False, "normalized": False, "rstrip": False,
                                       "single_word": False, "special": True} for s in spec["specials"]}
    tc = {"added_tokens_decoder": added, "bos_token": spec["bos"], "eos_token": spec["eos"], "pad_token": spec["pad"],
          "chat_template": spec["template"], "clean_up_tokenization_spaces": False,
          "model_max_length": spec["ctx"], "tokenizer_class": "PreTrainedTokenizerFast"}
    if spec.get("template_file"):  # the template in its own file, as newer exports keep it
        del tc["chat_template"]
        open(os.path.join(d, "chat_template.jinja"), "w").write(spec["template"])
    if spec.get("vocab_files"):  # vocab.json and merges.txt beside tokenizer.json
        tok.model.save(d)
    json.dump(tc, open(os.path.join(d, "tokenizer_config.json"), "w"), indent=2)
    stm = {k: v for k, v in (("bos_token", spec["bos"]), ("eos_token", spec["eos"]), ("pad_token", spec["pad"])) if v}
    json.dump(stm, open(os.path.join(d, "special_tokens_map.json"), "w"), indent=2)
    onnx_dir = os.path.join(d, "onnx")
    tmp = os.path.join(onnx_dir, "_fp32.onnx")
    export_model_onnx(m, tmp)
    made = {}
    for dt in spec["dtypes"]:
        path = os.path.join(onnx_dir, f"model{SUFFIX[dt]}.onnx")
        if dt == "fp32":
            shutil.copy(tmp, path)
        elif dt == "fp16":
            to_fp16(tmp, path)
        elif dt == "q8":
            qz.quantize_int8(tmp, path)
        elif dt in ("int8", "uint8"):
            from onnxruntime.quantization import QuantType, quantize_dynamic
            quantize_dynamic(tmp, path, weight_type=QuantType.QInt8 if dt == "int8" else QuantType.QUInt8,
                             op_types_to_quantize=["MatMul"])
        elif dt == "q4":
            qz.quantize_q4(tmp, path)
        elif dt == "q4f16":
            half = os.path.join(onnx_dir, "_fp16.onnx")
            to_fp16(tmp, half)
            qz.quantize_q4_ort(half, path)
            os.remove(half)
        elif dt == "bnb4":
            from onnxruntime.quantization.matmul_bnb4_quantizer import MatMulBnb4Quantizer
            q = MatMulBnb4Quantizer(onnx.load(tmp), quant_type=1, block_size=32)  # 1 = nf4
            q.process()
            q.model.save_model_to_file(path, False)
        made[dt] = path
    os.remove(tmp)
    for dt in spec["external"]:
        path = made[dt]
        mm = onnx.load(path)
        onnx.save(mm, path, save_as_external_data=True, all_tensors_to_one_file=True,
                  location=os.path.basename(path) + "_data", size_threshold=1024)
    return d


def check(d, spec):
    """Every file runs in onnxruntime with the transformers.js feeds (a 3-token prefill)."""
    import onnxruntime as ort
    cfg = json.load(open(os.path.join(d, "config.json")))
    hd = cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]
    for dt in spec["dtypes"]:
        path = os.path.join(d, "onnx", f"model{SUFFIX[dt]}.onnx")
        s = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        f16 = dt in ("fp16", "q4f16")
        feeds = {"input_ids": np.array([[1, 2, 3]], dtype=np.int64), "attention_mask": np.ones((1, 3), dtype=np.int64),
                 "position_ids": np.arange(3, dtype=np.int64)[None]}
        for i in range(cfg["num_hidden_layers"]):
            for kv in ("key", "value"):
                feeds[f"past_key_values.{i}.{kv}"] = np.zeros((1, cfg["num_key_value_heads"], 0, hd),
                                                              dtype=np.float16 if f16 else np.float32)
        try:
            out = s.run(["logits"], feeds)[0]
            assert out.shape[:2] == (1, 3), out.shape
        except Exception as e:  # fp16 kernels the CPU provider lacks: the browser runs these on WebGPU
            if not f16:
                raise
            print(f"  {dt}: not runnable on the CPU provider ({type(e).__name__}); WebGPU only")


def main():
    """All repositories, or only those named on the command line (the others stay as they are)."""
    torch.set_num_threads(1)
    only = set(sys.argv[1:])
    for k, (name, spec) in enumerate(REPOS.items()):
        if only and name not in only:
            continue
        d = write_repo(name, spec, seed=k)
        check(d, spec)
        size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)
        print(f"{name}: {size / 1024:.0f} KB in {d}")


if __name__ == "__main__":
    main()
