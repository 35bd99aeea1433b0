package https

import (
	"bytes"
	"testing"

	"golang.org/x/net/http2"
)

// h2Stream builds what a client sends: the preface, then frames.
type h2Stream struct {
	buf bytes.Buffer
	fr  *http2.Framer
}

func newH2Stream() *h2Stream {
	s := &h2Stream{}
	s.buf.WriteString(http2.ClientPreface)
	s.fr = http2.NewFramer(&s.buf, nil)
	s.fr.AllowIllegalWrites = true
	return s
}

func (s *h2Stream) headers(stream uint32, frag string, end bool) *h2Stream {
	s.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: stream, BlockFragment: []byte(frag), EndHeaders: end})
	return s
}

func (s *h2Stream) continuation(stream uint32, frag string, end bool) *h2Stream {
	s.fr.WriteContinuation(stream, end, []byte(frag))
	return s
}

func (s *h2Stream) ping() *h2Stream {
	s.fr.WritePing(false, [8]byte{})
	return s
}

func (s *h2Stream) data(stream uint32, d string) *h2Stream {
	s.fr.WriteData(stream, false, []byte(d))
	return s
}

func TestHeaderBlocks(t *testing.T) {
	for _, tc := range []struct {
		name    string
		stream  *h2Stream
		open    bool
		started uint64
	}{
		{"preface only", newH2Stream(), false, 0},
		{"whole block in one frame", newH2Stream().headers(1, "abc", true), false, 1},
		{"HEADERS without END_HEADERS", newH2Stream().headers(1, "abc", false), true, 1},
		{"then CONTINUATION", newH2Stream().headers(1, "abc", false).continuation(1, "d", false), true, 1},
		{"then the last CONTINUATION", newH2Stream().headers(1, "abc", false).continuation(1, "d", false).continuation(1, "", true), false, 1},
		{"empty HEADERS", newH2Stream().headers(1, "", false), true, 1},
		{"other frames", newH2Stream().ping().data(1, "body").headers(3, "x", true).ping(), false, 1},
		{"stray CONTINUATION", newH2Stream().continuation(1, "x", true), false, 0},
		{"two blocks", newH2Stream().headers(1, "a", true).headers(3, "b", false), true, 2},
	} {
		b := tc.stream.buf.Bytes()
		for _, chunk := range []int{len(b), 1, 2, 7, 9, 10, 25} {
			h := newHeaderBlocks()
			for rest := b; len(rest) > 0; {
				n := min(chunk, len(rest))
				h.feed(rest[:n])
				rest = rest[n:]
			}
			if h.open != tc.open || h.started != tc.started {
				t.Errorf("%s, fed %d bytes at a time: open %v after %d blocks; want open %v after %d", tc.name, chunk, h.open, h.started, tc.open, tc.started)
			}
		}
	}
	// A block is open from its frame header on, before its payload.
	b := newH2Stream().headers(1, "abcdef", true).buf.Bytes()
	h := newHeaderBlocks()
	h.feed(b[:len(b)-1])
	if !h.open {
		t.Error("a HEADERS frame whose payload has not all arrived does not count as open")
	}
	h.feed(b[len(b)-1:])
	if h.open {
		t.Error("the block is still open after the END_HEADERS frame's payload")
	}
}

// FuzzHeaderBlocks feeds arbitrary client bytes in arbitrary pieces: the
// tracker never panics, its state does not depend on how the bytes were
// cut, and wherever x/net's Framer parses the stream the tracker agrees
// with it on where header blocks are.
func FuzzHeaderBlocks(f *testing.F) {
	f.Add(newH2Stream().headers(1, "abc", false).continuation(1, "d", false).continuation(1, "e", true).buf.Bytes(), uint8(3))
	f.Add(newH2Stream().ping().data(1, "body").headers(3, "x", true).buf.Bytes(), uint8(1))
	f.Add(newH2Stream().headers(1, "", false).buf.Bytes(), uint8(9))
	f.Add([]byte(http2.ClientPreface+"\x00\x00\x05\x01\x00\x00\x00\x00\x01ab"), uint8(2))
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"), uint8(4))
	f.Fuzz(func(t *testing.T, b []byte, chunk uint8) {
		whole := newHeaderBlocks()
		whole.feed(b)
		pieces := newHeaderBlocks()
		step := int(chunk%32) + 1
		for rest := b; len(rest) > 0; {
			n := min(step, len(rest))
			pieces.feed(rest[:n])
			rest = rest[n:]
		}
		if *whole != *pieces {
			t.Fatalf("state depends on how the bytes were cut: %+v, and fed %d at a time %+v", *whole, step, *pieces)
		}

		if !bytes.HasPrefix(b, []byte(http2.ClientPreface)) {
			return
		}
		frames := b[len(http2.ClientPreface):]
		r := bytes.NewReader(frames)
		fr := http2.NewFramer(nil, r)
		fr.SetMaxReadFrameSize(1<<24 - 1)
		h := newHeaderBlocks()
		h.feed(b[:len(http2.ClientPreface)])
		var open bool
		var started uint64
		consumed := 0
		for {
			fm, err := fr.ReadFrame()
			if err != nil {
				return
			}
			switch fm := fm.(type) {
			case *http2.HeadersFrame:
				started++
				open = !fm.HeadersEnded()
			case *http2.PushPromiseFrame:
				started++
				open = !fm.HeadersEnded()
			case *http2.ContinuationFrame:
				open = !fm.HeadersEnded()
			}
			end := len(frames) - r.Len()
			h.feed(frames[consumed:end])
			consumed = end
			if h.open != open || h.started != started || h.payload != 0 || h.nhdr != 0 {
				t.Fatalf("after %d frame bytes the tracker has open %v, %d blocks, %d payload and %d header bytes pending; the Framer saw open %v, %d blocks",
					end, h.open, h.started, h.payload, h.nhdr, open, started)
			}
		}
	})
}
