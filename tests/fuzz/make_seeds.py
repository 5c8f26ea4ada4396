#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/): small valid inputs of every
format, so the fuzzers start from real structure. Standard library only; the PyTorch files are
written the way torch.save lays them out (ZIP with archive/data.pkl and archive/data/N, and the
legacy stream), with stand-in classes named like PyTorch's so pickle emits the same globals."""
import collections, io, json, os, pickle, struct, sys, types, zipfile

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

def put(target, name, data):
    os.makedirs(os.path.join(root, target), exist_ok=True)
    with open(os.path.join(root, target, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)

# --- safetensors -----------------------------------------------------------------------------
def safetensors(tensors, metadata=None):
    header, blob = {}, b""
    for name, (dtype, shape, data) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(data)]}
        blob += data
    if metadata: header["__metadata__"] = metadata
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + blob

f32 = lambda *v: struct.pack("<%df" % len(v), *v)
put("fuzz_safetensors", "two_tensors", safetensors({
    "bert.embeddings.word_embeddings.weight": ("F32", [2, 2], f32(1, 2, 3, 4)),
    "bert.pooler.dense.bias": ("F16", [3], struct.pack("<3H", 0x3C00, 0xC000, 0x7BFF)),
    "x.bf16": ("BF16", [2], struct.pack("<2H", 0x3F80, 0x4000)),
    "ids": ("I64", [1], struct.pack("<q", 7))}, {"format": "pt"}))
put("fuzz_safetensors", "empty", safetensors({}))

# --- pytorch_model.bin ---------------------------------------------------------------------------
torch = types.ModuleType("torch"); utils = types.ModuleType("torch._utils")
sys.modules["torch"], sys.modules["torch._utils"] = torch, utils
for cls in ("FloatStorage", "HalfStorage", "LongStorage"):
    setattr(torch, cls, type(cls, (), {"__module__": "torch"}))
def _rebuild_tensor_v2(*args): pass
_rebuild_tensor_v2.__module__ = "torch._utils"; utils._rebuild_tensor_v2 = _rebuild_tensor_v2

class Storage:
    def __init__(self, key, kind, data, count): self.key, self.kind, self.data, self.count = key, kind, data, count
class Tensor:
    def __init__(self, storage, offset, shape, stride): self.s, self.o, self.shape, self.stride = storage, offset, shape, stride
    def __reduce__(self):
        return (_rebuild_tensor_v2, (self.s, self.o, tuple(self.shape), tuple(self.stride), False, collections.OrderedDict()))

class TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage): return ("storage", getattr(torch, obj.kind), obj.key, "cpu", obj.count)
        return None

def state_dict():
    a = Storage("0", "FloatStorage", f32(1, 2, 3, 4, 5, 6), 6)
    b = Storage("1", "HalfStorage", struct.pack("<2H", 0x3C00, 0x4000), 2)
    sd = collections.OrderedDict()
    sd["encoder.weight"] = Tensor(a, 0, [2, 3], [3, 1])
    sd["encoder.weight_t"] = Tensor(a, 0, [3, 2], [1, 3])  # a transposed view of the same storage
    sd["encoder.bias"] = Tensor(b, 0, [2], [1])
    return sd, [a, b]

def pickled(obj):
    out = io.BytesIO(); TorchPickler(out, protocol=2).dump(obj); return out.getvalue()

sd, storages = state_dict()
pkl = pickled(sd)
zbuf = io.BytesIO()
with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_STORED) as z:
    z.writestr("archive/data.pkl", pkl)
    for s in storages: z.writestr("archive/data/" + s.key, s.data)
    z.writestr("archive/version", "3\n")
put("fuzz_torch_bin", "zip_format", zbuf.getvalue())
put("fuzz_zip", "torch_zip", zbuf.getvalue())
put("fuzz_pickle", "state_dict", pkl)
put("fuzz_pickle", "nested", pickle.dumps({"a": [1, 2.5, (None, True)], "b": "x" * 40}, protocol=2))
put("fuzz_pickle", "protocol4", pickle.dumps(collections.OrderedDict(w=[1, 2, 3]), protocol=4))

legacy = io.BytesIO()
for obj in (0x1950A86A20F9469CFC6C, 1001, {"protocol_version": 1001, "little_endian": True,
                                           "type_sizes": {"short": 2, "int": 4, "long": 4}}):
    pickle.dump(obj, legacy, protocol=2)
legacy.write(pickled(sd))
pickle.dump([s.key for s in storages], legacy, protocol=2)
for s in storages: legacy.write(struct.pack("<q", s.count) + s.data)
put("fuzz_torch_bin", "legacy_format", legacy.getvalue())

plain = io.BytesIO()
with zipfile.ZipFile(plain, "w", zipfile.ZIP_STORED) as z:
    z.writestr("a.txt", "hello"); z.writestr("dir/b.bin", bytes(range(40)))
put("fuzz_zip", "plain", plain.getvalue())

