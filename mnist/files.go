package mnist

// A file is one of the four canonical MNIST files.
type file struct {
	name      string // file name without the .gz suffix
	gzSHA256  string // SHA-256 of the canonical gzip file
	rawSHA256 string // SHA-256 of the decompressed IDX file
	dims      []int  // the IDX dimensions it must hold
}

// The canonical files, as published by Yann LeCun and mirrored since.
var (
	trainImages = file{"train-images-idx3-ubyte",
		"440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
		"ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", []int{60000, 28, 28}}
	trainLabels = file{"train-labels-idx1-ubyte",
		"3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
		"65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", []int{60000}}
	testImages = file{"t10k-images-idx3-ubyte",
		"8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
		"0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", []int{10000, 28, 28}}
	testLabels = file{"t10k-labels-idx1-ubyte",
		"f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
		"ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", []int{10000}}

	allFiles = []file{trainImages, trainLabels, testImages, testLabels}
)
