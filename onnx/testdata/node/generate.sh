#!/bin/sh
# Regenerates the ONNX backend node tests that node_test.go runs against
# the importer: ONNX's own test cases (model.onnx, test_data_set_0/
# input_N.pb and output_N.pb, serialized TensorProtos), written by the
# generators of Debian's python3-onnx (ONNX 1.12, Apache-2.0), which
# ships the generators but not their data.
#
# It keeps only the tests whose model is one node of an operator the
# importer reads (decided from the model, not the test's name). The
# "_expanded" tests are the same cases written as several nodes (a
# function's expansion) and so are left out; the script says how many.
#
# Needs /usr/bin/python3 with python3-onnx and python3-numpy
# (apt-get install python3-onnx); not a pyenv or virtualenv python.
# ONNX 1.12's Bernoulli generator uses np.float, which numpy 1.24
# removed, and the generator imports every operator's module; the
# snippet below puts the removed aliases back (they were the builtins)
# before running onnx.backend.test.cmd_tools generate-data.
#
# Usage: onnx/testdata/node/generate.sh (from anywhere). It replaces
# the test_* folders next to this script.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 - "$tmp/out" <<'EOF'
import runpy
import sys

import numpy as np

for name, builtin in (("float", float), ("int", int), ("bool", bool),
                      ("object", object), ("complex", complex), ("str", str)):
    if name not in np.__dict__:
        setattr(np, name, builtin)
sys.argv = ["cmd_tools", "generate-data", "-o", sys.argv[1]]
runpy.run_module("onnx.backend.test.cmd_tools", run_name="__main__")
EOF

# The operators onnx/operators.go reads, but Pad (added to the importer
# later; its node tests could join these, with its pads input moved to
# an initializer by node_test.go).
ops="Gemm MatMul Add Sub Mul Relu Sigmoid Tanh Softmax LogSoftmax Flatten Reshape Transpose Conv MaxPool AveragePool GlobalAveragePool BatchNormalization Dropout Identity Concat Constant"

/usr/bin/python3 - "$tmp/out/node" "$tmp/selected" $ops <<'EOF'
import os
import sys

import onnx

root, listing, ops = sys.argv[1], sys.argv[2], set(sys.argv[3:])
selected = []
for name in sorted(os.listdir(root)):
    model = onnx.load(os.path.join(root, name, "model.onnx"))
    nodes = model.graph.node
    if len(nodes) == 1 and nodes[0].op_type in ops:
        selected.append(name)
expanded = [n for n in sorted(os.listdir(root))
            if n.endswith("_expanded") and n[:-len("_expanded")] in selected]
with open(listing, "w") as f:
    f.write("".join(n + "\n" for n in selected))
print(f"{len(selected)} single-node tests of the imported operators kept; "
      f"{len(expanded)} of their _expanded (multi-node) variants left out",
      file=sys.stderr)
EOF

rm -rf "$here"/test_*
while read -r name; do
	mkdir -p "$here/$name/test_data_set_0"
	cp "$tmp/out/node/$name/model.onnx" "$here/$name/"
	cp "$tmp/out/node/$name/test_data_set_0/"*.pb "$here/$name/test_data_set_0/"
done <"$tmp/selected"
find "$here" -path "$here/test_*" -type f -printf '%s\n' |
	awk '{ s += $1 } END { printf "test data: %d files, %d bytes\n", NR, s }' >&2
