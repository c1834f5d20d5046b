package mnist

// A file is one of the four IDX files of a data set.
type file struct {
	name      string // file name without the .gz suffix
	gzSHA256  string // SHA-256 of the canonical gzip file, as published
	rawSHA256 string // SHA-256 of the decompressed IDX file
	dims      []int  // the IDX dimensions it must hold
}

// A set is a data set of four IDX files, recognised by their content.
type set struct {
	name    string   // Dataset.Name: "mnist", "fashion-mnist"
	title   string   // its name in messages: "MNIST", "Fashion-MNIST"
	files   []file   // training images and labels, test images and labels
	classes []string // the class names, label by label
}

// Files read from disk are recognised and verified by the SHA-256 of
// their decompressed content (rawSHA256), which every re-compression
// keeps; gzip's own CRC guards the decompression. Downloads are checked
// against the canonical gzip file's SHA-256 (gzSHA256).
//
// Both data sets use the same four file names and dimensions; only the
// content tells them apart.
var (
	// mnistSet holds the canonical MNIST files, as published by Yann
	// LeCun and mirrored since: handwritten digits.
	mnistSet = set{
		name:  "mnist",
		title: "MNIST",
		files: []file{
			{"train-images-idx3-ubyte",
				"440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
				"ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", []int{60000, 28, 28}},
			{"train-labels-idx1-ubyte",
				"3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
				"65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", []int{60000}},
			{"t10k-images-idx3-ubyte",
				"8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
				"0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", []int{10000, 28, 28}},
			{"t10k-labels-idx1-ubyte",
				"f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
				"ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", []int{10000}},
		},
		classes: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
	}

	// fashionSet holds Zalando's Fashion-MNIST files
	// (https://github.com/zalandoresearch/fashion-mnist): clothing. The
	// gzip sums are upstream's, recorded for reference only: Load never
	// downloads Fashion-MNIST. Debian's package dataset-fashion-mnist
	// ships the same content with other gzip headers, so other gzip sums.
	fashionSet = set{
		name:  "fashion-mnist",
		title: "Fashion-MNIST",
		files: []file{
			{"train-images-idx3-ubyte",
				"3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
				"c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", []int{60000, 28, 28}},
			{"train-labels-idx1-ubyte",
				"a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
				"bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", []int{60000}},
			{"t10k-images-idx3-ubyte",
				"346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
				"5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", []int{10000, 28, 28}},
			{"t10k-labels-idx1-ubyte",
				"67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
				"0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", []int{10000}},
		},
		classes: []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
			"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"},
	}

	// allSets are the data sets a directory may hold.
	allSets = []*set{&mnistSet, &fashionSet}

	// allFiles are the files Load downloads: MNIST's only.
	allFiles = mnistSet.files
)
