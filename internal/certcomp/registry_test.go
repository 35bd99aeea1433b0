package certcomp

import (
	"bytes"
	"errors"
	"sync/atomic"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/wire"
)

// The registry is process-wide, so each test registers its own
// identifiers, all from the private-use range.
const (
	prefixAlg  = 0xfe01 // prefixCodec
	emptyAlg   = 0xfe02 // compresses to nothing
	countedAlg = 0xfe03 // prefixCodec, counting its calls
	gatedAlg   = 0xfe04 // prefixCodec, counting compressions, each waiting for gate
)

var prefix = []byte("lucid:")

// prefixCodec is a toy algorithm: the compressed form is a fixed prefix
// and the body.
var prefixCodec = Codec{
	Compress: func(body []byte) ([]byte, error) { return append(bytes.Clone(prefix), body...), nil },
	Decompress: func(dst, compressed []byte) error {
		if !bytes.HasPrefix(compressed, prefix) || len(compressed)-len(prefix) != len(dst) {
			return errors.New("not a prefixed body of the declared length")
		}
		copy(dst, compressed[len(prefix):])
		return nil
	},
}

var countedCalls atomic.Int64

var (
	// gate holds up gatedAlg's compressions until it is closed; a test
	// sets it before any compression starts, inside its synctest bubble
	// (a test that compresses with gatedAlg outside one would wait on a
	// channel of another bubble). Closing it with panicking set makes the
	// compression panic instead.
	gate       chan struct{}
	gatedCalls atomic.Int64
	gatePanics atomic.Bool
	gatedCodec = Codec{
		Compress: func(body []byte) ([]byte, error) {
			gatedCalls.Add(1)
			<-gate
			if gatePanics.Load() {
				panic("gated codec told to panic")
			}
			return prefixCodec.Compress(body)
		},
		Decompress: prefixCodec.Decompress,
	}
)

func init() {
	counted := Codec{
		Compress: prefixCodec.Compress,
		Decompress: func(dst, compressed []byte) error {
			countedCalls.Add(1)
			return prefixCodec.Decompress(dst, compressed)
		},
	}
	empty := Codec{
		Compress:   func([]byte) ([]byte, error) { return nil, nil },
		Decompress: prefixCodec.Decompress,
	}
	for alg, c := range map[uint16]Codec{prefixAlg: prefixCodec, emptyAlg: empty, countedAlg: counted, gatedAlg: gatedCodec} {
		if err := Register(alg, c); err != nil {
			panic(err)
		}
	}
}

func TestRegisterRefuses(t *testing.T) {
	for name, tc := range map[string]struct {
		alg uint16
		c   Codec
	}{
		"built in":        {wire.CertCompressionBrotli, prefixCodec},
		"zero":            {0, prefixCodec},
		"GREASE":          {0x0a0a, prefixCodec},
		"twice":           {prefixAlg, prefixCodec},
		"no Decompress":   {0xfe10, Codec{Compress: prefixCodec.Compress}},
		"no Compress":     {0xfe11, Codec{Decompress: prefixCodec.Decompress}},
		"neither of them": {0xfe12, Codec{}},
	} {
		if err := Register(tc.alg, tc.c); err == nil {
			t.Errorf("%s: registered", name)
		}
	}
	if Supported(0xfe10) || Supported(0xfe12) {
		t.Error("a refused registration made its algorithm supported")
	}
}

func TestRegisteredRoundTrip(t *testing.T) {
	if !Supported(prefixAlg) {
		t.Fatal("a registered algorithm is not supported")
	}
	body := sampleBody()
	c, err := Compress(prefixAlg, body)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c, append(bytes.Clone(prefix), body...)) {
		t.Fatal("the registered codec did not compress")
	}
	got, err := Decompress(prefixAlg, c, len(body))
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("decompressed %d bytes, err %v", len(got), err)
	}
	// A mismatch the codec reports is bad_certificate, as for the
	// built-in algorithms.
	_, err = Decompress(prefixAlg, c, len(body)+1)
	wantBadCertificate(t, err)
}

// A declaration over the cap is refused before the codec runs: the codec
// never sees, and so never allocates for, more than MaxUncompressed.
func TestRegisteredDecompressBounded(t *testing.T) {
	before := countedCalls.Load()
	huge := append(bytes.Clone(prefix), make([]byte, 16)...)
	for _, want := range []int{16 << 20, MaxUncompressed + 1, 0, -1} {
		_, err := Decompress(countedAlg, huge, want)
		wantBadCertificate(t, err)
	}
	if n := countedCalls.Load() - before; n != 0 {
		t.Fatalf("the codec ran %d times for refused declarations", n)
	}
	if _, err := Decompress(countedAlg, huge, 16); err != nil {
		t.Fatal(err)
	}
	if countedCalls.Load()-before != 1 {
		t.Fatal("the codec did not run for a declaration within the cap")
	}
}

func TestRegisteredCompressEmptyRefused(t *testing.T) {
	if _, err := Compress(emptyAlg, sampleBody()); err == nil {
		t.Fatal("an empty compressed form was accepted; a CompressedCertificate cannot carry it")
	}
}

// FuzzDecompressRegistered runs arbitrary streams through a registered
// codec: never a panic, only bad_certificate, and exactly want bytes.
func FuzzDecompressRegistered(f *testing.F) {
	body := sampleBody()
	c, _ := Compress(prefixAlg, body)
	f.Add(c, uint32(len(body)))
	f.Add(c, uint32(len(body)+1))
	f.Add(c[:3], uint32(1))
	f.Add(prefix, uint32(0))
	f.Add(c, uint32(16<<20))
	f.Fuzz(func(t *testing.T, compressed []byte, want uint32) {
		out, err := Decompress(prefixAlg, compressed, int(want))
		if err != nil {
			var ae *alert.Error
			if !errors.As(err, &ae) || ae.Desc != alert.BadCertificate {
				t.Fatalf("error %v is not bad_certificate", err)
			}
			return
		}
		if len(out) != int(want) || !bytes.Equal(out, compressed[len(prefix):]) {
			t.Fatalf("returned %d bytes, declared %d", len(out), want)
		}
	})
}
