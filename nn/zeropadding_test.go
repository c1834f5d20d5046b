package nn

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// zeroPadNaive returns the (batch, h, w, c) images of x padded with
// zeros, ((top, bottom), (left, right)), value by value.
func zeroPadNaive(x []float64, batch, h, w, c int, p [2][2]int) []float64 {
	oh, ow := p[0][0]+h+p[0][1], p[1][0]+w+p[1][1]
	y := make([]float64, batch*oh*ow*c)
	for b := 0; b < batch; b++ {
		for i := 0; i < oh; i++ {
			for j := 0; j < ow; j++ {
				r, s := i-p[0][0], j-p[1][0]
				if r < 0 || r >= h || s < 0 || s >= w {
					continue
				}
				for k := 0; k < c; k++ {
					y[((b*oh+i)*ow+j)*c+k] = x[((b*h+r)*w+s)*c+k]
				}
			}
		}
	}
	return y
}

// TestZeroPadding2DValues compares the layer's output and planned shape
// with a naive loop, and a model's Flatten after it with the same.
func TestZeroPadding2DValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 2))
	for _, tc := range []struct {
		h, w, c int
		pads    [2][2]int
	}{
		{3, 4, 2, [2][2]int{{1, 1}, {1, 1}}},
		{3, 4, 2, [2][2]int{{0, 2}, {3, 0}}},
		{1, 1, 1, [2][2]int{{2, 1}, {0, 4}}},
		{2, 5, 3, [2][2]int{{0, 0}, {1, 0}}},
		{2, 2, 1, [2][2]int{}},
	} {
		t.Run(fmt.Sprint(tc.h, tc.w, tc.c, tc.pads), func(t *testing.T) {
			const batch = 2
			l := ZeroPadding2D(tc.pads)
			oh, ow := tc.h+tc.pads[0][0]+tc.pads[0][1], tc.w+tc.pads[1][0]+tc.pads[1][1]
			p, err := plan(l, [][]int{{tc.h, tc.w, tc.c}})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(p.Output, []int{oh, ow, tc.c}) || len(p.Weights) != 0 {
				t.Fatalf("Plan gives %v and %d weights, want (%d, %d, %d) and none", p.Output, len(p.Weights), oh, ow, tc.c)
			}
			x := nlRandom(rng, []int{batch, tc.h, tc.w, tc.c}, -1, 1, false)
			want := zeroPadNaive(x.Data().([]float64), batch, tc.h, tc.w, tc.c, tc.pads)
			if got := nlRun(t, l, x); !slices.Equal(got, want) {
				t.Fatalf("output\n%v\nwant\n%v", got, want)
			}
			// In a model, on float32.
			x32 := nlFloat32s(rng, batch, tc.h, tc.w, tc.c)
			xs := make([]float64, x32.Size())
			for i, v := range x32.Data().([]float32) {
				xs[i] = float64(v)
			}
			want = zeroPadNaive(xs, batch, tc.h, tc.w, tc.c, tc.pads)
			got := nlPredict(t, NewSequential(ZeroPadding2D(tc.pads, InputShape(tc.h, tc.w, tc.c)), Flatten()), x32)
			if !slices.Equal(got.Shape(), tensor.Shape{batch, oh * ow * tc.c}) {
				t.Fatalf("model output shape %v, want (%d, %d)", got.Shape(), batch, oh*ow*tc.c)
			}
			for i, v := range got.Data().([]float32) {
				if float64(v) != want[i] {
					t.Fatalf("model output %d is %v, want %v", i, v, want[i])
				}
			}
		})
	}
}