# --- config.json, preprocessor_config.json -----------------------------------------------------------
put("fuzz_config", "bert", json.dumps({"architectures": ["BertForMaskedLM"], "model_type": "bert", "vocab_size": 30522,
    "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
    "max_position_embeddings": 512, "type_vocab_size": 2, "hidden_act": "gelu", "layer_norm_eps": 1e-12}))
put("fuzz_config", "vit", json.dumps({"model_type": "vit", "hidden_size": 192, "num_hidden_layers": 12,
    "num_attention_heads": 3, "intermediate_size": 768, "image_size": 224, "patch_size": 16,
    "id2label": {"0": "tench", "1": "goldfish"}, "label2id": {"tench": 0, "goldfish": 1}}))
put("fuzz_config", "preprocessor", json.dumps({"do_resize": True, "size": {"shortest_edge": 256}, "resample": 3,
    "do_center_crop": True, "crop_size": {"height": 224, "width": 224}, "do_normalize": True,
    "image_mean": [0.485, 0.456, 0.406], "image_std": [0.229, 0.224, 0.225], "rescale_factor": 0.00392156862745098}))

# --- tokenizer ------------------------------------------------------------------------------------
for i, text in enumerate(["The cat sat on the mat.", "unaffable cats, naïve café 中文 [MASK]!",
                          "a\u0301\u200b\tb\r\nc " + "x" * 120, "\xff\xfe broken utf-8 \xc3"]):
    put("fuzz_tokenizer", "text%d" % i, bytes([7 if i % 2 else 1]) + text.encode("utf-8", "surrogateescape")
        if isinstance(text, str) and "\xff" not in text else bytes([3]) + b"\xff\xfe broken utf-8 \xc3")
put("fuzz_tokenizer", "vocab_file", b"\x80[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n##s\r\ncat\n\n")

# --- byte-level BPE tokenizer ----------------------------------------------------------------------
for i, text in enumerate(["the the <mask>thé", "Hello I'm a <mask> model.\n  a pair  ", "caf\u00e9 \u65e5\u672c \U0001F642\t\r\n"]):
    put("fuzz_bpe_tokenizer", "text%d" % i, b"\x00" + text.encode("utf-8"))
put("fuzz_bpe_tokenizer", "tokenizer_json", b"\x80" + json.dumps({
    "added_tokens": [{"id": 3, "content": "<mask>", "lstrip": True, "rstrip": False, "special": True}],
    "normalizer": None, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": True},
    "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0]},
    "model": {"type": "BPE", "vocab": {"<s>": 0, "</s>": 2, "a": 4, "b": 5, "ab": 6, "\u0120": 7},
              "merges": ["a b", ["\u0120", "a"]]}}).encode())

# --- SentencePiece Unigram -------------------------------------------------------------------------
for i, text in enumerate(["the a <mask>the", "  The   caf\u00e9 cafe\u0301 \uff46 x\n a pair \u2026", "A\u00c3 \U0001F642\u00a0\t"]):
    put("fuzz_unigram_tokenizer", "text%d" % i, b"\x00" + text.encode("utf-8"))
# A charsmap: trie size 2048 (512 zero units but the root), then one replacement string.
put("fuzz_unigram_tokenizer", "charsmap", b"\x80" + struct.pack("<I", 2048) + struct.pack("<I", 1 << 10) + b"\x00" * 2044 + b"x\x00")
put("fuzz_unigram_tokenizer", "tokenizer_json", b"\x40" + json.dumps({
    "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Replace", "pattern": {"String": "``"}, "content": "\""}]},
    "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "add_prefix_space": True},
    "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0]},
    "model": {"type": "Unigram", "unk_id": 1, "vocab": [["<s>", 0], ["<unk>", 0], ["</s>", 0], ["\u2581the", -1.5], ["e", -3]]}}).encode())

# --- image preprocessing --------------------------------------------------------------------------
put("fuzz_image_preprocess", "resize_crop", bytes([31, 17, 0x33, 50, 24, 24, 16, 16]) + bytes(range(256)) * 8)
put("fuzz_image_preprocess", "shortest_edge", bytes([1, 63, 0x27, 70, 9, 9, 95, 3]) + bytes(range(200)))
put("fuzz_image_preprocess", "mismatched", bytes([10, 10, 0x29, 0, 5, 5, 5, 5]) + bytes(17))

# --- fine-tuning data ------------------------------------------------------------------------------
put("fuzz_labelled_data", "sentences.tsv", b"text\tlabel\nThe soup was cold .\tNEGATIVE\nWhat a lovely day .\tPOSITIVE\n")
put("fuzz_labelled_data", "tags.conll", b"-DOCSTART- -X- O O\n\nMaria\tB-PER\nGarcia\tI-PER\nworks\tO\nin\tO\nVienna\tB-LOC\n\n")
put("fuzz_labelled_data", "records.csv", b'id,text,label\n1,"a ""quoted"", one",yes\n2,plain,no\n')
