package keys

import (
	"bytes"
	"crypto"
	"crypto/hkdf"
	"crypto/hmac"
	"fmt"
	"testing"
)

// TestMACMatchesStdlib holds the pooled HMAC scratch to crypto/hmac across key
// lengths on both sides of the block size, for both suite hashes, reusing
// one state so that nothing from a previous key leaks into the next MAC.
func TestMACMatchesStdlib(t *testing.T) {
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384} {
		m := getMAC(h)
		for _, keyLen := range []int{0, 1, 31, 32, 48, 63, 64, 65, 127, 128, 129, 300} {
			for _, msgLen := range []int{0, 1, 55, 56, 64, 200} {
				key := bytes.Repeat([]byte{byte(keyLen) + 1}, keyLen)
				msg := bytes.Repeat([]byte{byte(msgLen) ^ 0xa5}, msgLen)
				ref := hmac.New(h.New, key)
				ref.Write(msg)
				want := ref.Sum(nil)
				m.start(key)
				m.write(msg)
				if got := m.finish(nil); !bytes.Equal(got, want) {
					t.Errorf("%v key %d msg %d: got %x, want %x", h, keyLen, msgLen, got, want)
				}
			}
		}
		putMAC(h, m)
	}
}

// TestExpandMatchesStdlib holds HKDF-Expand-Label, and the multi-block
// expansion only the exporter uses, to crypto/hkdf.
func TestExpandMatchesStdlib(t *testing.T) {
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384} {
		secret := bytes.Repeat([]byte{7}, h.Size())
		for _, length := range []int{0, 12, 16, 32, 48, 49, 100, 1000} {
			context := []byte(fmt.Sprint(length))
			info := []byte{byte(length >> 8), byte(length), byte(len("tls13 label"))}
			info = append(info, "tls13 label"...)
			info = append(info, byte(len(context)))
			info = append(info, context...)
			want, err := hkdf.Expand(h.New, secret, string(info), length)
			if err != nil {
				t.Fatal(err)
			}
			if got := ExpandLabel(h, secret, "label", context, length); !bytes.Equal(got, want) {
				t.Errorf("%v length %d: got %x, want %x", h, length, got, want)
			}
		}
		ikm := bytes.Repeat([]byte{9}, 40)
		salt := bytes.Repeat([]byte{3}, h.Size())
		want, err := hkdf.Extract(h.New, ikm, salt)
		if err != nil {
			t.Fatal(err)
		}
		if got := extract(h, ikm, salt); !bytes.Equal(got, want) {
			t.Errorf("%v extract: got %x, want %x", h, got, want)
		}
	}
}

// TestExportedRejectsOutOfRange shows that the exporter's
// application-chosen label and length are refused with an error, not a
// panic.
func TestExportedRejectsOutOfRange(t *testing.T) {
	secret := make([]byte, 32)
	if _, err := Exported(crypto.SHA256, secret, string(make([]byte, 250)), nil, 32); err == nil {
		t.Error("a 250-byte label was accepted")
	}
	if _, err := Exported(crypto.SHA256, secret, "EXPORTER-test", nil, 255*32+1); err == nil {
		t.Error("a length past 255 blocks was accepted")
	}
	if _, err := Exported(crypto.SHA256, secret, "EXPORTER-test", nil, 255*32); err != nil {
		t.Errorf("the longest length was refused: %v", err)
	}
}

// TestScheduleAllocations pins what a derivation costs: the crypto/hmac
// each HMAC needs (it binds its key when made, four allocations for
// SHA-256) and the derived secret, with labels and digests in pooled
// scratch.
func TestScheduleAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector empties sync.Pool at random")
	}
	secret := make([]byte, 32)
	ExpandLabel(crypto.SHA256, secret, "c hs traffic", secret, 32) // warm the pool
	if n := testing.AllocsPerRun(100, func() {
		ExpandLabel(crypto.SHA256, secret, "c hs traffic", secret, 32)
	}); n > 5 {
		t.Errorf("ExpandLabel allocates %v times, want at most 5 (one HMAC and the secret)", n)
	}
	if n := testing.AllocsPerRun(100, func() {
		FinishedMAC(crypto.SHA256, secret, secret)
	}); n > 11 {
		t.Errorf("FinishedMAC allocates %v times, want at most 11 (two HMACs and the MAC)", n)
	}
}
