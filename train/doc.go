// Package train fits networks built on Gorgonia expression graphs: the
// optimizers (RMSprop, SGD with momentum and Nesterov, Adam) with Keras's
// defaults and update rules, the losses and metrics, and the
// fit/evaluate/predict loop with Keras's progress line and History.
//
// A Network exposes its parameters and builds its forward pass into a
// graph; Compile pairs it with an optimizer, a loss and metrics. Because a
// Gorgonia graph has fixed shapes, the Trainer builds one graph and tape
// machine per batch size and purpose (training, evaluation, prediction),
// once, and reuses it for every batch; all of them share the parameter
// tensors, which the optimizer updates in place. Gradients come from
// gorgonia.Grad and are read out after each step, so nothing accumulates
// between steps.
//
// Training can be saved and resumed exactly: optimizers report their
// settings (Config, NewOptimizer) and state (State, SetState) under
// Keras's names, the Trainer counts the epochs trained (Epoch, SetEpoch),
// and Fit's random draws depend only on Seed and the epoch's number, so
// Fit(InitialEpoch(n), Epochs(m)) continues a run bit for bit. Callbacks
// are called where Keras 3 calls them: one's own (embed BaseCallback) or
// the built-in ones of package train/callbacks (EarlyStopping,
// ModelCheckpoint, TerminateOnNaN, LearningRateScheduler,
// ReduceLROnPlateau). FitContext, EvaluateContext and PredictContext stop
// between steps when their context is cancelled. A Trainer serialises
// concurrent calls with a lock; see Trainer.
//
// To look at a classifier's results, NewConfusionMatrix counts its
// answers by class and FindMistakes picks its most confident wrong ones;
// package train/plots draws them, and a History, as PNG pictures. The
// drawing lives there so that a program that only trains or predicts
// does not link the plotting library.
//
// Bad input (mismatched row counts, wrong widths, labels out of range,
// NaN or Inf in the data, non-positive batch sizes, negative epochs) is an
// error naming the problem and where it is, returned before any training
// starts.
package train
