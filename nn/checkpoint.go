package nn

import (
	"github.com/gokeras/gokeras/train/callbacks"
	"github.com/pkg/errors"
)

// Checkpoint returns Keras's ModelCheckpoint for this model: given to Fit
// with train.Callbacks, it saves the whole model (as Save does, and as
// atomically) to path after every epoch, or, with saveBestOnly, only
// after epochs that improve the monitored value ("val_loss" when monitor
// is ""; the mode follows from the name, as Keras's "auto" does). Path
// may hold format fields such as {epoch:02d} or {val_loss:.2f}; see
// callbacks.ModelCheckpoint, whose other fields (Mode, Verbose, Output) may
// be set on the result. A bad path or monitor is an error from Fit; so
// is a failed save, which stops the training and leaves the previous
// file as it was.
//
// The checkpoint saves from inside Fit, which holds the trainer's lock:
// it writes the weights as the finished epoch left them without taking
// the lock again (which would wait for ever).
func (m *Model) Checkpoint(path, monitor string, saveBestOnly bool) *callbacks.ModelCheckpoint {
	return &callbacks.ModelCheckpoint{Path: path, Monitor: monitor, SaveBestOnly: saveBestOnly,
		Save: func(p string) error {
			if err := m.save(p, true, false); err != nil {
				return errors.Wrapf(err, "save %s", p)
			}
			return nil
		}}
}
