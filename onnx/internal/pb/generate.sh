#!/bin/sh
# Regenerates onnx.pb.go from onnx.proto, the copy Debian's python3-onnx
# (ONNX 1.12, Apache-2.0) installs as
# /usr/lib/python3/dist-packages/onnx/onnx.proto. Needs protoc
# (apt-get install protobuf-compiler) and protoc-gen-go at the version
# go.mod requires of google.golang.org/protobuf:
#   GOBIN=/tmp/gobin go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
set -eu
cd "$(dirname "$0")"
PATH="${GOBIN:-/tmp/gobin}:$PATH" protoc --go_out=. --go_opt=paths=source_relative \
	--go_opt=Monnx.proto=github.com/gokeras/gokeras/onnx/internal/pb \
	onnx.proto
