package pki

import (
	"crypto/x509"
	"errors"
	"testing"
)

// FuzzRevocationList feeds revocation lists to VerifyChain: the fuzzer's
// bytes, parsed as a peer's CRL would be, beside a real chain. The seeds are
// well-signed lists from the chain's issuer, one revoking the leaf and one
// not, so mutations start from inputs that reach the revocation checks. A
// chain is refused with a VerifyError or accepted, never a panic.
func FuzzRevocationList(f *testing.F) {
	fx := fixture(f)
	tu, nu := vtFresh()
	f.Add(vtCRL(f, fx.inter, tu, nu, vtRevoke(fx.leaf, vtRevokedAt, 1)).Raw)
	f.Add(vtCRL(f, fx.inter, tu, nu).Raw)
	f.Add(vtCRL(f, fx.root, tu, nu, vtRevoke(fx.inter, vtRevokedAt, 0)).Raw)
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x00})
	chain := [][]byte{fx.leaf.cert.Raw, fx.inter.cert.Raw}
	roots := pool(fx.root)
	f.Fuzz(func(t *testing.T, der []byte) {
		list, err := x509.ParseRevocationList(der)
		if err != nil {
			return
		}
		_, _, err = VerifyChain(chain, VerifyOptions{Roots: roots, DNSName: "a.example", CurrentTime: now, RevocationLists: []*x509.RevocationList{list}})
		var ve *VerifyError
		if err != nil && (!errors.As(err, &ve) || ve.Error() == "") {
			t.Fatalf("refusal is %T: %v", err, err)
		}
	})
}
