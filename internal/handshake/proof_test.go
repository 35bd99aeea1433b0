package handshake

import (
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/session"
	"lucid/internal/signature"
	"lucid/internal/testpki"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// Where each guarded type may be built. A proof exists only where a check
// ran, so its literals live in proof.go next to those checks; an admission
// only in admit.go; and a state that accepts Finished only in its
// constructor, which takes the proof as an argument. The zero value of a
// proof, T{} or var x T, proves nothing (valid is false, and the Finished
// states refuse it), so an error path may return one; a zero proof
// variable, which could travel on to a Finished state, is still kept to
// proof.go.
var proofMints = map[string]string{
	"checkedChain":        "proof.go",
	"verifiedSignature":   "proof.go",
	"authenticatedServer": "proof.go",
	"authenticatedClient": "proof.go",
	"admission":           "admit.go",
}

var finishedStates = map[string]string{
	"expectServerFinished":   "newServerFinished13",
	"expectClientFinished":   "newClientFinished13",
	"expectServerFinished12": "newServerFinished12",
	"expectClientFinished12": "newClientFinished12",
}

// forgery is a place where a guarded value is made or changed outside the
// code allowed to.
type forgery struct {
	pos  token.Position
	what string
}

// findForgeries type-checks the package's files (plus extra, name to
// source) and lists every place a guarded value is made or changed outside
// the code allowed to: a proof or admission literal with fields set, new
// of one, a zero proof variable, an assignment to one's field, a Finished
// state built outside its constructor or handed a literal for its proof.
func findForgeries(t *testing.T, extra map[string]string) []forgery {
	t.Helper()
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	for name, src := range extra {
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{}}
	conf := types.Config{Importer: importer.ForCompiler(fset, "gc", exportData(t))}
	if _, err := conf.Check("lucid/internal/handshake", fset, files, info); err != nil {
		t.Fatalf("type-checking the package: %v", err)
	}
	guarded := func(typ types.Type) string {
		if p, ok := typ.(*types.Pointer); ok {
			typ = p.Elem()
		}
		n, ok := typ.(*types.Named)
		if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != "lucid/internal/handshake" {
			return ""
		}
		return n.Obj().Name()
	}
	constructors := map[string]bool{}
	for _, c := range finishedStates {
		constructors[c] = true
	}
	var found []forgery
	for _, f := range files {
		file := filepath.Base(fset.Position(f.Pos()).Filename)
		report := func(n ast.Node, what string) {
			found = append(found, forgery{fset.Position(n.Pos()), what})
		}
		mintedHere := func(name string) bool {
			want, ok := proofMints[name]
			return !ok || file == want
		}
		for _, d := range f.Decls {
			var fn string
			if fd, ok := d.(*ast.FuncDecl); ok {
				fn = fd.Name.Name
			}
			ast.Inspect(d, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CompositeLit:
					name := guarded(info.Types[n].Type)
					if len(n.Elts) > 0 && !mintedHere(name) {
						report(n, name+" literal")
					}
					if c, ok := finishedStates[name]; ok && fn != c {
						report(n, name+" literal")
					}
				case *ast.CallExpr:
					id, ok := n.Fun.(*ast.Ident)
					if !ok {
						break
					}
					if id.Name == "new" && len(n.Args) == 1 {
						if name := guarded(info.Types[n.Args[0]].Type); !mintedHere(name) || finishedStates[name] != "" {
							report(n, "new("+name+")")
						}
					}
					if constructors[id.Name] {
						for _, a := range n.Args {
							if _, ok := a.(*ast.CompositeLit); ok && proofMints[guarded(info.Types[a].Type)] != "" {
								report(n, id.Name+" given a literal "+guarded(info.Types[a].Type))
							}
						}
					}
				case *ast.SelectorExpr:
					// A Finished state kept as a field (room for one in
					// a client's or server's allocation) is a zero state
					// until its constructor fills it: only the
					// constructor may reach it.
					if t, ok := info.Types[n].Type.(*types.Named); ok && t.Obj().Pkg() != nil && t.Obj().Pkg().Path() == "lucid/internal/handshake" {
						if c, ok := finishedStates[t.Obj().Name()]; ok && fn != c {
							report(n, t.Obj().Name()+" field")
						}
					}
				case *ast.ValueSpec:
					if n.Type != nil && len(n.Values) == 0 {
						if name := guarded(info.Types[n.Type].Type); proofMints[name] == "proof.go" && !mintedHere(name) {
							report(n, "zero "+name+" variable")
						}
					}
				case *ast.AssignStmt:
					for _, lhs := range n.Lhs {
						sel, ok := lhs.(*ast.SelectorExpr)
						if !ok {
							continue
						}
						if s := info.Selections[sel]; s != nil && s.Kind() == types.FieldVal {
							if name := guarded(s.Recv()); proofMints[name] != "" && !mintedHere(name) {
								report(n, "assignment to "+name+"."+sel.Sel.Name)
							}
						}
					}
				}
				return true
			})
		}
	}
	return found
}

