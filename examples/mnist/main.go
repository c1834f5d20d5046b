// Command mnist trains the Keras MNIST example in Go: 784 inputs →
// Dense(512, relu) → Dense(10, softmax), RMSprop, categorical
// cross-entropy, 5 epochs of batches of 128, then prints the test
// accuracy (about 0.98).
//
// With -plots DIR it holds out the last 10% of the training set for
// validation and, after training, writes three pictures to DIR: the
// learning curves (history.png), the confusion matrix on the test set
// (confusion.png, also printed as a table) and the 36 test digits the
// model gets wrong most confidently (mistakes.png).
//
// With -save PATH it writes the trained model to PATH (an .npz numpy
// opens; see nn.Sequential.Save), atomically. With -load PATH it loads a
// saved model and evaluates it; given -epochs N as well, it first trains
// it N more epochs from where it stopped (and saves it again with
// -save). Give the same -seed (and -batch) as the first run for the
// result to be the one an uninterrupted run gives.
//
// Ctrl-C stops the training after the current step; with -save the
// model is saved as the finished steps left it, and the program exits
// with status 130. A second Ctrl-C quits at once, removing the temporary
// file of a save in progress. No file is ever left half-written.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/gokeras/gokeras/mnist"
	"github.com/gokeras/gokeras/nn"
	"github.com/gokeras/gokeras/train"
	"github.com/gokeras/gokeras/train/callbacks"
	"github.com/pkg/errors"
)

// config is what the flags set.
type config struct {
	epochs, batch, verbose int
	epochsSet              bool // -epochs was given
	seed                   uint64
	dir, save, load, plots string
}

// errInterrupted is returned when Ctrl-C stopped the work.
var errInterrupted = errors.New("interrupted")

func main() {
	var c config
	flag.IntVar(&c.epochs, "epochs", 5, "passes over the training set (with -load: further passes; without it -load only evaluates)")
	flag.IntVar(&c.batch, "batch", 128, "rows per training step")
	flag.Uint64Var(&c.seed, "seed", 1, "seed for the initial weights and the shuffling")
	flag.StringVar(&c.dir, "data", "", "directory holding the four MNIST files (default: search as mnist.Load does)")
	flag.IntVar(&c.verbose, "verbose", 1, "0 silent, 1 progress bar, 2 one line per epoch")
	flag.StringVar(&c.save, "save", "", "write the trained model to this .npz file (atomically)")
	flag.StringVar(&c.load, "load", "", "load the model from this .npz file instead of building one")
	flag.StringVar(&c.plots, "plots", "", "write history.png, confusion.png and mistakes.png to this directory (training then holds out the last 10% of the training set for validation)")
	flag.Parse()
	flag.Visit(func(f *flag.Flag) { c.epochsSet = c.epochsSet || f.Name == "epochs" })
	ctx, stop := interrupts(os.Stderr, c.save)
	err := run(ctx, c, os.Stdout)
	stop()
	switch {
	case errors.Is(err, errInterrupted):
		os.Exit(130)
	case err != nil:
		fmt.Fprintln(os.Stderr, "mnist:", err)
		os.Exit(1)
	}
}

// interrupts returns a context that the first SIGINT cancels, saying so
// on w; a second SIGINT exits at once with status 130, removing the
// temporary file of a save to savePath in progress (Save writes
// .<name>-*.tmp next to the file and renames it into place only when it
// is complete, so the file itself is never half-written). stop stops
// listening.
func interrupts(w io.Writer, savePath string) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt)
	done := make(chan struct{})
	go func() {
		select {
		case <-ch:
		case <-done:
			return
		}
		fmt.Fprintln(w, "\nmnist: interrupted: stopping after the current step (Ctrl-C again to quit at once)")
		cancel()
		select {
		case <-ch:
			fmt.Fprintln(w, "mnist: interrupted again: quitting")
			if savePath != "" {
				dir, name := filepath.Split(savePath)
				tmps, _ := filepath.Glob(filepath.Join(dir, "."+name+"-*.tmp"))
				for _, tmp := range tmps {
					os.Remove(tmp)
				}
			}
			os.Exit(130)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel()
	}
}

func run(ctx context.Context, c config, out io.Writer) error {
	data, err := mnist.Load(mnist.Dir(c.dir))
	if err != nil {
		return err
	}
	xTrain, xTest, err := data.Convert(mnist.Flatten)
	if err != nil {
		return err
	}
	yTrain, err := train.ToCategorical(data.TrainLabels, 10)
	if err != nil {
		return err
	}
	yTest, err := train.ToCategorical(data.TestLabels, 10)
	if err != nil {
		return err
	}

	var model *nn.Sequential
	fit := true
	if c.load != "" {
		if model, err = nn.Load(c.load); err != nil {
			return err
		}
		fmt.Fprintf(out, "Loaded %s: trained %d epochs\n", c.load, model.Epoch())
		if !model.Compiled() {
			if err := model.Compile(train.RMSprop(), train.CategoricalCrossentropy(), train.Accuracy()); err != nil {
				return err
			}
		}
		fit = c.epochsSet
	} else {
		model = nn.NewSequential(
			nn.Dense(512, nn.ReLU, nn.InputShape(28*28)),
			nn.Dense(10, nn.Softmax),
		)
		if err := model.Build(c.seed); err != nil {
			return err
		}
		if err := model.Compile(train.RMSprop(), train.CategoricalCrossentropy(), train.Accuracy()); err != nil {
			return err
		}
	}
	if c.verbose > 0 {
		fmt.Fprint(out, model.Summary())
	}
	var history *train.History
	if fit {
		first, steps := model.Epoch(), trainedSteps(model)
		opts := []train.Option{train.InitialEpoch(first), train.Epochs(first + c.epochs),
			train.BatchSize(c.batch), train.Seed(c.seed), train.Verbose(c.verbose), train.Output(out),
			train.Callbacks(callbacks.TerminateOnNaN{})}
		if c.plots != "" {
			opts = append(opts, train.ValidationSplit(0.1))
		}
		history, err = model.FitContext(ctx, xTrain, yTrain, opts...)
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			fmt.Fprintf(os.Stderr, "mnist: training stopped: %v\n", err)
			switch {
			case c.save == "":
			case trainedSteps(model) == steps:
				fmt.Fprintf(os.Stderr, "mnist: no step was trained: %s not written\n", c.save)
			default:
				if err := model.Save(c.save); err != nil {
					return err
				}
				fmt.Fprintf(os.Stderr, "mnist: saved the model, with every step finished so far, to %s; it counts %d finished epochs\n", c.save, model.Epoch())
			}
			return errInterrupted
		}
		if err != nil {
			return err
		}
		if c.save != "" {
			if err := model.Save(c.save); err != nil {
				return err
			}
			fmt.Fprintf(out, "Saved the model to %s\n", c.save)
		}
	}
	_, metrics, err := model.EvaluateContext(ctx, xTest, yTest, train.Verbose(min(c.verbose, 1)), train.Output(out))
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		fmt.Fprintf(os.Stderr, "mnist: evaluation stopped: %v\n", err)
		return errInterrupted
	}
	if err != nil {
		return err
	}
	if len(metrics) == 0 {
		return errors.New("the loaded model has no metrics to report")
	}
	fmt.Fprintf(out, "Test accuracy: %.4f\n", metrics[0])
	if c.plots != "" {
		return writePlots(ctx, c.plots, history, model, xTest, yTest, out)
	}
	return nil
}

// trainedSteps returns the optimizer's step count: how many training
// steps the model has had.
func trainedSteps(m *nn.Sequential) int64 {
	return m.Trainer().Optimizer().State().Step
}
