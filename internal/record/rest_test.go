package record

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"runtime"
	"testing"
)

func restGCM(t *testing.T) cipher.AEAD {
	t.Helper()
	block, err := aes.NewCipher(bytes.Repeat([]byte{1}, 16))
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	return aead
}

// A resting cipher is collected by the next collection, refused while
// missing rather than used, and once rebuilt the records go on at the
// sequence number where they were, so a peer that never rested opens them.
func TestRestCollectAdopt(t *testing.T) {
	iv := bytes.Repeat([]byte{2}, 12)
	sealer := NewAEAD13(restGCM(t), iv)
	opener := NewAEAD13(restGCM(t), iv)
	exchange := func(i int) {
		t.Helper()
		msg := []byte{byte(i), 'x', 'y'}
		rec, err := sealer.Seal(nil, TypeApplicationData, msg, 0)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		typ, got, err := opener.Open(rec)
		if err != nil || typ != TypeApplicationData || !bytes.Equal(got, msg) {
			t.Fatalf("record %d: opened type %d %x, %v", i, typ, got, err)
		}
	}
	exchange(0)

	// Waking with no collection in between finds the cipher where it was.
	sealer.Rest()
	if !sealer.Resting() {
		t.Fatal("Rest left the cipher held")
	}
	if !sealer.Wake() {
		t.Fatal("Wake found no cipher though nothing collected it")
	}
	exchange(1)

	sealer.Rest()
	runtime.GC()
	runtime.GC()
	if sealer.Wake() {
		t.Fatal("the resting cipher survived two collections")
	}
	if _, err := sealer.Seal(nil, TypeApplicationData, []byte{1}, 0); err == nil {
		t.Fatal("Seal without a cipher succeeded")
	}
	if _, _, err := opener.Open(make([]byte, HeaderLen+20)); err == nil {
		// The opener is awake; this record is garbage and must fail,
		// which keeps the opener's sequence where it was.
		t.Fatal("a garbage record opened")
	}
	if err := sealer.Adopt(NewAEAD13(restGCM(t), bytes.Repeat([]byte{3}, 12))); err == nil {
		t.Fatal("Adopt took a cipher with another IV")
	}
	if err := sealer.Adopt(NewAEAD13(restGCM(t), iv)); err != nil {
		t.Fatal(err)
	}
	// The failed Seal spent no sequence number: the opener, which never
	// rested, opens the next record.
	exchange(2)
	exchange(3)
}
