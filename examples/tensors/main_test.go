package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestTour(t *testing.T) {
	var b bytes.Buffer
	if err := run(&b, "", 0); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"train_images: ndim 3, shape (60000, 28, 28), dtype uint8",
		"train_labels: ndim 1, shape (60000,), dtype uint8",
		"Image 0, labelled 5",
		"train_images[10:100] has shape (90, 28, 28)",
		"train_images[59904:60000], has shape (96, 28, 28)",
		"scalar   ndim 0, shape (), dtype float64",
		"4D       ndim 4, shape (128, 28, 28, 1), dtype float32",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// The drawing of image 0 (a 5) has 28 rows and some ink.
	if strings.Count(b.String(), "##") < 20 {
		t.Error("the digit drawing is missing")
	}
	if err := run(&b, "", 60000); err == nil {
		t.Error("want an error for image 60000")
	}
}
