package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/train"
	"github.com/gokeras/gokeras/train/plots"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// writePlots writes history.png (unless h is nil: nothing was trained),
// confusion.png and mistakes.png to dir, creating it, and prints the
// confusion matrix.
func writePlots(ctx context.Context, dir string, h *train.History, model *nn.Sequential, x, y *tensor.Dense, out io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return errors.Wrap(err, "plots")
	}
	if h != nil {
		if err := plots.SaveHistory(filepath.Join(dir, "history.png"), h); err != nil {
			return err
		}
	}
	p, err := model.PredictContext(ctx, x, train.Verbose(0))
	if err != nil {
		return err
	}
	cm, err := train.NewConfusionMatrix(y, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Confusion matrix of the test set (rows: true class, columns: predicted):\n%s", cm)
	if err := plots.SaveConfusion(filepath.Join(dir, "confusion.png"), cm); err != nil {
		return err
	}
	ms, err := train.FindMistakes(x, y, p, 36)
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		fmt.Fprintln(out, "The model classifies every test digit right: no mistakes.png")
	} else if err := plots.SaveMistakes(filepath.Join(dir, "mistakes.png"), ms); err != nil {
		return err
	}
	fmt.Fprintf(out, "Wrote the pictures to %s\n", dir)
	return nil
}
