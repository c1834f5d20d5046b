package mnist_test

import (
	"fmt"
	"log"

	"github.com/gokeras/gokeras/mnist"
)

// Load the data set and apply the lesson's preprocessing.
func ExampleLoad() {
	data, err := mnist.Load()
	if err != nil {
		log.Fatal(err)
	}
	x, err := mnist.Flatten(data.TrainImages)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(data.TrainImages.Shape(), data.TrainImages.Dtype(), data.TestLabels.Shape())
	fmt.Println(x.Shape(), x.Dtype(), data.TrainLabels.Data().([]uint8)[:10])
	// Output:
	// (60000, 28, 28) uint8 (10000)
	// (60000, 784) float32 [5 0 4 1 9 2 1 3 1 4]
}

// Load Fashion-MNIST, installed by `apt-get install dataset-fashion-mnist`
// in mnist.FashionDir, and name the first training images' classes.
func ExampleLoadFashion() {
	data, err := mnist.LoadFashion() // or mnist.LoadFashion(mnist.Dir(dir))
	if err != nil {
		log.Fatal(err) // says how to get the files when they are absent
	}
	for _, label := range data.TrainLabels.Data().([]uint8)[:3] {
		fmt.Println(data.Name, label, data.Classes[label])
	}
}
