// Package plots draws what package train computes as PNG pictures: a
// History's loss and metrics per epoch (WriteHistory, SaveHistory), a
// ConfusionMatrix as a heat map (WriteConfusion, SaveConfusion), and the
// Mistakes FindMistakes picks as a grid of captioned images
// (WriteMistakes, SaveMistakes):
//
//	history, err := model.Fit(x, y, train.Epochs(5), train.ValidationSplit(0.1))
//	err = plots.SaveHistory("history.png", history)
//	cm, err := train.NewConfusionMatrix(yTest, probs)
//	err = plots.SaveConfusion("confusion.png", cm)
//	mistakes, err := train.FindMistakes(xTest, yTest, probs, 36)
//	err = plots.SaveMistakes("mistakes.png", mistakes)
//
// The drawing lives apart from train so that a program that only trains
// or predicts (a model server) does not link the plotting library
// (gonum.org/v1/plot). The Write functions draw to any io.Writer at a
// size in pixels (the mistakes grid's size follows from the images); the
// Save functions write a file atomically, so a path holds either its
// previous content or the whole new picture. Bad input is an error
// naming what is wrong, never a panic.
package plots
