#!/usr/bin/env python3
"""PyTorch reference for gokeras's examples/mnist, convnet and fashion, run by `go run ./bench/compare`.

--model mlp (the default) is examples/mnist's job: 784 inputs ->
Linear(512) -> ReLU -> Linear(10), batches of 128. --model convnet is
examples/convnet's, Chollet's MNIST convnet: Conv2d(32, 3x3) -> ReLU ->
MaxPool(2x2) -> Conv2d(64, 3x3) -> ReLU -> MaxPool(2x2) -> Conv2d(64, 3x3) ->
ReLU -> Flatten -> Linear(64) -> ReLU -> Linear(10), batches of 64.
--model fashion is examples/fashion's residual convnet with batch
normalisation (see fashion_network), trained with Adam(lr=0.002,
betas=(0.9, 0.999), eps=1e-7) on batches of 128, the last two epochs
at a tenth of it (run it with --epochs 7, as the example); give --data the
Fashion-MNIST directory (/usr/share/datasets/fashion-mnist). All use
softmax cross-entropy (nn.CrossEntropyLoss on the logits),
the first two RMSprop(lr=0.001, rho=0.9, eps=1e-7), batches reshuffled every epoch,
Glorot-uniform weights and zero biases as Keras initialises them, pixels
scaled by 1/255 as float32; --batch overrides the batch size. It reads the
four MNIST IDX files (gzip-compressed or raw) from --data with gzip + numpy:
no torchvision, no download. The test set is evaluated in batches of 1000
under torch.no_grad().

Output, one line each, flushed as it happens (the Go side timestamps the lines
to measure seconds per epoch):

    torch 1.13.0 threads 2 numpy 1.24.2
    model mlp, 407050 parameters
    train 60000 images, 469 steps of 128 per epoch
    epoch 1/5 loss 0.2571 accuracy 0.9257
    ...
    Test accuracy: 0.9784

With --gemm it trains nothing and instead times numpy float32 matrix products
(OpenBLAS, where libblas.so.3 is OpenBLAS) on the six shapes of one training
step of the MLP, printing `gemm <i> <m> <n> <k> <GFLOP/s>` per shape and a
`blas ...` line. With --info it prints what it would run with (python,
numpy, torch, threads, BLAS) as `key value` lines and exits.

Needs only torch and numpy (Debian: apt-get install python3-torch
libopenblas0-pthread). Run torch with OMP_WAIT_POLICY=PASSIVE: otherwise its
idle OpenMP threads spin and starve OpenBLAS's own threads.
"""

import argparse
import gzip
import os
import struct
import sys
import time

try:
    import numpy as np
except ImportError:  # --info still reports what is missing
    np = None

INSTALL = "apt-get install python3-torch libopenblas0-pthread"

# Default batch size per --model, as in examples/mnist and examples/convnet.
DEFAULT_BATCH = {"mlp": 128, "convnet": 64, "fashion": 128}

# Test images per evaluation batch: bounds the memory of the convnet's
# activations (10000 images at once would take about 1 GB).
EVAL_BATCH = 1000

# The six matrix products of one MLP training step at batch 128, row-major:
# (transA, transB, m, n, k); A is m×k (stored k×m when transA), B is k×n
# (stored n×k when transB). The Go side times the same list.
SHAPES = [
    (False, False, 128, 512, 784),  # 1 X·W1
    (False, False, 128, 10, 512),  # 2 H·W2
    (True, False, 512, 10, 128),  # 3 Hᵀ·dZ2
    (False, True, 128, 512, 10),  # 4 dZ2·W2ᵀ
    (True, False, 784, 512, 128),  # 5 Xᵀ·dZ1
    (False, True, 128, 784, 512),  # 6 dZ1·W1ᵀ
]


