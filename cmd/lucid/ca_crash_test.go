//go:build unix

package main

// The crash test: every step of every 'lucid ca' operation that changes a
// directory is a crash point (pki.crashPoint). A binary built with the
// lucid_crashtest tag kills itself with SIGKILL at the point named in
// LUCID_CA_CRASH_AT, and lists the points it passes in
// LUCID_CA_CRASH_TRACE. For each operation the test learns its points
// from a clean run, then, on a fresh copy of the same CA world for each
// point, kills the operation there, runs the next command, and checks
// what RFC 5280 and the CA's own promises require.

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"lucid/pki"
)

// buildCrashLucid builds lucid with the crash hook into a temporary
// directory.
func buildCrashLucid(t *testing.T) string {
	t.Helper()
	goTool := needGo(t, "build lucid with the crash hook")
	bin := filepath.Join(t.TempDir(), "lucid")
	cmd := exec.Command(goTool, "build", "-tags", "lucid_crashtest", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build -tags lucid_crashtest: %v\n%s", err, out)
	}
	return bin
}

// lucidRun is how one run of the binary ended.
type lucidRun struct {
	code           int
	stdout, stderr string
	killed         bool // by SIGKILL: the crash hook fired
}

// runLucid runs `lucid ca ARGS...` with extra environment variables.
func runLucid(t *testing.T, bin string, env []string, args ...string) lucidRun {
	t.Helper()
	// A guard against a hang, not a time budget: no run takes more than
	// a fraction of a second.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"ca"}, args...)...)
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "LUCID_CA_") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("lucid ca %s hung", strings.Join(args, " "))
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("running lucid: %v", err)
	}
	r := lucidRun{code: cmd.ProcessState.ExitCode(), stdout: o.String(), stderr: e.String()}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok {
		r.killed = ws.Signaled() && ws.Signal() == syscall.SIGKILL
	}
	return r
}

// crashWorld is a set of CAs and issued files under one directory:
// root/ (a root CA), sub/ (an intermediate below it), out/ (issued keys
// and certificates) and req.csr.
type crashWorld struct {
	base      string
	oldSerial string // out/old.crt, issued by root, valid
}

func (w crashWorld) p(parts ...string) string {
	return filepath.Join(append([]string{w.base}, parts...)...)
}

// makeCrashWorld builds the template world in process.
func makeCrashWorld(t *testing.T, base string) crashWorld {
	t.Helper()
	w := crashWorld{base: base}
	if err := os.MkdirAll(w.p("out"), 0o700); err != nil {
		t.Fatal(err)
	}
	caMust(t, "init", "--dir", w.p("root"), "--name", "Crash Root")
	caMust(t, "init", "--dir", w.p("sub"), "--parent", w.p("root"), "--name", "Crash Sub")
	out := caMust(t, "issue", "--dir", w.p("root"), "--client", "old", "--out", w.p("out", "old"))
	w.oldSerial = serialRE.FindStringSubmatch(out)[1]
	out = caMust(t, "issue", "--dir", w.p("sub"), "--server", "gone.example", "--out", w.p("out", "gone"))
	caMust(t, "revoke", serialRE.FindStringSubmatch(out)[1], "--dir", w.p("sub"))
	caMust(t, "crl", "--dir", w.p("sub"))
	caMust(t, "crl", "--dir", w.p("root"))
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "csr.example"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(w.p("req.csr"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), 0o644)
	return w
}

