package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"lucid/internal/testtool"
)

// readmeBlock returns the first fenced block of the given language in
// the README section that starts with heading.
func readmeBlock(t *testing.T, readme, heading, lang string) string {
	t.Helper()
	start := strings.Index(readme, "\n"+heading+"\n")
	if start < 0 {
		t.Fatalf("README.md has no section %q", heading)
	}
	section := readme[start+len(heading)+2:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	fence := "```" + lang + "\n"
	i := strings.Index(section, fence)
	if i < 0 {
		t.Fatalf("README.md's section %q has no %s block", heading, fence)
	}
	body := section[i+len(fence):]
	j := strings.Index(body, "```")
	if j < 0 {
		t.Fatalf("README.md's %s block in %q is not closed", lang, heading)
	}
	return body[:j]
}

// needGo returns the go command's path; the module test cannot run
// without it.
func needGo(t *testing.T, why string) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err != nil {
		testtool.Missing(t, fmt.Sprintf("the go command is needed to %s, and it is not on PATH", why))
	}
	return p
}

// TestUseFromAnotherModule builds the README's example of a module that
// depends on lucid, once through a replace directive and once through a
// go.work file, offline (GOPROXY=off: Lucid's dependencies come from the
// module cache the main build filled), and runs it against lucid serve.
func TestUseFromAnotherModule(t *testing.T) {
	goTool := needGo(t, "build a module that uses Lucid")
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(repo, "go.mod")); err != nil || !strings.HasPrefix(string(data), "module lucid\n") {
		t.Fatalf("%s is not lucid's module root (%v)", repo, err)
	}
	readme, err := os.ReadFile(filepath.Join(repo, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const heading = "## Using Lucid from another module"
	goMod := readmeBlock(t, string(readme), heading, "go.mod")
	program := readmeBlock(t, string(readme), heading, "go")
	if !strings.Contains(goMod, "replace lucid => ../lucid") {
		t.Fatalf("the README's go.mod has no replace to ../lucid:\n%s", goMod)
	}

	caDir := filepath.Join(t.TempDir(), "ca")
	s := startServe(t, serveOptions{CADir: caDir})
	caFile := filepath.Join(caDir, "ca.crt")

	env := append(os.Environ(), "GOPROXY=off", "GOTOOLCHAIN=local")
	goCmd := func(dir string, extraEnv []string, args ...string) {
		t.Helper()
		cmd := exec.Command(goTool, args...)
		cmd.Dir = dir
		cmd.Env = append(append([]string{}, env...), extraEnv...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("in %s: go %s: %v\n%s", dir, strings.Join(args, " "), err, out)
		}
	}
	write := func(path, data string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sums, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}

	for _, way := range []string{"replace", "go.work"} {
		t.Run(way, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "hello")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			write(filepath.Join(dir, "main.go"), program)
			var extra []string
			if way == "replace" {
				write(filepath.Join(dir, "go.mod"), strings.ReplaceAll(goMod, "../lucid", repo))
				// As the README says for an offline machine: Lucid's
				// go.sum, then tidy from the module cache.
				write(filepath.Join(dir, "go.sum"), string(sums))
				extra = []string{"GOWORK=off", "GOFLAGS=-mod=mod"}
				goCmd(dir, extra, "mod", "tidy")
			} else {
				write(filepath.Join(dir, "go.mod"), "module example.com/hello\n\ngo 1.26\n")
				// A workspace takes no -mod flag.
				extra = []string{"GOWORK=", "GOFLAGS="}
				goCmd(filepath.Dir(dir), extra, "work", "init", dir, repo)
				extra[0] = "GOWORK=" + filepath.Join(filepath.Dir(dir), "go.work")
			}
			bin := filepath.Join(dir, "hello")
			goCmd(dir, extra, "build", "-o", bin, ".")
			out, err := exec.Command(bin, "localhost:"+s.port, caFile).CombinedOutput()
			if err != nil {
				t.Fatalf("hello localhost:%s: %v\n%s", s.port, err, out)
			}
			got := strings.TrimSpace(string(out))
			t.Logf("hello: %s", got)
			if !strings.HasPrefix(got, "TLS 1.3 TLS_") {
				t.Errorf("hello printed %q, want the TLS 1.3 version and suite", got)
			}
		})
	}
}
