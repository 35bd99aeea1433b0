package tls

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// above are the packages built on top of tls: nothing tls depends on may
// import them, or the layers would run in a circle.
var above = []string{"lucid/trace", "lucid/inspect", "lucid/https", "lucid/cmd"}

// TestLayers follows the imports of tls's non-test files through the
// module and fails if any reaches a package above tls.
func TestLayers(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var visit func(pkg string, path []string)
	visit = func(pkg string, path []string) {
		if seen[pkg] {
			return
		}
		seen[pkg] = true
		dir := filepath.Join(root, strings.TrimPrefix(pkg, "lucid"))
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatalf("%s: %v", pkg, err)
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if p != "lucid" && !strings.HasPrefix(p, "lucid/") {
					continue
				}
				for _, a := range above {
					if p == a || strings.HasPrefix(p, a+"/") {
						t.Errorf("%s imports %s, which is built on tls (import path %s)",
							pkg+"/"+name, p, strings.Join(append(path, pkg), " -> "))
					}
				}
				visit(p, append(path, pkg))
			}
		}
	}
	visit("lucid/tls", nil)
	if !seen["lucid/fingerprint"] {
		t.Error("tls no longer reaches lucid/fingerprint; is the walk following imports?")
	}
}