// copyWorld copies the template to a fresh directory, modes included.
func copyWorld(t *testing.T, tmpl crashWorld) crashWorld {
	t.Helper()
	w := tmpl
	w.base = filepath.Join(t.TempDir(), "w")
	err := filepath.WalkDir(tmpl.base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(tmpl.base, p)
		dst := filepath.Join(w.base, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.Mkdir(dst, info.Mode().Perm())
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// crashOp is one operation to interrupt.
type crashOp struct {
	name string
	args func(w crashWorld) []string
	// dir is the CA directory it works on, under the world.
	dir string
	// must lists crash points a clean run has to pass, so that a broken
	// hook cannot make the test vacuous.
	must []string
	// newDir is the CA directory the operation creates, "" for none.
	newDir string
	// parent is newDir's parent directory, for an intermediate.
	parent string
	// replaces is set for init --force: the old CA's index goes by
	// design, so certificates it signed are not checked against it.
	replaces bool
}

var crashOps = []crashOp{
	{name: "init root", dir: "new", newDir: "new",
		args: func(w crashWorld) []string { return []string{"init", "--dir", w.p("new"), "--name", "New Root"} },
		must: []string{"locked", "signed", "journal.rename", "apply.ca.key.rename", "apply.ca.crt.rename", "journal.removed"}},
	{name: "init --force", dir: "root", replaces: true,
		args: func(w crashWorld) []string {
			return []string{"init", "--dir", w.p("root"), "--force", "--name", "Replacement Root"}
		},
		must: []string{"journal.rename", "apply.ca.key.rename", "apply.ca.crl.remove", "journal.applied"}},
	{name: "init intermediate", dir: "inter", newDir: "inter", parent: "root",
		args: func(w crashWorld) []string {
			return []string{"init", "--dir", w.p("inter"), "--parent", w.p("root"), "--name", "Crash Inter"}
		},
		must: []string{"reserve.rename", "signed", "journal.rename", "apply.chain.crt.rename", "delivered.rename"}},
	{name: "issue server", dir: "root",
		args: func(w crashWorld) []string {
			return []string{"issue", "--dir", w.p("root"), "--server", "www.example", "--out", w.p("out", "www")}
		},
		must: []string{"reserve.temp", "reserve.rename", "signed", "journal.temp", "journal.rename",
			"apply.www.key.rename", "apply.www.crt.rename", "apply.index.json.rename", "journal.applied", "journal.removed"}},
	{name: "issue client --force", dir: "sub",
		args: func(w crashWorld) []string {
			return []string{"issue", "--dir", w.p("sub"), "--client", "carol", "--out", w.p("out", "old"), "--force"}
		},
		must: []string{"reserve.rename", "signed", "apply.old.crt.rename"}},
	{name: "sign", dir: "sub",
		args: func(w crashWorld) []string {
			return []string{"sign", w.p("req.csr"), "--dir", w.p("sub"), "--out", w.p("out", "csr")}
		},
		must: []string{"reserve.rename", "signed", "apply.csr.crt.rename"}},
	{name: "revoke", dir: "root",
		args: func(w crashWorld) []string {
			return []string{"revoke", w.oldSerial, "--dir", w.p("root"), "--reason", "keyCompromise"}
		},
		must: []string{"locked", "revoke.temp", "revoke.rename"}},
	{name: "crl", dir: "sub",
		args: func(w crashWorld) []string { return []string{"crl", "--dir", w.p("sub")} },
		must: []string{"crl.reserve.temp", "crl.reserve.rename", "crl.signed", "journal.rename",
			"apply.ca.crl.temp", "apply.ca.crl.rename", "apply.index.json.rename", "journal.removed"}},
}

func TestCACrashAtEveryStep(t *testing.T) {
	bin := buildCrashLucid(t)
	tmpl := makeCrashWorld(t, filepath.Join(t.TempDir(), "template"))
	// The hook is off in an ordinary build: the in-process runs above
	// passed LUCID_CA_CRASH_AT untouched.
	for _, op := range crashOps {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			w := copyWorld(t, tmpl)
			trace := filepath.Join(t.TempDir(), "trace")
			r := runLucid(t, bin, []string{"LUCID_CA_CRASH_TRACE=" + trace}, op.args(w)...)
			if r.code != 0 {
				t.Fatalf("clean run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			points := crashPoints(trace)
			for _, m := range op.must {
				if !slices.Contains(points, m+"#1") {
					t.Fatalf("the clean run passed no crash point %q; it passed %v", m, points)
				}
			}
			for i, at := range points {
				t.Run(at, func(t *testing.T) { crashCase(t, bin, tmpl, op, at, "", i%2 == 1) })
			}

			// The next command may be killed too. Two states stand for
			// the rest: a change committed to its journal, and a serial
			// or CRL number recorded with nothing signed delivered.
			for _, at := range []string{"journal.rename#1", "signed#1", "crl.signed#1", "revoke.temp#1"} {
				if !slices.Contains(points, at) {
					continue
				}
				w := copyWorld(t, tmpl)
				if r := runLucid(t, bin, []string{"LUCID_CA_CRASH_AT=" + at}, op.args(w)...); !r.killed {
					t.Fatalf("not killed at %s: exit %d\n%s", at, r.code, r.stderr)
				}
				trace := filepath.Join(t.TempDir(), "trace")
				r := runLucid(t, bin, []string{"LUCID_CA_CRASH_TRACE=" + trace}, "list", "--dir", w.p(op.recoverIn()))
				if r.code != 0 && (op.recoverIn() != op.newDir || !strings.Contains(r.stderr, "no CA in")) {
					t.Fatalf("recovery after a crash at %s: exit %d\n%s", at, r.code, r.stderr)
				}
				for _, rat := range crashPoints(trace) {
					t.Run(at+"/recovery/"+rat, func(t *testing.T) { crashCase(t, bin, tmpl, op, at, rat, false) })
				}
			}
		})
	}
}

// crashPoints reads a crash trace as NAME#K, K counting NAME's passes.
func crashPoints(trace string) []string {
	data, _ := os.ReadFile(trace)
	seen := map[string]int{}
	var out []string
	for _, p := range strings.Fields(string(data)) {
		seen[p]++
		out = append(out, fmt.Sprintf("%s#%d", p, seen[p]))
	}
	return out
}

// recoverIn is the directory whose next command recovers the most: for
// a new intermediate its parent, which looks into the new directory.
func (op crashOp) recoverIn() string {
	if op.parent != "" {
		return op.parent
	}
	return op.dir
}

// crashCase kills op at one point and, when recoverAt is set, the next
// command at that point; then it recovers and checks.
func crashCase(t *testing.T, bin string, tmpl crashWorld, op crashOp, at, recoverAt string, childFirst bool) {
	w := copyWorld(t, tmpl)
	var hist crlHistory
	before := scanCrashWorld(t, w)
	hist.add(t, before)

	r := runLucid(t, bin, []string{"LUCID_CA_CRASH_AT=" + at}, op.args(w)...)
	if !r.killed {
		t.Fatalf("not killed at %s: exit %d\n%s%s", at, r.code, r.stdout, r.stderr)
	}

	// Right after the kill, before anything recovers: every certificate
	// anywhere on disk (temporary files and the journal included) that a
	// CA signed is already in its index.
	crashed := scanCrashWorld(t, w)
	hist.add(t, crashed)
	if !op.replaces {
		crashed.checkIndexed(t, "right after the kill")
	}
	if recoverAt != "" {
		r := runLucid(t, bin, []string{"LUCID_CA_CRASH_AT=" + recoverAt}, "list", "--dir", w.p(op.recoverIn()))
		if !r.killed {
			t.Fatalf("recovery not killed at %s: exit %d\n%s%s", recoverAt, r.code, r.stdout, r.stderr)
		}
		crashed = scanCrashWorld(t, w)
		hist.add(t, crashed)
		if !op.replaces {
			crashed.checkIndexed(t, "right after the recovery was killed")
		}
	}

	// The next command: list on the CA directory, and for a new
	// intermediate on both it and its parent, in either order.
	dirs := []string{op.dir}
	switch {
	case op.parent != "" && childFirst:
		dirs = []string{op.newDir, op.parent}
	case op.parent != "":
		dirs = []string{op.parent, op.newDir}
	}
	var notes strings.Builder
	for _, d := range dirs {
		r := runLucid(t, bin, nil, "list", "--dir", w.p(d))
		notes.WriteString(r.stderr)
		if r.code == 0 {
			continue
		}
		if d != op.newDir || r.code != 1 || !strings.Contains(r.stderr, "no CA in") {
			t.Fatalf("lucid ca list --dir %s after the crash: exit %d\n%s%s", d, r.code, r.stdout, r.stderr)
		}
		// The operation never took effect: doing it again must work,
		// with no --force and nothing left in the way.
		r = runLucid(t, bin, nil, op.args(w)...)
		notes.WriteString(r.stderr)
		if r.code != 0 {
			t.Fatalf("redoing %s after a crash that undid it: exit %d\n%s%s", op.name, r.code, r.stdout, r.stderr)
		}
	}
	// It said what it repaired.
	said := notes.String()
	if crashed.journals > 0 && !strings.Contains(said, "recovered: finished ") {
		t.Errorf("a journal was completed without a word:\n%s", said)
	}
	if crashed.caTemps > 0 && !strings.Contains(said, "recovered: removed ") {
		t.Errorf("temporary files were removed without a word:\n%s", said)
	}
	if crashed.pending > 0 && !strings.Contains(said, "recovered: ") {
		t.Errorf("a pending operation was resolved without a word:\n%s", said)
	}

	after := scanCrashWorld(t, w)
	hist.add(t, after)
	after.checkClean(t)
	after.checkIndexed(t, "after recovery")
	after.checkDelivered(t, before)
	after.checkKeys(t)

	// Every certificate the operation left on disk can be revoked; those
	// of the template could before it.
	for _, c := range after.certs {
		ca := after.issuerDir(c.cert)
		serial := pki.FormatSerial(c.cert.SerialNumber)
		if ca == "" || before.index[ca] != nil && before.index[ca].has(serial) {
			continue
		}
		r := runLucid(t, bin, nil, "revoke", serial, "--dir", ca)
		if r.code != 0 && !strings.Contains(r.stderr, "already revoked") {
			t.Errorf("revoking %s from %s (%s): exit %d\n%s", serial, c.where, ca, r.code, r.stderr)
		}
	}
	// And the CA the operation changed still issues, revokes and
	// publishes a CRL whose number is above every number seen.
	dir := w.p(op.dir)
	probe := w.p("out", "probe")
	r = runLucid(t, bin, nil, "issue", "--dir", dir, "--client", "probe", "--out", probe)
	if r.code != 0 {
		t.Fatalf("issue in %s after recovery: exit %d\n%s", dir, r.code, r.stderr)
	}
	serial := serialRE.FindStringSubmatch(r.stdout)[1]
	if r := runLucid(t, bin, nil, "revoke", serial, "--dir", dir); r.code != 0 {
		t.Fatalf("revoke in %s after recovery: exit %d\n%s", dir, r.code, r.stderr)
	}
	maxSeen := hist.max(after.cas[dir])
	if r := runLucid(t, bin, nil, "crl", "--dir", dir); r.code != 0 {
		t.Fatalf("crl in %s after recovery: exit %d\n%s", dir, r.code, r.stderr)
	}
	final := scanCrashWorld(t, w)
	hist.add(t, final)
	crl := final.dirCRL(t, dir)
	if crl.Number.Int64() <= maxSeen {
		t.Errorf("%s: the CRL after recovery has number %v, not above %d, the highest seen", dir, crl.Number, maxSeen)
	}
	revoked := 0
	for _, r := range final.index[dir].Certificates {
		if !r.RevokedAt.IsZero() {
			revoked++
		}
	}
	if len(crl.RevokedCertificateEntries) != revoked {
		t.Errorf("%s: the CRL lists %d certificates, the index %d revoked", dir, len(crl.RevokedCertificateEntries), revoked)
	}
}

// crashIndex is what the test reads of index.json.
type crashIndex struct {
	CRLNumber    int64         `json:"crl_number"`
	CRLPending   bool          `json:"crl_pending"`
	Certificates []crashRecord `json:"certificates"`
}

type crashRecord struct {
	Serial      string          `json:"serial"`
	Kind        string          `json:"kind"`
	Pending     json.RawMessage `json:"pending"`
	Undelivered bool            `json:"undelivered"`
	RevokedAt   time.Time       `json:"revoked_at"`
}

func (x *crashIndex) has(serial string) bool {
	return slices.ContainsFunc(x.Certificates, func(r crashRecord) bool { return r.Serial == serial })
}

// found is a certificate or CRL, the file it was found in and its place
// there (0 for the first).
type found[T any] struct {
	where string
	cert  T
	pos   int
}

// crashScan is everything on disk in a world at one moment.
type crashScan struct {
	cas      map[string]*x509.Certificate // CA directory -> its ca.crt
	index    map[string]*crashIndex
	certs    []found[*x509.Certificate]
	crls     []found[*x509.RevocationList]
	journals int      // journal.json files
	caTemps  int      // temporary files in CA directories
	temps    []string // every temporary file
	pending  int      // pending records and CRL numbers
}

// scanCrashWorld reads every file under the world: PEM blocks in files,
// and the data of journals, complete or temporary.
func scanCrashWorld(t *testing.T, w crashWorld) *crashScan {
	t.Helper()
	s := &crashScan{cas: map[string]*x509.Certificate{}, index: map[string]*crashIndex{}}
	err := filepath.WalkDir(w.base, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := d.Name()
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-") {
			s.temps = append(s.temps, p)
			// Beside issued files, temporary files exist only while a
			// journal is applied, and completing it says so.
			if filepath.Dir(p) != w.p("out") {
				s.caTemps++
			}
		}
		if name == "journal.json" {
			s.journals++
		}
		blobs := [][]byte{data}
		var j struct {
			Steps []struct {
				Data []byte `json:"data"`
			} `json:"steps"`
		}
		if json.Unmarshal(data, &j) == nil {
			for _, st := range j.Steps {
				blobs = append(blobs, st.Data)
			}
		}
		for _, b := range blobs {
			for pos := 0; ; pos++ {
				var block *pem.Block
				block, b = pem.Decode(b)
				if block == nil {
					break
				}
				switch block.Type {
				case "CERTIFICATE":
					c, err := x509.ParseCertificate(block.Bytes)
					if err != nil {
						t.Errorf("%s: a certificate that does not parse: %v", p, err)
						continue
					}
					s.certs = append(s.certs, found[*x509.Certificate]{p, c, pos})
				case "X509 CRL":
					l, err := x509.ParseRevocationList(block.Bytes)
					if err != nil {
						t.Errorf("%s: a CRL that does not parse: %v", p, err)
						continue
					}
					s.crls = append(s.crls, found[*x509.RevocationList]{p, l, pos})
				}
			}
		}
		dir := filepath.Dir(p)
		switch name {
		case "ca.crt":
			if cs, err := parsePEMCerts(data); err == nil && len(cs) == 1 {
				s.cas[dir] = cs[0]
			}
		case "index.json":
			var x crashIndex
			if err := json.Unmarshal(data, &x); err != nil {
				t.Errorf("%s does not parse: %v", p, err)
				return nil
			}
			s.index[dir] = &x
			if x.CRLPending {
				s.pending++
			}
			for _, r := range x.Certificates {
				if len(r.Pending) > 0 && string(r.Pending) != "null" {
					s.pending++
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func parsePEMCerts(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return out, nil
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
}

// issuerDir returns the CA directory whose certificate signed c, "" when
// none did or c is self-signed.
func (s *crashScan) issuerDir(c *x509.Certificate) string {
	for dir, ca := range s.cas {
		if bytes.Equal(c.Raw, ca.Raw) && bytes.Equal(c.RawIssuer, c.RawSubject) {
			return ""
		}
		if bytes.Equal(c.RawIssuer, ca.RawSubject) && c.CheckSignatureFrom(ca) == nil {
			return dir
		}
	}
	return ""
}

// checkIndexed: every certificate a CA of the world signed is in its
// index, wherever on disk it lies.
func (s *crashScan) checkIndexed(t *testing.T, when string) {
	t.Helper()
	for _, c := range s.certs {
		dir := s.issuerDir(c.cert)
		if dir == "" {
			continue
		}
		serial := pki.FormatSerial(c.cert.SerialNumber)
		if x := s.index[dir]; x == nil || !x.has(serial) {
			t.Errorf("%s: certificate %s in %s, signed by the CA in %s, is not in its index", when, serial, c.where, dir)
		}
	}
}

// checkClean: nothing half done is left: no journal, no temporary file,
// nothing pending.
func (s *crashScan) checkClean(t *testing.T) {
	t.Helper()
	if s.journals > 0 || len(s.temps) > 0 || s.pending > 0 {
		t.Errorf("after recovery: %d journal(s), temporary files %v, %d pending", s.journals, s.temps, s.pending)
	}
	for dir, x := range s.index {
		serials := map[string]bool{}
		for _, r := range x.Certificates {
			if serials[r.Serial] {
				t.Errorf("%s: serial %s recorded twice", dir, r.Serial)
			}
			serials[r.Serial] = true
			if r.Undelivered && r.RevokedAt.IsZero() {
				t.Errorf("%s: undelivered certificate %s is not revoked", dir, r.Serial)
			}
		}
	}
	for dir, ca := range s.cas {
		if x := s.index[dir]; x == nil {
			t.Errorf("%s: a CA without an index", dir)
		} else if _, err := os.Stat(filepath.Join(dir, "ca.crl")); err == nil {
			l := s.dirCRL(t, dir)
			if err := l.CheckSignatureFrom(ca); err != nil {
				t.Errorf("%s/ca.crl does not verify: %v", dir, err)
			}
			if l.Number.Int64() > x.CRLNumber {
				t.Errorf("%s/ca.crl has number %v, above the index's %d", dir, l.Number, x.CRLNumber)
			}
		}
	}
}

// checkDelivered: every certificate recorded since before the crash and
// not marked undelivered exists on disk.
func (s *crashScan) checkDelivered(t *testing.T, before *crashScan) {
	t.Helper()
	onDisk := map[string]bool{}
	for _, c := range s.certs {
		onDisk[pki.FormatSerial(c.cert.SerialNumber)] = true
	}
	for dir, x := range s.index {
		old := before.index[dir]
		for _, r := range x.Certificates {
			if old != nil && old.has(r.Serial) || r.Undelivered {
				continue
			}
			if !onDisk[r.Serial] {
				t.Errorf("%s: the index records %s (%s) as delivered, and it is nowhere on disk", dir, r.Serial, r.Kind)
			}
		}
	}
}

// checkKeys: every issued key has its certificate beside it, and they
// match; every certificate issued with a key has it.
func (s *crashScan) checkKeys(t *testing.T) {
	t.Helper()
	for _, c := range s.certs {
		if c.pos != 0 || !strings.HasSuffix(c.where, ".crt") || filepath.Base(filepath.Dir(c.where)) != "out" {
			continue
		}
		keyPath := strings.TrimSuffix(c.where, ".crt") + ".key"
		data, err := os.ReadFile(keyPath)
		if errors.Is(err, fs.ErrNotExist) && strings.HasPrefix(filepath.Base(c.where), "csr") {
			continue
		}
		if err != nil {
			t.Errorf("%s has no key: %v", c.where, err)
			continue
		}
		b, _ := pem.Decode(data)
		if b == nil {
			t.Errorf("%s holds no PEM", keyPath)
			continue
		}
		k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
		if err != nil {
			t.Errorf("%s: %v", keyPath, err)
			continue
		}
		pub, ok := k.(crypto.Signer)
		if !ok || !pub.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(c.cert.PublicKey) {
			t.Errorf("%s does not hold the key of %s", keyPath, c.where)
		}
	}
}

// dirCRL parses DIR/ca.crl.
func (s *crashScan) dirCRL(t *testing.T, dir string) *x509.RevocationList {
	t.Helper()
	for _, l := range s.crls {
		if l.where == filepath.Join(dir, "ca.crl") {
			return l.cert
		}
	}
	t.Fatalf("%s/ca.crl is missing or does not parse", dir)
	return nil
}

// crlHistory remembers every CRL seen, by issuer and number: RFC 5280
// §5.2.3 allows one CRL per number.
type crlHistory struct {
	seen map[string][32]byte // issuer/number -> the CRL's hash
	top  map[string]int64    // issuer -> highest number
}

func (h *crlHistory) add(t *testing.T, s *crashScan) {
	t.Helper()
	if h.seen == nil {
		h.seen, h.top = map[string][32]byte{}, map[string]int64{}
	}
	for _, l := range s.crls {
		issuer, n := string(l.cert.RawIssuer), l.cert.Number.Int64()
		k := fmt.Sprintf("%x/%d", issuer, n)
		sum := sha256.Sum256(l.cert.Raw)
		if prev, ok := h.seen[k]; ok && prev != sum {
			t.Errorf("two different CRLs numbered %d from one issuer (the second in %s)", n, l.where)
		}
		h.seen[k] = sum
		h.top[issuer] = max(h.top[issuer], n)
	}
}

// max is the highest CRL number seen from the CA.
func (h *crlHistory) max(ca *x509.Certificate) int64 { return h.top[string(ca.RawSubject)] }