// exportData finds the compiled export data of the package's imports with
// go list, for the type checker: lucid's own packages are not on a path
// the default lookup knows.
func exportData(t *testing.T) importer.Lookup {
	t.Helper()
	out, err := exec.Command("go", "list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -export: %v", err)
	}
	paths := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if path, file, ok := strings.Cut(line, "\t"); ok && file != "" {
			paths[path] = file
		}
	}
	return func(path string) (io.ReadCloser, error) {
		file, ok := paths[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	}
}

// TestProofsAreMintedOnlyByChecks is the type rule of DESIGN.md made a
// test: no code outside the checks builds a proof, and no code builds a
// state that accepts Finished except through the constructor that takes
// one.
func TestProofsAreMintedOnlyByChecks(t *testing.T) {
	for _, f := range findForgeries(t, nil) {
		t.Errorf("%s: %s outside the code allowed to make it", f.pos, f.what)
	}
}

// TestForgeriesAreFound: the guard above finds each kind of forgery, and
// lets a zero value through where it proves nothing.
func TestForgeriesAreFound(t *testing.T) {
	const src = `package handshake

func forgeLiteral() authenticatedServer { return authenticatedServer{how: bySignature} }

func forgeZero() authenticatedClient {
	var p authenticatedClient
	return p
}

func forgeField(p *checkedChain) { p.v = nil }

func forgeNew() *verifiedSignature { return new(verifiedSignature) }

func forgeAdmission() admission { return admission{st: nil} }

func forgeState(k handshakeKeys) state { return &expectServerFinished{keys: k} }

func forgeArgument(k handshakeKeys) state { return newServerFinished13(k, authenticatedServer{}) }

func forgeRoom(c *client) state { return &c.mem.fin }

func zeroOnError() (checkedChain, admission, error) { return checkedChain{}, admission{}, errDeclined }
`
	found := findForgeries(t, map[string]string{"forge.go": src})
	var whats []string
	for _, f := range found {
		if f.pos.Filename != "forge.go" {
			t.Errorf("%s: %s outside the code allowed to make it", f.pos, f.what)
			continue
		}
		whats = append(whats, f.what)
	}
	slices.Sort(whats)
	want := []string{
		"admission literal",
		"assignment to checkedChain.v",
		"authenticatedServer literal",
		"expectServerFinished field",
		"expectServerFinished literal",
		"new(verifiedSignature)",
		"newServerFinished13 given a literal authenticatedServer",
		"zero authenticatedClient variable",
	}
	if !slices.Equal(whats, want) {
		t.Fatalf("found %q,\nwant %q", whats, want)
	}
}

// TestFinishedNeedsAProof: a Finished state holding the zero proof, which
// only a forgery could build, refuses the Finished as internal_error.
func TestFinishedNeedsAProof(t *testing.T) {
	for name, st := range map[string]state{
		"TLS 1.3 client": newServerFinished13(handshakeKeys{}, authenticatedServer{}),
		"TLS 1.3 server": newClientFinished13(clientFinishKeys{}, authenticatedClient{}),
		"TLS 1.2 client": newServerFinished12(nil, authenticatedServer{}),
		"TLS 1.2 server": newClientFinished12(nil, authenticatedClient{}),
	} {
		_, err := st.handle(wire.TypeFinished, bare(wire.TypeFinished))
		if alert.Of(err) != alert.InternalError || !strings.Contains(err.Error(), "proved") {
			t.Errorf("%s: %v, want internal_error for the missing proof", name, err)
		}
	}
}

