package graph

import (
	"fmt"
	"hash"
	"hash/fnv"
)

// opInfo gives this package's ops the Gorgonia methods that are the same
// for all of them. name holds the op's kind and every setting that changes
// what it computes: Gorgonia merges nodes whose ops hash alike and whose
// inputs are the same.
type opInfo struct{ name string }

func (o opInfo) ReturnsPtr() bool      { return false }
func (o opInfo) CallsExtern() bool     { return false }
func (o opInfo) OverwritesInput() int  { return -1 }
func (o opInfo) WriteHash(h hash.Hash) { fmt.Fprintf(h, "gokeras.%s", o.name) }
func (o opInfo) String() string        { return o.name }
func (o opInfo) Hashcode() uint32 {
	h := fnv.New32a()
	o.WriteHash(h)
	return h.Sum32()
}
