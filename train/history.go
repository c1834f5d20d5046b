package train

// History records what Fit measured: one value per epoch for each name
// ("loss", each metric, and "val_loss", "val_<metric>" when validating),
// as Keras's History callback does. Values that callbacks add to an
// epoch's logs (such as "learning_rate") are recorded too, after the
// others, by name; a value added only at some epochs has fewer entries
// than Epochs. Package plots draws it (plots.WriteHistory).
type History struct {
	Epochs []int                // 0-based epoch numbers, as Keras's history.epoch
	Values map[string][]float64 // name → per-epoch values
	Names  []string             // the names in the order Keras shows them
}

func newHistory() *History { return &History{Values: map[string][]float64{}} }

func (h *History) add(name string, v float64) {
	if _, ok := h.Values[name]; !ok {
		h.Names = append(h.Names, name)
	}
	h.Values[name] = append(h.Values[name], v)
}
