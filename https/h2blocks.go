package https

import "golang.org/x/net/http2"

// HTTP/2 framing needed to find header blocks in the bytes a client sends
// (RFC 9113 §3.4, §4.1, §4.3, §6.2, §6.10).
const (
	h2FrameHeaderLen = 9
	h2EndHeaders     = 0x4 // flag of HEADERS, PUSH_PROMISE and CONTINUATION
)

// headerBlocks follows the frame boundaries in the byte stream a client
// sends to an HTTP/2 server, without buffering it, to tell when a header
// block is open: from the frame header of a HEADERS (or PUSH_PROMISE)
// frame to the end of the payload of the frame that carries END_HEADERS
// (that frame itself or its last CONTINUATION). RFC 9113 §4.3 lets
// nothing else interleave with an open block, so a client that never
// finishes one holds the connection, which is what the header timeout
// bounds.
//
// It does not judge the frames: the HTTP/2 server reading the same bytes
// does, and ends the connection on a protocol error.
type headerBlocks struct {
	preface   int                    // bytes of the client preface still to pass
	hdr       [h2FrameHeaderLen]byte // the frame header being read
	nhdr      int
	payload   int  // bytes left of the current frame's payload
	endsBlock bool // the current frame's payload ends the open block
	open      bool
	started   uint64 // header blocks begun so far
}

func newHeaderBlocks() *headerBlocks {
	return &headerBlocks{preface: len(http2.ClientPreface)}
}

// feed advances over b, the next bytes the client sent.
func (h *headerBlocks) feed(b []byte) {
	for len(b) > 0 {
		switch {
		case h.preface > 0:
			n := min(h.preface, len(b))
			h.preface -= n
			b = b[n:]
		case h.payload > 0:
			n := min(h.payload, len(b))
			h.payload -= n
			b = b[n:]
			if h.payload == 0 {
				h.frameDone()
			}
		default:
			n := copy(h.hdr[h.nhdr:], b)
			h.nhdr += n
			b = b[n:]
			if h.nhdr == h2FrameHeaderLen {
				h.nhdr = 0
				h.frameHeader()
			}
		}
	}
}

func (h *headerBlocks) frameHeader() {
	length := int(h.hdr[0])<<16 | int(h.hdr[1])<<8 | int(h.hdr[2])
	typ, flags := http2.FrameType(h.hdr[3]), h.hdr[4]
	h.endsBlock = false
	switch typ {
	case http2.FrameHeaders, http2.FramePushPromise:
		if !h.open {
			h.open = true
			h.started++
		}
		h.endsBlock = flags&h2EndHeaders != 0
	case http2.FrameContinuation:
		h.endsBlock = h.open && flags&h2EndHeaders != 0
	}
	h.payload = length
	if length == 0 {
		h.frameDone()
	}
}

func (h *headerBlocks) frameDone() {
	if h.endsBlock {
		h.open = false
		h.endsBlock = false
	}
}
