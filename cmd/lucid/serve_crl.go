package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"lucid/pki"
	"lucid/tls"
)

// crlWatch holds the revocation lists `lucid serve` checks client
// certificates against, and reloads a file when it changes, so that
// `lucid ca revoke` + `lucid ca crl` bite without a restart.
//
// The server's tls.Config is copied when serving starts and may not change
// afterwards, so the lists are not put in Config.RevocationLists: the
// check runs in VerifyPeerCertificate instead, after the normal chain
// verification, with the same pki rules and the same alert
// (certificate_revoked). Each check first stats the files, which costs far
// less than the handshake's signatures; a file is read again only when its
// identity, size or modification time changed. Resumptions are checked too:
// the server calls VerifyPeerCertificate with a session's chain before it
// accepts the session.
type crlWatch struct {
	roots *x509.CertPool // the client CAs, to verify the chain the lists are checked on
	now   func() time.Time
	logf  func(format string, args ...any)

	mu      sync.Mutex // serializes looks at the files
	sources []*crlSource
	lists   atomic.Pointer[[]*x509.RevocationList] // every source's lists, for handshakes
}

// crlSource is one CRL file and what was last read from it.
type crlSource struct {
	path     string
	optional bool        // the local CA's ca.crl, absent until the first `lucid ca crl`
	seen     fs.FileInfo // the file as last looked at; nil when it was absent
	lists    []*x509.RevocationList
}

// newCRLWatch reads every file once. A file given with --crl must be there
// and hold a CRL; an optional one may be absent.
func newCRLWatch(required, optional []string, roots *x509.CertPool, logf func(string, ...any)) (*crlWatch, error) {
	w := &crlWatch{roots: roots, now: time.Now, logf: logf}
	for _, p := range required {
		w.sources = append(w.sources, &crlSource{path: p})
	}
	for _, p := range optional {
		w.sources = append(w.sources, &crlSource{path: p, optional: true})
	}
	for _, s := range w.sources {
		info, err := os.Stat(s.path)
		if errors.Is(err, fs.ErrNotExist) && s.optional {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("--crl: %w", err)
		}
		if s.lists, err = pki.ReadCRLFile(s.path); err != nil {
			return nil, fmt.Errorf("--crl %w", err)
		}
		s.seen = info
	}
	w.publish()
	return w, nil
}

// publish makes the sources' lists the ones handshakes use.
func (w *crlWatch) publish() {
	var all []*x509.RevocationList
	for _, s := range w.sources {
		all = append(all, s.lists...)
	}
	w.lists.Store(&all)
}

// count is how many lists and revoked certificates are loaded.
func (w *crlWatch) count() (lists, revoked int) {
	for _, l := range *w.lists.Load() {
		lists++
		revoked += len(l.RevokedCertificateEntries)
	}
	return lists, revoked
}

// refresh rereads the files that changed since the last look. A file that
// became unreadable or vanished keeps its last good lists: a CRL being
// rewritten must not unrevoke anything, even for one handshake.
func (w *crlWatch) refresh() {
	w.mu.Lock()
	defer w.mu.Unlock()
	changed := false
	for _, s := range w.sources {
		info, err := os.Stat(s.path)
		if err != nil {
			if s.seen != nil || !s.optional {
				if s.seen != nil {
					w.logf("lucid serve: the CRL %s is gone (%v); still using the %d list(s) read before", s.path, err, len(s.lists))
				}
				s.seen = nil
			}
			continue
		}
		if s.seen != nil && os.SameFile(info, s.seen) && info.Size() == s.seen.Size() && info.ModTime().Equal(s.seen.ModTime()) {
			continue
		}
		s.seen = info
		lists, err := pki.ReadCRLFile(s.path)
		if err != nil {
			w.logf("lucid serve: reloading the CRL: %v; still using the %d list(s) read before", err, len(s.lists))
			continue
		}
		s.lists = lists
		changed = true
		revoked := 0
		for _, l := range lists {
			revoked += len(l.RevokedCertificateEntries)
		}
		w.logf("lucid serve: reloaded the CRL %s: %d revoked certificate(s)", s.path, revoked)
	}
	if changed {
		w.publish()
	}
}

// verifyPeer is the server's VerifyPeerCertificate: it refuses a verified
// client chain that a current list revokes, with certificate_revoked.
// An unverified chain (--client-auth request with no trusted issuer) has no
// issuer to check lists against, and passes.
func (w *crlWatch) verifyPeer(raw [][]byte, chains [][]*x509.Certificate) error {
	if len(raw) == 0 || len(chains) == 0 {
		return nil
	}
	w.refresh()
	lists := *w.lists.Load()
	if len(lists) == 0 {
		return nil
	}
	_, _, err := pki.VerifyClientChain(raw, pki.VerifyOptions{Roots: w.roots, CurrentTime: w.now(), RevocationLists: lists})
	var ve *pki.VerifyError
	if errors.As(err, &ve) {
		return crlRefusal{ve}
	}
	return err
}

// crlRefusal is a client chain refused on a second look with the current
// lists; it carries the alert pki chose, which the handshake then sends.
type crlRefusal struct{ err *pki.VerifyError }

func (e crlRefusal) Error() string { return e.err.Error() }

func (e crlRefusal) Unwrap() []error {
	return []error{e.err, tls.AlertError(e.err.Alert())}
}
