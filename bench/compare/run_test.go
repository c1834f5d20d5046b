package main

import (
	"math"
	"strings"
	"testing"
)

func shell(script string) implementation {
	return implementation{name: "sh", path: "/bin/sh", args: []string{"-c", script}, env: []string{"X=1"}, parse: parseTorchEpoch}
}

func TestRunTrainingTimesEpochLines(t *testing.T) {
	r, err := runTraining(shell(`echo train; sleep 0.1; echo "epoch 1/3 loss 0.3 accuracy 0.9"; sleep 0.3
echo "epoch 2/3 loss 0.2 accuracy 0.95"; sleep 0.3; echo "epoch 3/3 loss 0.1 accuracy 0.97"; echo "Test accuracy: 0.9700"`), 1, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.secPer-0.3) > 0.1 || r.warm {
		t.Errorf("s/epoch %v (warm %v), want about 0.3", r.secPer, r.warm)
	}
	if r.testAcc != 0.97 || r.lastEpoch.loss != 0.1 || len(r.epochs) != 3 {
		t.Errorf("got %+v", r)
	}
	if r.wall.Seconds() < 0.7 || r.maxRSSKiB <= 0 {
		t.Errorf("wall %v, max RSS %d KiB", r.wall, r.maxRSSKiB)
	}
}

func TestRunTrainingReportsFailure(t *testing.T) {
	_, err := runTraining(shell(`echo "epoch 1/1 loss 0.3 accuracy 0.9"; echo "Traceback: boom" >&2; exit 3`), 2, 1, nil)
	if err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "Traceback: boom") || !strings.Contains(err.Error(), "pair 2") {
		t.Errorf("error %v lacks the exit status, pair or stderr tail", err)
	}
	_, err = runTraining(shell(`echo "epoch 1/1 loss 0.3 accuracy 0.9"; echo "Test accuracy: nan"`), 1, 1, nil)
	if err == nil || !strings.Contains(err.Error(), "Test accuracy") {
		t.Errorf("unparsable test accuracy not reported: %v", err)
	}
}
