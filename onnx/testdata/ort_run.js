// Runs an ONNX model with ONNX Runtime for Node (onnxruntime-node) and
// prints its outputs as JSON: node ort_run.js MODEL INPUTS.json, where
// INPUTS.json is [{"name", "dims", "data"}, ...] (float32 values); the
// output is [{"name", "dims", "data"}, ...] in the model's output order.
// onnx's tests run it; install the runtime with
//   npm install --prefix .ort --ignore-scripts onnxruntime-node
// from the module root (the tests set NODE_PATH to .ort/node_modules).
const fs = require("fs");
const ort = require("onnxruntime-node");

async function main() {
  const [model, inputFile] = process.argv.slice(2);
  const inputs = JSON.parse(fs.readFileSync(inputFile, "utf8"));
  const session = await ort.InferenceSession.create(model);
  const feeds = {};
  for (const x of inputs) {
    feeds[x.name] = new ort.Tensor("float32", Float32Array.from(x.data), x.dims);
  }
  const results = await session.run(feeds);
  const out = session.outputNames.map((n) => ({
    name: n,
    dims: Array.from(results[n].dims, Number),
    data: Array.from(results[n].data),
  }));
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  console.error(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
