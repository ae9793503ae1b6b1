// Command gentables writes the taxonomy package's tables_gen.go from the
// captured PeerTube 6.1 responses in shared/reftest/data. Run it through go
// generate in shared/taxonomy (paths are relative to that folder).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/vidiverse/vidiverse/shared/taxonomy/internal/tablegen"
)

func main() {
	ref := flag.String("ref", "../reftest/data/peertube-6.1/instance1-rest", "folder with the captured REST bodies")
	out := flag.String("out", tablegen.OutputFile, "file to write")
	flag.Parse()

	src, err := tablegen.Generate(tablegen.DirReader(*ref))
	if err != nil {
		fmt.Fprintln(os.Stderr, "gentables:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gentables: write:", err)
		os.Exit(1)
	}
}
