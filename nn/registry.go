package nn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/pkg/errors"
)

// registry holds the layer kinds Load can make, by Kind.
var registry = struct {
	sync.RWMutex
	kinds map[string]func(config json.RawMessage) (Layer, error)
}{kinds: map[string]func(json.RawMessage) (Layer, error){}}

// RegisterLayer tells Load how to make a layer of the given kind (its
// Kind, such as "Dense") from its saved config: the JSON object of the
// layer's Config (without "name" and "trainable", which Load sets on the
// layer's base itself). fromConfig should decode it strictly, with
// DecodeConfig, and return an error naming a missing or bad setting.
// Every built-in layer is registered this way. Register a layer of one's
// own once, in an init function or before Load. It is an error to
// register an empty kind, a nil function, or a kind registered already.
func RegisterLayer(kind string, fromConfig func(config json.RawMessage) (Layer, error)) error {
	switch {
	case kind == "":
		return errors.New("RegisterLayer: empty kind")
	case fromConfig == nil:
		return errors.Errorf("RegisterLayer %q: nil function", kind)
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.kinds[kind]; dup {
		return errors.Errorf("RegisterLayer: a layer kind %q is registered already", kind)
	}
	registry.kinds[kind] = fromConfig
	return nil
}

// mustRegister registers a built-in layer kind.
func mustRegister(kind string, fromConfig func(config json.RawMessage) (Layer, error)) {
	if err := RegisterLayer(kind, fromConfig); err != nil {
		panic(err) // two built-in kinds of one name: a bug in this package
	}
}

// DecodeConfig decodes a layer's saved config into v, a pointer to a
// struct whose fields carry the config's keys as json tags, strictly: an
// unknown key or anything after the object is an error naming it. An
// empty config decodes as {}. Use pointer fields to tell a missing
// setting from a zero one.
func DecodeConfig(config json.RawMessage, v any) error {
	if len(bytes.TrimSpace(config)) == 0 {
		config = json.RawMessage("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(config))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return errors.Errorf("config.%s: no such setting", strings.Trim(f, `"`))
		}
		return errors.Wrap(err, "config")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("config: data after the object")
	}
	return nil
}

// layerJSON is a layer as the architecture JSON holds it: Keras's
// {"class_name": "Dense", "config": {"name": "dense", "trainable": true,
// "units": 512, …}}, with, in a functional model, the layer's name and
// the inputs of each of its calls.
type layerJSON struct {
	ClassName    string          `json:"class_name"`
	Config       json.RawMessage `json:"config"`
	Name         string          `json:"name,omitempty"`
	InboundNodes [][]inbound     `json:"inbound_nodes,omitempty"`
}

// A ref names a tensor of a functional model as Keras 2 does: [layer
// name, call index, tensor index], the output of the call-th call of the
// layer (a layer has one output: tensor index 0).
type ref struct {
	Layer  string
	Call   int
	Tensor int
}

func (r ref) MarshalJSON() ([]byte, error) { return json.Marshal([]any{r.Layer, r.Call, r.Tensor}) }

func (r *ref) UnmarshalJSON(b []byte) error {
	var parts []json.RawMessage
	if err := json.Unmarshal(b, &parts); err != nil {
		return err
	}
	if len(parts) != 3 && len(parts) != 4 {
		return errors.Errorf("a tensor reference has %d parts, want [layer, call, tensor] (and {} in inbound nodes)", len(parts))
	}
	if err := json.Unmarshal(parts[0], &r.Layer); err != nil {
		return errors.Wrap(err, "a tensor reference's layer name")
	}
	if err := json.Unmarshal(parts[1], &r.Call); err != nil {
		return errors.Wrap(err, "a tensor reference's call index")
	}
	if err := json.Unmarshal(parts[2], &r.Tensor); err != nil {
		return errors.Wrap(err, "a tensor reference's tensor index")
	}
	return nil
}

// An inbound is one input of a call: a ref followed by the call's
// keyword arguments, {}, as Keras 2's inbound_nodes hold them.
type inbound struct{ ref }

func (in inbound) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{in.Layer, in.Call, in.Tensor, map[string]any{}})
}

// describe returns l's entry: its kind and config, the base's name and
// trainable flag first.
func describe(l Layer) (layerJSON, error) {
	b := l.Base()
	config := map[string]any{}
	for k, v := range l.Config() {
		if k == "name" || k == "trainable" {
			return layerJSON{}, errors.Errorf("layer %s: its Config holds %q, which the base sets", b.name, k)
		}
		config[k] = v
	}
	config["name"] = b.name
	if _, ok := l.(*InputLayer); !ok {
		config["trainable"] = !b.frozen
	}
	raw, err := json.Marshal(config)
	if err != nil {
		return layerJSON{}, errors.Wrapf(err, "layer %s: encoding its config", b.name)
	}
	return layerJSON{ClassName: l.Kind(), Config: raw}, nil
}

// label returns how errors name an entry: "field[i] (name)", the name
// as the entry's config gives it, if it does.
func (lj layerJSON) label(field string, i int) string {
	var c struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(lj.Config, &c)
	return fmt.Sprintf("%s[%d] (%s)", field, i, c.Name)
}

// make makes the layer an entry describes, through the registry, and
// sets its name and trainable flag.
func (lj layerJSON) make() (Layer, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(lj.Config, &fields); err != nil || fields == nil {
		return nil, errors.New("config: want a JSON object")
	}
	var name string
	if err := json.Unmarshal(fields["name"], &name); err != nil || name == "" {
		return nil, errors.New("config.name is missing or not a string")
	}
	trainable := true
	if raw, ok := fields["trainable"]; ok {
		if err := json.Unmarshal(raw, &trainable); err != nil {
			return nil, errors.New("config.trainable is not a boolean")
		}
	}
	delete(fields, "name")
	delete(fields, "trainable")
	rest, err := json.Marshal(fields)
	if err != nil {
		return nil, errors.Wrap(err, "config")
	}
	registry.RLock()
	from, ok := registry.kinds[lj.ClassName]
	kinds := make([]string, 0, len(registry.kinds))
	for k := range registry.kinds {
		kinds = append(kinds, k)
	}
	registry.RUnlock()
	if !ok {
		sort.Strings(kinds)
		return nil, errors.Errorf("class_name: unknown layer kind %q (known: %s; register others with RegisterLayer)", lj.ClassName, strings.Join(kinds, ", "))
	}
	l, err := construct(lj.ClassName, from, rest)
	if err != nil {
		return nil, err
	}
	l.Base().name = name
	l.Base().frozen = !trainable
	return l, nil
}

// article returns "an" before a word that starts with a vowel, else "a".
func article(word string) string {
	if word != "" && strings.ContainsRune("AEIOUaeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

// construct calls the constructor registered for kind on a layer's
// config and checks that it made a layer of that kind. A constructor
// that panics (on a config it did not expect, or returning a nil
// pointer as a Layer) is an error naming the kind, so that a crafted
// file cannot crash Load through a layer written outside nn.
func construct(kind string, from func(json.RawMessage) (Layer, error), config json.RawMessage) (l Layer, err error) {
	defer func() {
		if r := recover(); r != nil {
			l, err = nil, errors.Errorf("the constructor registered for %s failed: %v", kind, r)
		}
	}()
	l, err = from(config)
	if err != nil {
		return nil, errors.Wrapf(err, "%s %s layer", article(kind), kind)
	}
	if l == nil || l.Base() == nil || l.Kind() != kind {
		return nil, errors.Errorf("the constructor registered for %s made no %s layer", kind, kind)
	}
	return l, nil
}
