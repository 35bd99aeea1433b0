package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"lucid/inspect"
)

// trustFixture is a CA in a temporary directory and a system anchor
// directory with a recording update command in place of the real one:
// no test here changes the machine's trust store.
type trustFixture struct {
	caDir  string
	sysDir string
	update string // the update command's path
	log    string // where it records its calls
}

func newTrustFixture(t *testing.T) *trustFixture {
	t.Helper()
	dir := t.TempDir()
	f := &trustFixture{
		caDir:  filepath.Join(dir, "ca"),
		sysDir: filepath.Join(dir, "anchors"),
		update: filepath.Join(dir, "update.sh"),
		log:    filepath.Join(dir, "update.log"),
	}
	caMust(t, "init", "--dir", f.caDir, "--name", "Trust Test CA")
	if err := os.Mkdir(f.sysDir, 0o755); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\necho \"$*\" >> '" + f.log + "'\n"
	if err := os.WriteFile(f.update, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return f
}

// sysArgs points a command's system part at the fixture.
func (f *trustFixture) sysArgs(tag string) []string {
	return []string{"--dir", f.caDir, "--system-dir", f.sysDir, "--update-cmd", f.update + " " + tag}
}

func (f *trustFixture) updateCalls(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(f.log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(data)
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestCAInstallSystemDir: install writes the root certificate into the
// anchor directory and runs the update command; a second install changes
// nothing; uninstall removes exactly that file, leaves the others, and
// runs the update command again.
func TestCAInstallSystemDir(t *testing.T) {
	f := newTrustFixture(t)
	other := filepath.Join(f.sysDir, "someone-else.crt")
	if err := os.WriteFile(other, []byte("not ours"), 0o644); err != nil {
		t.Fatal(err)
	}
	tc, err := loadTrustCert(f.caDir)
	if err != nil {
		t.Fatal(err)
	}
	out := caMust(t, append([]string{"install", "--no-nss"}, f.sysArgs("in")...)...)
	ours := filepath.Join(f.sysDir, tc.fileName)
	data, err := os.ReadFile(ours)
	if err != nil {
		t.Fatalf("install wrote no %s: %v\n%s", ours, err, out)
	}
	if string(data) != string(tc.pem) {
		t.Fatalf("%s holds\n%s\nnot the CA certificate", ours, data)
	}
	if !strings.HasPrefix(tc.fileName, "lucid-trust-test-ca-") || !strings.HasSuffix(tc.fileName, ".crt") {
		t.Errorf("anchor file name %q: want lucid-<name>-<hash>.crt (update-ca-certificates reads only .crt)", tc.fileName)
	}
	if !strings.Contains(out, "added "+ours) || !strings.Contains(out, "ran "+f.update+" in") {
		t.Errorf("install does not say what it did:\n%s", out)
	}
	if got := f.updateCalls(t); got != "in\n" {
		t.Errorf("update command calls after install: %q, want \"in\\n\"", got)
	}

	out = caMust(t, append([]string{"install", "--no-nss"}, f.sysArgs("again")...)...)
	if !strings.Contains(out, "already there") {
		t.Errorf("a second install does not say it was already there:\n%s", out)
	}
	if got := f.updateCalls(t); got != "in\n" {
		t.Errorf("a second install ran the update command: calls %q", got)
	}

	out = caMust(t, append([]string{"uninstall", "--no-nss"}, f.sysArgs("un")...)...)
	if _, err := os.Stat(ours); !os.IsNotExist(err) {
		t.Errorf("uninstall left %s (%v)", ours, err)
	}
	if got := dirNames(t, f.sysDir); len(got) != 1 || got[0] != "someone-else.crt" {
		t.Errorf("after uninstall the anchor directory holds %v; want only someone-else.crt", got)
	}
	if !strings.Contains(out, "removed "+ours) {
		t.Errorf("uninstall does not say what it removed:\n%s", out)
	}
	if got := f.updateCalls(t); got != "in\nun\n" {
		t.Errorf("update command calls after uninstall: %q", got)
	}
	out = caMust(t, append([]string{"uninstall", "--no-nss"}, f.sysArgs("un2")...)...)
	if !strings.Contains(out, "nothing to remove") || strings.Contains(f.updateCalls(t), "un2") {
		t.Errorf("a second uninstall: %q, update calls %q", out, f.updateCalls(t))
	}
}

// TestCAInstallSystemRefusals: a file under the CA's name with other
// content is neither replaced nor removed, a failing update command is an
// error, and asking for nothing is a usage error.
func TestCAInstallSystemRefusals(t *testing.T) {
	f := newTrustFixture(t)
	tc, err := loadTrustCert(f.caDir)
	if err != nil {
		t.Fatal(err)
	}
	ours := filepath.Join(f.sysDir, tc.fileName)
	if err := os.WriteFile(ours, []byte("changed by hand"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"install", "uninstall"} {
		code, out, errOut := caRun(append([]string{verb, "--no-nss"}, f.sysArgs(verb)...)...)
		if code != 1 || !strings.Contains(out, "other content; left alone") {
			t.Errorf("%s over a foreign file: exit %d\n%s%s", verb, code, out, errOut)
		}
		if data, _ := os.ReadFile(ours); string(data) != "changed by hand" {
			t.Errorf("%s changed a file that was not its own", verb)
		}
	}
	if err := os.Remove(ours); err != nil {
		t.Fatal(err)
	}

	code, out, _ := caRun("install", "--no-nss", "--dir", f.caDir, "--system-dir", f.sysDir, "--update-cmd", "false")
	if code != 1 || !strings.Contains(out, "but false failed") {
		t.Errorf("a failing update command: exit %d\n%s", code, out)
	}

	code, out, _ = caRun("install", "--no-nss", "--dir", f.caDir, "--system-dir", filepath.Join(f.sysDir, "missing"))
	if code != 1 || !strings.Contains(out, "is not a directory") {
		t.Errorf("a missing --system-dir: exit %d\n%s", code, out)
	}

	code, _, errOut := caRun("install", "--no-nss", "--no-system", "--dir", f.caDir)
	if code != 2 || !strings.Contains(errOut, "nothing to do") {
		t.Errorf("--no-nss --no-system: exit %d\n%s", code, errOut)
	}

	code, _, errOut = caRun("install", "--no-nss", "--dir", filepath.Join(f.sysDir, "no-ca"), "--system-dir", f.sysDir)
	if code != 1 || !strings.Contains(errOut, "lucid ca init --dir") {
		t.Errorf("install without a CA: exit %d\n%s", code, errOut)
	}
}

// TestCAInstallIntermediateInstallsRoot: trust belongs to the root, so
// install run on an intermediate CA's directory installs root.crt.
func TestCAInstallIntermediateInstallsRoot(t *testing.T) {
	f := newTrustFixture(t)
	sub := filepath.Join(t.TempDir(), "sub")
	caMust(t, "init", "--dir", sub, "--parent", f.caDir)
	rootTC, err := loadTrustCert(f.caDir)
	if err != nil {
		t.Fatal(err)
	}
	subTC, err := loadTrustCert(sub)
	if err != nil {
		t.Fatal(err)
	}
	if subTC.file != filepath.Join(sub, "root.crt") || string(subTC.pem) != string(rootTC.pem) {
		t.Errorf("the intermediate's directory installs %s, not its root", subTC.file)
	}
}

// TestDetectSystemLayout: each distribution's anchor directory is
// recognised, and none is found in an empty tree.
func TestDetectSystemLayout(t *testing.T) {
	for _, l := range systemLayouts {
		root := t.TempDir()
		if err := os.MkdirAll(filepath.Join(root, l.dir), 0o755); err != nil {
			t.Fatal(err)
		}
		got, ok := detectSystemLayout(root)
		if !ok || got.dir != l.dir || got.name != l.name {
			t.Errorf("with %s: detected %+v, %v", l.dir, got, ok)
		}
	}
	if got, ok := detectSystemLayout(t.TempDir()); ok {
		t.Errorf("an empty tree: detected %+v", got)
	}
}

// TestFindNSSDBs: Chromium's database and each Firefox profile with a
// cert9.db are found; a profile with only the old cert8.db is not.
func TestFindNSSDBs(t *testing.T) {
	home := t.TempDir()
	for _, p := range []string{
		".pki/nssdb/cert9.db",
		".mozilla/firefox/abc.default-release/cert9.db",
		".mozilla/firefox/old.profile/cert8.db",
		"snap/firefox/common/.mozilla/firefox/s.default/cert9.db",
	} {
		path := filepath.Join(home, p)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, db := range findNSSDBs(home) {
		rel, _ := filepath.Rel(home, db.dir)
		got = append(got, db.browser+" "+rel)
	}
	want := []string{"Chromium .pki/nssdb", "Firefox .mozilla/firefox/abc.default-release", "Firefox snap/firefox/common/.mozilla/firefox/s.default"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("found %q, want %q", got, want)
	}
}

// TestServeSaysHowToTrust: serve on its local CA names the install command.
func TestServeSaysHowToTrust(t *testing.T) {
	caDir := filepath.Join(t.TempDir(), "ca")
	s := startServe(t, serveOptions{CADir: caDir})
	if want := "lucid ca install --dir " + shellQuote(caDir); !strings.Contains(s.stdout.String(), want) {
		t.Errorf("serve's startup message lacks %q:\n%s", want, s.stdout)
	}
}

// TestCAInstallChromium: in a temporary HOME, `ca install --nss-db`
// makes headless Chromium load the inspection page of a server whose
// certificate the CA issued, with no certificate flags; after `ca
// uninstall` the certificate is gone from the database and Chromium no
// longer reaches the page.
func TestCAInstallChromium(t *testing.T) {
	chromium := needTool(t, "chromium", "chromium")
	certutil := needTool(t, "certutil", "libnss3-tools")

	f := newTrustFixture(t)
	leaf := filepath.Join(t.TempDir(), "localhost")
	caMust(t, "issue", "--dir", f.caDir, "--server", "localhost,127.0.0.1", "--out", leaf)
	home := t.TempDir()
	nssdb := filepath.Join(home, ".pki", "nssdb")
	env := append(os.Environ(), "HOME="+home)
	tc, err := loadTrustCert(f.caDir)
	if err != nil {
		t.Fatal(err)
	}

	out := caMust(t, append([]string{"install", "--nss-db", nssdb}, f.sysArgs("in")...)...)
	if !strings.Contains(out, "NSS database "+nssdb+": created the database, added") {
		t.Errorf("install does not say it created and filled %s:\n%s", nssdb, out)
	}
	list, errOut, err := runTool(t, env, certutil, "-d", "sql:"+nssdb, "-L")
	if err != nil || !strings.Contains(list, tc.nickname) {
		t.Fatalf("certutil -L after install (%v): %q is not listed\n%s%s", err, tc.nickname, list, errOut)
	}

	var mu sync.Mutex
	var pages int
	s := startServe(t, serveOptions{CertFile: leaf + ".crt", KeyFile: leaf + ".key", onReport: func(r *inspect.Report) {
		if r.Connection.HTTPProtocol != "" {
			mu.Lock()
			pages++
			mu.Unlock()
		}
	}})
	pagesSeen := func() int {
		mu.Lock()
		defer mu.Unlock()
		return pages
	}
	url := "https://localhost:" + s.port + "/"
	load := func(profile string) (string, string, error) {
		return runTool(t, env, chromium,
			"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--disable-extensions", "--user-data-dir="+filepath.Join(home, profile),
			"--dump-dom", url)
	}

	dom, errOut, err := load("chromium-trusted")
	if err != nil {
		t.Fatalf("chromium --dump-dom %s: %v\nstderr:\n%s\nserver log:\n%s", url, err, errOut, s.stderr)
	}
	if pagesSeen() == 0 || !strings.Contains(dom, "TLS 1.3") || !strings.Contains(dom, "<svg") {
		t.Fatalf("with the CA installed, Chromium did not get the page (%d page reports)\nDOM:\n%.2000s\nchromium stderr:\n%s\nserver log:\n%s", pagesSeen(), dom, errOut, s.stderr)
	}

	out = caMust(t, append([]string{"uninstall", "--nss-db", nssdb}, f.sysArgs("un")...)...)
	if !strings.Contains(out, fmt.Sprintf("removed %q", tc.nickname)) {
		t.Errorf("uninstall does not say it removed the NSS entry:\n%s", out)
	}
	list, errOut, err = runTool(t, env, certutil, "-d", "sql:"+nssdb, "-L")
	if err != nil || strings.Contains(list, tc.nickname) {
		t.Fatalf("certutil -L after uninstall (%v): %q is still listed\n%s%s", err, tc.nickname, list, errOut)
	}
	if names := dirNames(t, f.sysDir); len(names) != 0 {
		t.Errorf("uninstall left %v in the system directory", names)
	}

	before := pagesSeen()
	dom, errOut, _ = load("chromium-untrusted")
	if pagesSeen() != before || strings.Contains(dom, "TLS 1.3") {
		t.Errorf("after uninstall Chromium still loaded the page (%d new page reports)\nDOM:\n%.2000s\nchromium stderr:\n%s", pagesSeen()-before, dom, errOut)
	}
}
