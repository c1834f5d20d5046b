"""Writes the PyTorch models onnx's import tests read.

For each model below it writes NAME.onnx (torch.onnx.export, a dynamic
batch axis "N") and NAME.json: a batch of inputs and the outputs PyTorch
computed for them, in the ONNX layout ({"input": {"dims", "data"},
"output": {"dims", "data"}}). The weights are PyTorch's default
initialisation from torch.manual_seed(1), then BatchNormalization's
running statistics moved off 0 and 1 by a few training-mode batches, so
that the test sees them. Run from the module root with Debian's
python3-torch:

    /usr/bin/python3 onnx/testdata/torch/make.py

The files are committed: the tests need neither Python nor PyTorch.
"""
import json
import os

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))


class MLP(nn.Module):
    """A multilayer perceptron as PyTorch writes it: Flatten, Linear,
    ReLU, BatchNorm1d, Linear, on (N, 1, 28, 28) images (Gemm with
    transB=1 in ONNX)."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.BatchNorm1d(32), nn.Linear(32, 10))

    def forward(self, x):
        return self.net(x)


class ConvNet(nn.Module):
    """Convolutions with PyTorch's symmetric padding (a stride-2 one
    that TensorFlow's same padding would pad differently), batch
    normalisation (after the ReLU: before it, the export folds it into
    the convolution), max and average pooling (PyTorch writes a Pad of
    zeros before the AveragePool), Flatten of channels-first images, and
    a log-softmax."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(8),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 12, 3, stride=2, padding=1), nn.Tanh(),
            nn.AvgPool2d(2),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(12 * 3 * 3, 10), nn.LogSoftmax(dim=1))

    def forward(self, x):
        return self.head(self.features(x))


class ResNet(nn.Module):
    """A residual network: input normalisation by constants (Sub, Mul),
    a convolution without bias whose batch normalisation the export folds
    into it, a batch normalisation it cannot fold,
    a residual Add, a Concat of two branches along the channels,
    Dropout (the identity in inference), global average pooling, a
    sigmoid-gated branch (Mul of two computed values) and a softmax."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.block = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(8), nn.Conv2d(8, 8, 3, padding=1))
        self.left = nn.Conv2d(8, 4, 1)
        self.right = nn.Conv2d(8, 4, 3, padding=1)
        self.gate = nn.Conv2d(8, 8, 1)
        self.drop = nn.Dropout(0.3)
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        x = (x - 0.5) * 2.0
        x = self.stem(x)
        x = torch.relu(x + self.block(x))
        x = torch.cat([self.left(x), self.right(x)], dim=1)
        x = x * torch.sigmoid(self.gate(x))
        x = torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)
        return torch.softmax(self.fc(self.drop(x)), dim=1)


class Classifier(nn.Module):
    """The model examples/serve's test fine-tunes: (N, 1, 28, 28) images
    to ten class probabilities (a softmax at the end, which gokeras's
    cross-entropy takes from its logits)."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(8 * 14 * 14, 32), nn.ReLU(), nn.Linear(32, 10), nn.Softmax(dim=1))

    def forward(self, x):
        return self.net(x)


MODELS = {"mlp": (MLP, 13), "convnet": (ConvNet, 13), "resnet": (ResNet, 13),
          "convnet_opset9": (ConvNet, 9), "classifier": (Classifier, 13)}


def main():
    for name, (cls, opset) in MODELS.items():
        torch.manual_seed(1)
        model = cls()
        model.train()
        with torch.no_grad():
            for _ in range(3):  # move the running statistics
                model(torch.rand(16, 1, 28, 28))
        model.eval()
        x = torch.rand(5, 1, 28, 28)
        with torch.no_grad():
            y = model(x)
        path = os.path.join(HERE, name + ".onnx")
        torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, do_constant_folding=True)
        with open(os.path.join(HERE, name + ".json"), "w") as f:
            json.dump({"input": {"dims": list(x.shape), "data": x.flatten().tolist()},
                       "output": {"dims": list(y.shape), "data": y.flatten().tolist()}}, f)
        print(name, "opset", opset, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
