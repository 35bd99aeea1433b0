package main

import (
	"crypto/x509"
	"fmt"
	"io"
	"os"

	"lucid/pki"
)

// readCRLFiles reads certificate revocation lists for --crl, with pki's
// one reader (PEM blocks or one DER CRL, size-capped). The lists are only
// parsed here; whether one counts for a chain (its issuer signed it) is
// decided when the chain is verified.
func readCRLFiles(paths []string) ([]*x509.RevocationList, error) {
	var lists []*x509.RevocationList
	for _, p := range paths {
		l, err := pki.ReadCRLFile(p)
		if err != nil {
			return nil, fmt.Errorf("--crl: %w", err)
		}
		lists = append(lists, l...)
	}
	return lists, nil
}

// readCapped reads a whole file, refusing one larger than limit.
func readCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d MB", limit>>20)
	}
	return data, nil
}
