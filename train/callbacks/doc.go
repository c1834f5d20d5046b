// Package callbacks holds Keras 3's built-in training callbacks for
// package train's Fit: EarlyStopping, ModelCheckpoint,
// LearningRateScheduler, ReduceLROnPlateau and TerminateOnNaN. Each
// follows Keras's rules, defaults and messages (see each type); give
// them to Fit with train.Callbacks:
//
//	es := callbacks.NewEarlyStopping()
//	es.Patience, es.RestoreBestWeights = 3, true
//	history, err := model.Fit(x, y, train.Epochs(50), train.ValidationSplit(0.1),
//		train.Callbacks(es, callbacks.TerminateOnNaN{}))
//
// The Callback interface they implement, BaseCallback and Logs belong to
// package train, which calls the hooks; this package uses only train's
// exported API (train.Trainer's Optimizer, Params, StopTraining and
// Output), so a callback of one's own can do whatever these do.
// ModelCheckpoint cannot write a model itself: it calls the Save function
// it is given, which nn's Model.Checkpoint fills with the model's Save.
//
// Messages (with Verbose > 0, and the warning about a monitored value
// missing from the logs) go to a callback's Output, or, when that is nil,
// to the running Fit's Output.
package callbacks