func proofLeaf(t *testing.T) *testpki.Leaf {
	t.Helper()
	ca, err := testpki.NewCA("proof test CA", testpki.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ca.Issue(testpki.LeafOptions{Names: []string{"server.example.test"}, KeyType: testpki.Ed25519})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestCheckChain(t *testing.T) {
	l := proofLeaf(t)
	if p, err := checkChain(PeerChain{}, nil); alert.Of(err) != alert.InternalError || p.valid() {
		t.Errorf("empty chain: %v, valid %v", err, p.valid())
	}
	refused := alert.New(alert.BadCertificate, "refused")
	if p, err := checkChain(PeerChain{DER: l.Chain}, func(PeerChain) (*Verification, error) { return nil, refused }); !errors.Is(err, refused) || p.valid() {
		t.Errorf("refused chain: %v, valid %v", err, p.valid())
	}
	if p, err := checkChain(PeerChain{DER: [][]byte{{1, 2, 3}}}, nil); alert.Of(err) != alert.DecodeError || p.valid() {
		t.Errorf("garbage chain: %v, valid %v", err, p.valid())
	}
	// A verifier that reports chains without the parsed certificates
	// still yields a proof with the whole chain parsed, once.
	var calls int
	p, err := checkChain(PeerChain{DER: l.Chain}, func(PeerChain) (*Verification, error) {
		calls++
		return &Verification{Chains: [][]*x509.Certificate{{l.Cert}}}, nil
	})
	if err != nil || !p.valid() || calls != 1 || len(p.v.Certs) != len(l.Chain) || len(p.v.Chains) != 1 || !p.leaf().Equal(l.Cert) {
		t.Fatalf("verified chain: %v, valid %v, %d calls, %d certs, %d chains", err, p.valid(), calls, len(p.v.Certs), len(p.v.Chains))
	}
}

func TestVerifySignature(t *testing.T) {
	l := proofLeaf(t)
	chain, err := checkChain(PeerChain{DER: l.Chain}, nil)
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("the transcript")
	sig, err := signature.Sign(rand.Reader, l.Key, signature.Ed25519, content)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifySignature(checkedChain{}, version.TLS13, signature.Ed25519, content, sig); alert.Of(err) != alert.InternalError {
		t.Errorf("without a checked chain: %v", err)
	}
	if p, err := verifySignature(chain, version.TLS13, signature.Ed25519, []byte("another transcript"), sig); err == nil || p.chain.valid() {
		t.Errorf("wrong content: %v", err)
	}
	p, err := verifySignature(chain, version.TLS13, signature.Ed25519, content, sig)
	if err != nil || p.scheme != signature.Ed25519 || !p.chain.valid() {
		t.Fatalf("good signature: %v", err)
	}
	server := serverBySignature(p)
	var r Result
	server.record(&r)
	if !server.valid() || len(r.PeerChain) != len(l.Chain) || r.PeerScheme != signature.Ed25519 || len(r.PeerCerts) != len(l.Chain) {
		t.Errorf("recorded server: %d certificates, scheme %v", len(r.PeerChain), r.PeerScheme)
	}
}

func TestPeerProofs(t *testing.T) {
	l := proofLeaf(t)
	chain, err := checkChain(PeerChain{DER: l.Chain}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := &session.State{PeerCerts: l.Chain, PeerScheme: uint16(signature.Ed25519)}

	if _, err := serverBySession(admission{}); alert.Of(err) != alert.InternalError {
		t.Errorf("server from no admission: %v", err)
	}
	if _, err := serverBySession(admission{st: st}); alert.Of(err) != alert.InternalError {
		t.Errorf("server from an admission without a chain: %v", err)
	}
	if p, err := serverBySession(admission{st: st, peer: chain}); err != nil || !p.valid() || p.scheme != signature.Ed25519 {
		t.Errorf("server from an admitted session: %v", err)
	}
	if _, err := serverByKeyTransport(checkedChain{}); alert.Of(err) != alert.InternalError {
		t.Errorf("key transport without a chain: %v", err)
	}

	if _, err := clientBySession(admission{}); alert.Of(err) != alert.InternalError {
		t.Errorf("client from no admission: %v", err)
	}
	anon, err := clientBySession(admission{st: st})
	var r Result
	anon.record(&r)
	if err != nil || !anon.valid() || r.PeerChain != nil {
		t.Errorf("client from a session the policy asks nothing of: %v, %d certificates", err, len(r.PeerChain))
	}

	cfg := &Config{ClientAuth: RequireClientAuth}
	if _, err := clientUnasked(cfg); alert.Of(err) != alert.InternalError {
		t.Errorf("unasked client under RequireClientAuth: %v", err)
	}
	if _, err := clientWithoutCertificate(cfg, version.TLS13); alert.Of(err) != alert.CertificateRequired {
		t.Errorf("no certificate under RequireClientAuth, TLS 1.3: %v", err)
	}
	if _, err := clientWithoutCertificate(cfg, version.TLS12); alert.Of(err) != alert.HandshakeFailure {
		t.Errorf("no certificate under RequireClientAuth, TLS 1.2: %v", err)
	}
	cfg.ClientAuth = RequestClientAuth
	if p, err := clientWithoutCertificate(cfg, version.TLS13); err != nil || !p.valid() {
		t.Errorf("no certificate under RequestClientAuth: %v", err)
	}
	cfg.ClientAuth = NoClientAuth
	if p, err := clientUnasked(cfg); err != nil || !p.valid() {
		t.Errorf("unasked client under NoClientAuth: %v", err)
	}
}