def usable_cpus():
    """Return the number of CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def idx_path(data, name):
    """Return the path of IDX file name in data, gzip-compressed or raw."""
    for candidate in (name + ".gz", name):
        path = os.path.join(data, candidate)
        if os.path.isfile(path):
            return path
    sys.exit(f"torch_mnist.py: {name}(.gz) not found in {data}")


def read_idx(data, name):
    """Return the bytes of one IDX file, decompressed."""
    path = idx_path(data, name)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return path, f.read()


def load_images(data, name):
    """Return the images of an IDX3 file as (N, 784) float32 in [0, 1]."""
    path, buf = read_idx(data, name)
    magic, n, rows, cols = struct.unpack(">IIII", buf[:16])
    if magic != 2051 or len(buf) != 16 + n * rows * cols:
        sys.exit(f"torch_mnist.py: {path}: not an IDX image file")
    x = np.frombuffer(buf, np.uint8, count=n * rows * cols, offset=16)
    return x.reshape(n, rows * cols).astype(np.float32) / np.float32(255)


def load_labels(data, name):
    """Return the labels of an IDX1 file as (N,) int64."""
    path, buf = read_idx(data, name)
    magic, n = struct.unpack(">II", buf[:8])
    if magic != 2049 or len(buf) != 8 + n:
        sys.exit(f"torch_mnist.py: {path}: not an IDX label file")
    return np.frombuffer(buf, np.uint8, count=n, offset=8).astype(np.int64)


def blas_description():
    """Describe the BLAS library this process has loaded, or "unknown".

    It looks in /proc/self/maps for the loaded libblas/libopenblas and, for
    OpenBLAS, asks it for its configuration and thread count.
    """
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
    except OSError:
        return "unknown"
    if not paths:
        return "unknown"
    real = sorted({os.path.realpath(p) for p in paths})
    # Prefer the generic libblas.so.3 name (what numpy and torch link to).
    path = next((p for p in real if "libblas" in os.path.basename(p)), real[0])
    desc = path
    try:
        import ctypes

        lib = ctypes.CDLL(path)
        lib.openblas_get_config.restype = ctypes.c_char_p
        desc += f" ({lib.openblas_get_config().decode()}, {lib.openblas_get_num_threads()} threads)"
    except (OSError, AttributeError):
        pass
    return desc


def time_gemm(min_seconds):
    """Time np.dot on SHAPES and print one `gemm` line per shape.

    Each shape gets a warm-up, a repetition count for which one batch lasts
    at least min_seconds, then three batches; the best gives GFLOP/s.
    """
    rng = np.random.default_rng(1)
    for i, (trans_a, trans_b, m, n, k) in enumerate(SHAPES, 1):
        a = rng.uniform(-1, 1, (k, m) if trans_a else (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, k) if trans_b else (k, n)).astype(np.float32)
        # Transposes are views: numpy hands them to sgemm as transposed
        # operands without copying.
        a_op = a.T if trans_a else a
        b_op = b.T if trans_b else b
        c = np.empty((m, n), np.float32)
        np.dot(a_op, b_op, out=c)
        reps = 1
        while True:
            t0 = time.perf_counter()
            for _ in range(reps):
                np.dot(a_op, b_op, out=c)
            elapsed = time.perf_counter() - t0
            if elapsed >= min_seconds:
                break
            reps = max(2 * reps, int(reps * 1.2 * min_seconds / max(elapsed, 1e-9)))
        best = elapsed
        for _ in range(3):
            t0 = time.perf_counter()
            for _ in range(reps):
                np.dot(a_op, b_op, out=c)
            best = min(best, time.perf_counter() - t0)
        gflops = 2.0 * m * n * k * reps / best / 1e9
        print(f"gemm {i} {m} {n} {k} {gflops:.3f}", flush=True)
    print(f"blas {blas_description()}", flush=True)


def info(threads):
    """Print python, numpy, torch and BLAS versions as `key value` lines."""
    print(f"python {sys.version.split()[0]} {sys.executable}")
    if np is None:
        print("numpy missing")
        print("torch missing", flush=True)
        return
    print(f"numpy {np.__version__}")
    try:
        import torch
    except ImportError:
        print("torch missing")
    else:
        print(f"torch {torch.__version__}")
        print(f"torch_default_threads {torch.get_num_threads()}")
        torch.set_num_threads(threads)
        print(f"threads {torch.get_num_threads()}")
        # A product big enough for torch to call its BLAS, so that the
        # library is loaded and shows in /proc/self/maps.
        torch.ones(64, 64) @ torch.ones(64, 64)
    np.ones((64, 64), np.float32) @ np.ones((64, 64), np.float32)
    print(f"blas {blas_description()}", flush=True)


def fashion_network():
    """Return examples/fashion's residual convnet, channels-first.

    Keras's BatchNormalization(momentum=0.99, epsilon=1e-3) is PyTorch's
    BatchNorm2d(momentum=0.01, eps=1e-3): PyTorch's momentum weighs the new
    batch, Keras's the old average. The stride-2 convolution pads one pixel
    on each side where Keras's "same" pads only after (0 before, 1 after):
    the same shapes and work, the window shifted by one pixel.
    """
    from torch import nn

    def conv_bn(cin, cout, stride=1):
        return [nn.Conv2d(cin, cout, 3, stride=stride, padding=1),
                nn.BatchNorm2d(cout, momentum=0.01, eps=1e-3)]

    class Residual(nn.Module):
        """ReLU(x + BN(Conv(ReLU(BN(Conv(x))))))."""

        def __init__(self, channels):
            super().__init__()
            self.body = nn.Sequential(*conv_bn(channels, channels), nn.ReLU(),
                                      *conv_bn(channels, channels))
            self.relu = nn.ReLU()

        def forward(self, x):
            return self.relu(x + self.body(x))

    return nn.Sequential(
        *conv_bn(1, 32), nn.ReLU(), nn.MaxPool2d(2),  # 14x14x32
        Residual(32),
        *conv_bn(32, 64, stride=2), nn.ReLU(),  # 7x7x64
        Residual(64),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),  # 64
        nn.Linear(64, 10),
    )


def build_model(name):
    """Return the network --model name, initialised as Keras does."""
    from torch import nn

    if name == "mlp":
        model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))
    elif name == "fashion":
        model = fashion_network()
    else:
        # PyTorch's native layout is channels-first: the images go in as
        # (N, 1, 28, 28) NCHW, where Keras and gokeras use channels-last
        # (N, 28, 28, 1) NHWC. The network is the same up to the order in
        # which Flatten lists the 3x3x64 features (C, H, W here; H, W, C
        # there), a mere permutation of the first Dense layer's rows.
        model = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),  # 26x26x32 -> 13x13x32
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),  # 11x11x64 -> 5x5x64
            nn.Conv2d(64, 64, 3), nn.ReLU(),  # 3x3x64
            nn.Flatten(),  # 576
            nn.Linear(576, 64), nn.ReLU(),
            nn.Linear(64, 10),
        )
    for layer in model.modules():
        if isinstance(layer, (nn.Linear, nn.Conv2d)):
            # Keras's glorot_uniform: U(±sqrt(6/(fan_in+fan_out))), zero
            # bias. For a convolution both Keras and PyTorch take
            # fan_in = kh·kw·in_channels, fan_out = kh·kw·out_channels.
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
    return model


def train(args):
    """Train the --model network and print per-epoch and test lines."""
    try:
        import torch
        from torch import nn
    except ImportError:
        sys.exit(f"torch_mnist.py: torch is missing for {sys.executable}: {INSTALL}")

    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__} threads {torch.get_num_threads()} numpy {np.__version__}", flush=True)

    x_train = load_images(args.data, "train-images-idx3-ubyte")
    y_train = torch.from_numpy(load_labels(args.data, "train-labels-idx1-ubyte"))
    x_test = load_images(args.data, "t10k-images-idx3-ubyte")
    y_test = torch.from_numpy(load_labels(args.data, "t10k-labels-idx1-ubyte"))
    if args.model in ("convnet", "fashion"):
        # (N, 784) -> (N, 1, 28, 28), channels-first: a view, no copy.
        x_train = x_train.reshape(-1, 1, 28, 28)
        x_test = x_test.reshape(-1, 1, 28, 28)
    x_train, x_test = torch.from_numpy(x_train), torch.from_numpy(x_test)

    torch.manual_seed(args.seed)
    model = build_model(args.model)
    params = sum(p.numel() for p in model.parameters())
    print(f"model {args.model}, {params} parameters", flush=True)
    loss_fn = nn.CrossEntropyLoss()  # log-softmax + NLL on the logits
    # Keras's RMSprop defaults. PyTorch puts eps outside the square root,
    # w -= lr·g / (sqrt(v) + eps); Keras (and gokeras) inside it,
    # w -= lr·g / sqrt(v + eps). With eps 1e-7 the difference only shows
    # where v is tiny.
    opt = torch.optim.RMSprop(model.parameters(), lr=0.001, alpha=0.9, eps=1e-7)
    if args.model == "fashion":
        # examples/fashion's optimizer: Keras's Adam, at twice its default rate.
        opt = torch.optim.Adam(model.parameters(), lr=0.002, betas=(0.9, 0.999), eps=1e-7)
    gen = torch.Generator().manual_seed(args.seed)

    n = x_train.shape[0]
    steps = (n + args.batch - 1) // args.batch
    print(f"train {n} images, {steps} steps of {args.batch} per epoch", flush=True)
    for epoch in range(args.epochs):
        if args.model == "fashion":
            # examples/fashion's schedule: the last two epochs at a tenth
            # of the rate.
            for group in opt.param_groups:
                group["lr"] = 0.0002 if epoch >= args.epochs - 2 else 0.002
        model.train()
        perm = torch.randperm(n, generator=gen)
        total_loss = 0.0
        correct = 0
        for start in range(0, n, args.batch):
            idx = perm[start:start + args.batch]
            xb, yb = x_train[idx], y_train[idx]
            logits = model(xb)
            loss = loss_fn(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            # Like Keras: the mean over the epoch of each batch's loss and
            # accuracy, measured before that batch's update.
            total_loss += loss.item() * len(idx)
            correct += (logits.argmax(1) == yb).sum().item()
        print(f"epoch {epoch + 1}/{args.epochs} loss {total_loss / n:.4f} accuracy {correct / n:.4f}", flush=True)

    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, x_test.shape[0], EVAL_BATCH):
            logits = model(x_test[start:start + EVAL_BATCH])
            correct += (logits.argmax(1) == y_test[start:start + EVAL_BATCH]).sum().item()
    print(f"Test accuracy: {correct / x_test.shape[0]:.4f}", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=5, help="passes over the training set")
    p.add_argument("--model", choices=sorted(DEFAULT_BATCH), default="mlp",
                   help="mlp: examples/mnist's 784-512-10 network; convnet: examples/convnet's")
    p.add_argument("--batch", type=int, help="images per training step (default: 128 for mlp, 64 for convnet)")
    p.add_argument("--seed", type=int, default=1, help="seed for the initial weights and the shuffling")
    p.add_argument("--data", help="directory holding the four MNIST IDX files")
    p.add_argument("--threads", type=int, default=usable_cpus(), help="torch intra-op threads")
    p.add_argument("--gemm", action="store_true", help="time numpy float32 matmul on the six shapes instead")
    p.add_argument("--gemm-time", type=float, default=0.3, help="seconds per timed batch of one shape")
    p.add_argument("--info", action="store_true", help="print versions and BLAS, then exit")
    args = p.parse_args()
    if args.batch is None:
        args.batch = DEFAULT_BATCH[args.model]
    elif args.batch < 1:
        p.error("--batch must be at least 1")
    if np is None and not args.info:
        sys.exit(f"torch_mnist.py: numpy is missing for {sys.executable}: {INSTALL}")
    if args.info:
        info(args.threads)
    elif args.gemm:
        time_gemm(args.gemm_time)
    else:
        if not args.data:
            p.error("--data is required for training")
        train(args)


if __name__ == "__main__":
    main()