// TestZeroPadding2DErrors: negative or huge pads, inputs that are not
// images, and bad saved configs.
func TestZeroPadding2DErrors(t *testing.T) {
	for _, tc := range []struct {
		pads  [2][2]int
		shape []int
		want  string
	}{
		{[2][2]int{{-1, 0}, {0, 0}}, []int{3, 3, 1}, "padding ((-1, 0), (0, 0)): a pad is negative"},
		{[2][2]int{{0, 0}, {0, -2}}, []int{3, 3, 1}, "a pad is negative"},
		{[2][2]int{{1, 1}, {1, 1}}, []int{3, 3}, "a ZeroPadding2D layer takes (height, width, channels) images, but its input samples have shape (3, 3)"},
		{[2][2]int{{1, 1}, {1, 1}}, []int{2, 3, 3, 1}, "shape (2, 3, 3, 1)"},
		{[2][2]int{{1 << 40, 0}, {0, 0}}, []int{3, 3, 1}, "a pad is larger than"},
		{[2][2]int{{1 << 20, 0}, {1 << 20, 0}}, []int{3, 3, 1}, "too large"},
	} {
		x := ZeroPadding2D(tc.pads).Call(Input(tc.shape...))
		if x.Err() == nil || !strings.Contains(x.Err().Error(), tc.want) {
			t.Errorf("ZeroPadding2D(%v) on %v: %v, want an error mentioning %q", tc.pads, tc.shape, x.Err(), tc.want)
		}
	}
	if x := ZeroPadding2D([2][2]int{{1, 1}, {1, 1}}, Strides(2, 2)).Call(Input(3, 3, 1)); x.Err() == nil || !strings.Contains(x.Err().Error(), "takes no strides") {
		t.Errorf("ZeroPadding2D with strides: %v", x.Err())
	}
	nlConfigError(t, "ZeroPadding2D", `{"name": "z"}`, "config.padding is missing")
	nlConfigError(t, "ZeroPadding2D", `{"name": "z", "padding": [[1, 2], [3]]}`, "want [[top, bottom], [left, right]]")
	nlConfigError(t, "ZeroPadding2D", `{"name": "z", "padding": [[1, 2], [3, 4], [5, 6]]}`, "want [[top, bottom], [left, right]]")
	nlConfigError(t, "ZeroPadding2D", `{"name": "z", "padding": 1}`, "cannot unmarshal")
	nlConfigError(t, "ZeroPadding2D", `{"name": "z", "padding": [[1, 2], [3, 4]], "data_format": "channels_first"}`, `config.data_format "channels_first"`)
	nlConfigError(t, "ZeroPadding2D", `{"name": "z", "padding": [[1, 2], [3, 4]], "mode": "reflect"}`, "config.mode: no such setting")
}

// TestZeroPadding2DSummaryAndSaveLoad checks the summary's rows of a
// model with ZeroPadding2D layers, Keras's config, and that Save and
// Load give them back with their pads and the model's predictions.
func TestZeroPadding2DSummaryAndSaveLoad(t *testing.T) {
	x, y := blobs(t, 8, 3, 4, 3, 2)
	pads := [2][2]int{{1, 2}, {0, 3}}
	z := ZeroPadding2D(pads)
	seq := NewSequential(Conv2D(2, [2]int{2, 2}, ReLU, InputShape(4, 3, 2)), z, Flatten(), Dense(3, Linear))
	nlSummaryHas(t, seq, "zero_padding2d (ZeroPadding2 (None, 6, 5, 2)           0         \n")
	if got, want := fmt.Sprint(z.Config()), "map[data_format:channels_last padding:[[1 2] [0 3]]]"; got != want {
		t.Errorf("Config() = %s, want %s", got, want)
	}
	in := Input(4, 3, 2)
	h := ZeroPadding2D([2][2]int{{1, 1}, {1, 1}}).Call(in)
	fn, err := NewModel([]*Tensor{in}, []*Tensor{Dense(3, Linear).Call(Flatten().Call(ZeroPadding2D(pads).Call(h)))})
	if err != nil {
		t.Fatal(err)
	}
	nlSummaryHas(t, fn, "zero_padding2d (ZeroPadding2D)  (None, 6, 5, 2)      0           input_1[0][0]",
		"zero_padding2d_1 (ZeroPadding2D (None, 9, 8, 2)      0           zero_padding2d[0][0]")
	for name, m := range map[string]*Model{"sequential": seq, "functional": fn} {
		t.Run(name, func(t *testing.T) {
			got := nlRoundTrip(t, m, x, y)
			want := m.Layer("zero_padding2d").(*ZeroPadding2DLayer).Pads()
			if l, ok := got.Layer("zero_padding2d").(*ZeroPadding2DLayer); !ok || l.Pads() != want {
				t.Errorf("loaded zero_padding2d is %#v, want pads %v", got.Layer("zero_padding2d"), want)
			}
		})
	}
}
