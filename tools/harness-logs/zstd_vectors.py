"""Writes zstd test vectors (python-zstandard, the library Inspect AI writes .eval logs with) for
Tests/TTSBenchTests/HarnessLogImportTests.swift: NAME.bin and NAME.zst pairs in the given directory.

    python zstd_vectors.py OUT_DIR SAMPLE_FILE
"""
import os
import random
import sys

import zstandard

out, sample = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
text = open(sample, "rb").read()
rng = random.Random(13)
inputs = {
    "log": text,  # JSON, several 128 KiB blocks
    "small": text[:100],
    "empty": b"",
    "random": bytes(rng.getrandbits(8) for _ in range(70000)),  # raw blocks
    "runs": b"a" * 300000 + b"b" * 5 + b"a" * 1000,  # RLE blocks and long matches
    "words": b" ".join(rng.choice([b"alpha", b"beta", b"gamma", b"delta", b"\xce\xbb"]) for _ in range(60000)),
}
for name, data in inputs.items():
    for level in (1, 3, 19):
        for checksum in (False, True):
            c = zstandard.ZstdCompressor(level=level, write_checksum=checksum, write_content_size=not checksum)
            stem = f"{name}-l{level}{'-c' if checksum else ''}"
            open(os.path.join(out, stem + ".bin"), "wb").write(data)
            open(os.path.join(out, stem + ".zst"), "wb").write(c.compress(data))
print(f"zstd_vectors: {len(inputs) * 6} pairs in {out}", file=sys.stderr)
