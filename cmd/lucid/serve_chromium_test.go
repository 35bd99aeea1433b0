package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"lucid/inspect"
	"lucid/internal/testtool"
	"lucid/internal/testwait"
	"lucid/trace"
)

// needTool returns a command's path; it skips the test when the command
// is missing, except under CI, where .ci/run installs it.
func needTool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	return testtool.Path(t, name, debianPackage, "the browser test")
}

// runTool runs a command in its own process group and returns its stdout
// and stderr. Chromium takes many seconds to start on a busy machine, so
// the command may run as long as the test may; then its group is killed
// whole (Chromium starts helpers).
func runTool(t *testing.T, env []string, path string, args ...string) (string, string, error) {
	t.Helper()
	ctx := testwait.Context(t)
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	return stdout.String(), stderr.String(), err
}

var chromiumJA4 = regexp.MustCompile(`t13d\d{4}[0-9a-zA-Z]{2}_[0-9a-f]{12}_[0-9a-f]{12}`)

// TestServeChromium: headless Chromium, trusting the local CA through an
// NSS database in a temporary HOME (not by ignoring certificate errors),
// loads the inspection page, and the page names TLS 1.3, the group
// Chromium negotiated and its JA4 fingerprint.
func TestServeChromium(t *testing.T) {
	chromium := needTool(t, "chromium", "chromium")
	certutil := needTool(t, "certutil", "libnss3-tools")

	var mu sync.Mutex
	var reports []*inspect.Report
	caDir := filepath.Join(t.TempDir(), "ca")
	s := startServe(t, serveOptions{CADir: caDir, onReport: func(r *inspect.Report) {
		mu.Lock()
		reports = append(reports, r)
		mu.Unlock()
	}})

	home := t.TempDir()
	nssdb := filepath.Join(home, ".pki", "nssdb")
	if err := os.MkdirAll(nssdb, 0o700); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "HOME="+home)
	for _, args := range [][]string{
		{"-d", "sql:" + nssdb, "-N", "--empty-password"},
		{"-d", "sql:" + nssdb, "-A", "-t", "C,,", "-n", "lucid", "-i", filepath.Join(caDir, "ca.crt")},
	} {
		if out, errOut, err := runTool(t, env, certutil, args...); err != nil {
			t.Fatalf("certutil %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
		}
	}

	url := "https://localhost:" + s.port + "/"
	dom, errOut, err := runTool(t, env, chromium,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--user-data-dir="+filepath.Join(home, "chromium"),
		"--dump-dom", url)
	if err != nil {
		t.Fatalf("chromium --dump-dom %s: %v\nstderr:\n%s\nserver log:\n%s", url, err, errOut, s.stderr)
	}

	mu.Lock()
	var rep *inspect.Report
	for _, r := range reports {
		if r.Connection.HTTPProtocol != "" {
			rep = r
		}
	}
	mu.Unlock()
	if rep == nil {
		t.Fatalf("the server built no report: Chromium did not reach the page\nDOM:\n%.2000s\nchromium stderr:\n%s\nserver log:\n%s", dom, errOut, s.stderr)
	}
	group := rep.Connection.Group
	t.Logf("Chromium negotiated %s, %s, %s over %s; JA4 %s", rep.Connection.TLSVersion, rep.Connection.CipherSuite, group, rep.Connection.ALPN, rep.Fingerprints.JA4)
	if group == "" {
		t.Fatal("the server saw no key exchange group")
	}
	for _, want := range []string{"TLS 1.3", "<td>" + group + "</td>", rep.Fingerprints.JA4, "<svg", trace.SeedSteps[1].TitleZH} {
		if !strings.Contains(dom, want) {
			t.Errorf("Chromium's DOM lacks %q", want)
		}
	}
	if m := chromiumJA4.FindString(dom); m == "" || m != rep.Fingerprints.JA4 {
		t.Errorf("Chromium's DOM shows JA4 %q, the server computed %q", m, rep.Fingerprints.JA4)
	}
	// Chromium offers brotli certificate compression (RFC 8879) on every
	// connection; the server's chain went compressed, and smaller.
	if cc := rep.Connection.CertCompression; cc.Used != "brotli" || cc.CompressedBytes == 0 || cc.CompressedBytes >= cc.UncompressedBytes {
		t.Errorf("certificate compression with Chromium: %+v, want the chain sent compressed with brotli", cc)
	} else {
		t.Logf("Chromium: certificate compressed with brotli, %d bytes instead of %d", cc.CompressedBytes, cc.UncompressedBytes)
	}
	if rep.ClientHello == nil || len(rep.ClientHello.GREASE) == 0 {
		t.Errorf("Chromium's ClientHello shows no GREASE: %+v", rep.ClientHello)
	}
	if t.Failed() {
		t.Logf("DOM:\n%.3000s", dom)
	}
}
