// ONNX Runtime side of bench/onnxrt (go run ./bench/onnxrt): times one
// ONNX model with onnxruntime-node, in-process, with the protocol the Go
// program gives it, and prints the figures as JSON on stdout.
//
//   node ort_bench.js CONFIG.json
//
// CONFIG.json (written by the Go program):
//   model       the .onnx file, one input and one output
//   input       raw little-endian float32 samples, rows × prod(sample)
//   rows        number of samples in input
//   sample      one sample's shape, without the batch axis ([28, 28, 1])
//   intraOpThreads  ONNX Runtime's intra-op thread count
//   phases      [{batch, warmup}, ...]: for each, warmup untimed calls, then
//               timed calls until at least minCalls calls and `seconds`
//               seconds; batch b cycles through the input rows b at a time
//   seconds, minCalls
//   check       > 0: time nothing; instead run all rows as one batch and the
//               first `check` rows one at a time, and print the outputs
//
// Output: {"inputName", "outputName", "phases": [{"batch", "ms": [...]}]},
// one time per timed call in milliseconds (performance.now() around each
// awaited session.run), or, for check, {"inputName", "outputName",
// "check": {"dims", "batch", "singles"}}. The tensors are all made before
// the timed loop, so a call's time is session.run's alone.
//
// NODE_PATH must lead to onnxruntime-node: install it with
//   npm install --prefix .ort --ignore-scripts --no-audit --no-fund onnxruntime-node
// from the module root; the Go program sets NODE_PATH to .ort/node_modules.
"use strict";
const fs = require("fs");
const { performance } = require("perf_hooks");
const ort = require("onnxruntime-node");

async function main() {
  const args = process.argv.slice(2);
  if (args.length !== 1) {
    throw new Error("usage: node ort_bench.js CONFIG.json");
  }
  const c = JSON.parse(fs.readFileSync(args[0], "utf8"));
  const size = c.sample.reduce((a, b) => a * b, 1);
  const buf = fs.readFileSync(c.input);
  if (buf.length !== c.rows * size * 4) {
    throw new Error(`${c.input} holds ${buf.length} bytes; want ${c.rows} samples of ${size} float32 values (${c.rows * size * 4} bytes)`);
  }
  // A copy: the Buffer's offset in its pool need not be a multiple of 4.
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));

  const session = await ort.InferenceSession.create(c.model, {
    intraOpNumThreads: c.intraOpThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    executionMode: "sequential",
  });
  if (session.inputNames.length !== 1 || session.outputNames.length !== 1) {
    throw new Error(`${c.model} has inputs [${session.inputNames}] and outputs [${session.outputNames}]; the benchmark takes one of each`);
  }
  const inName = session.inputNames[0];
  const outName = session.outputNames[0];

  // feed returns the feeds for rows first … first+batch−1, a tensor of
  // its own.
  const feed = (first, batch) => ({
    [inName]: new ort.Tensor("float32", data.slice(first * size, (first + batch) * size), [batch, ...c.sample]),
  });
  const result = { inputName: inName, outputName: outName };

  if (c.check > 0) {
    const whole = (await session.run(feed(0, c.rows)))[outName];
    const singles = [];
    for (let i = 0; i < c.check && i < c.rows; i++) {
      singles.push(...(await session.run(feed(i, 1)))[outName].data);
    }
    result.check = {
      dims: Array.from(whole.dims, Number),
      batch: Array.from(whole.data),
      singles: singles,
    };
    process.stdout.write(JSON.stringify(result));
    return;
  }

  result.phases = [];
  for (const p of c.phases) {
    if (p.batch < 1 || p.batch > c.rows) {
      throw new Error(`batch ${p.batch}: want 1 … ${c.rows}`);
    }
    const feeds = [];
    for (let first = 0; first + p.batch <= c.rows; first += p.batch) {
      feeds.push(feed(first, p.batch));
    }
    let i = 0;
    for (let w = 0; w < p.warmup; w++) {
      await session.run(feeds[i++ % feeds.length]);
    }
    const ms = [];
    const budget = c.seconds * 1000;
    const start = performance.now();
    while (ms.length < c.minCalls || performance.now() - start < budget) {
      const f = feeds[i++ % feeds.length];
      const t0 = performance.now();
      await session.run(f);
      ms.push(performance.now() - t0);
    }
    result.phases.push({ batch: p.batch, ms: ms });
  }
  process.stdout.write(JSON.stringify(result));
}

main().catch((e) => {
  console.error(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
