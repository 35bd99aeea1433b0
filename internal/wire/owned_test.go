package wire

import (
	"reflect"
	"testing"

	"lucid/internal/rfc8448"
)

// TestOwnedParsersMatch holds each in-place parser to its copying twin on
// the RFC 8448 messages, and shows which of the two aliases its input.
func TestOwnedParsersMatch(t *testing.T) {
	type pair struct {
		hex            string
		typ            uint8
		copying, owned func([]byte) (any, error)
		// opaque: the message carries bytes a parse keeps as they are,
		// which the in-place parser aliases.
		opaque bool
	}
	wrap := func(f any) func([]byte) (any, error) {
		return func(b []byte) (any, error) {
			out := reflect.ValueOf(f).Call([]reflect.Value{reflect.ValueOf(b)})
			err, _ := out[1].Interface().(error)
			return out[0].Interface(), err
		}
	}
	for _, p := range []pair{
		{rfc8448.SimpleClientHello, TypeClientHello, wrap(ParseClientHello), wrap(ParseClientHelloOwned), true},
		{rfc8448.SimpleServerHello, TypeServerHello, wrap(ParseServerHello), wrap(ParseServerHelloOwned), true},
		{rfc8448.SimpleEncryptedExtensions, TypeEncryptedExtensions, wrap(ParseEncryptedExtensions), wrap(ParseEncryptedExtensionsOwned), false},
		{rfc8448.SimpleServerCertificate, TypeCertificate, wrap(ParseCertificate), wrap(ParseCertificateOwned), true},
		{rfc8448.SimpleServerCertificateVerify, TypeCertificateVerify, wrap(ParseCertificateVerify), wrap(ParseCertificateVerifyOwned), true},
		{rfc8448.SimpleServerFinished, TypeFinished, wrap(ParseFinished), wrap(ParseFinishedOwned), true},
	} {
		name := MessageName(p.typ)
		body := splitMessage(t, unhex(t, p.hex), p.typ)
		want, err := p.copying(body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := p.owned(body)
		if err != nil {
			t.Fatalf("%s owned: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the in-place parse differs from the copying one", name)
		}
		// Changing the input afterwards shows through the in-place
		// result only: the copying parser's contract still holds.
		for i := range body {
			body[i] ^= 0xff
		}
		if fresh, _ := p.copying(unhexBody(t, p.hex, p.typ)); !reflect.DeepEqual(fresh, want) {
			t.Errorf("%s: the copying parse was changed through its input", name)
		}
		if p.opaque && reflect.DeepEqual(got, want) {
			t.Errorf("%s: the in-place result does not alias its input", name)
		}
	}
}

func unhexBody(t *testing.T, h string, typ uint8) []byte {
	return splitMessage(t, unhex(t, h), typ)
}
